// The search's latency CostModel from a target table equals the predictor on random DNAs; bounds bracket completions;
// design builds its cost models with the same functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walkShapes } from '../../src/arch/shapes.js';
import { loadTargetTables } from '../../src/cost/latency-table.js';
import { predictLatency } from '../../src/cost/latency-predictor.js';
import { targetLatencyCostModel } from '../../src/cost/target-latency-model.js';
import { Rng } from '../../src/core/rng.js';
import { randomDnas } from '../../src/profile/profiler.js';
import { spaceNetwork } from '../../src/profile/space-networks.js';
import { loadSpace } from '../../src/space/load.js';
import { resolveTarget } from '../../src/targets/load.js';
import { tmpdir } from 'node:os';
import { resolveLatencySource } from '../../src/design/latency-source.js';
import { buildDesignProblem } from '../../src/design/problem.js';
import { silentProgress } from '../../src/profile/progress.js';
import { buildProblem } from '../../src/study/problem.js';

for (const [spaceName, targetId] of [['mobilenetv2', 'pixel1-tflite'], ['fbnet', 'pixel3-tflite']] as const) {
  test(`${targetId} cost model on ${spaceName}: equals the predictor, bounds bracket every completion`, () => {
    const space = loadSpace(spaceName);
    const loaded = resolveTarget(targetId);
    const { tables } = loadTargetTables(loaded.tableFiles, loaded.target);
    const model = targetLatencyCostModel(space, tables, `latency:${targetId}`);
    const rng = new Rng(3);
    for (const dna of randomDnas(space.radix, 30, 5)) {
      const want = predictLatency(walkShapes(spaceNetwork(space, dna)), tables[0]!).total_ms;
      assert.ok(Math.abs(model.cost(dna) - want) < 1e-9, `${dna.join('-')}`);
      const fixed = rng.int(space.radix.length + 1);
      const b = model.completionBounds(dna, fixed);
      assert.ok(b.min <= want + 1e-9 && want <= b.max + 1e-9);
    }
    const all = model.completionBounds([], 0);
    assert.ok(all.min < all.max);
  });
}

/**
 * One builder: `design`'s table stage prices its space with the cost models `search --cost latency:<target> / madds /
 * params` builds (src/cost/target-latency-model.ts, src/cost/network-cost.ts): same names, costs and completion bounds.
 */
for (const [spaceName, targetId, classes] of [['mobilenetv2', 'pixel1-tflite', 1000], ['fbnet_stages', 'pixel3-tflite', undefined]] as const) {
  test(`design and search --cost latency:${targetId} price ${spaceName} with one cost model`, async () => {
    const space = loadSpace(spaceName);
    const loaded = resolveTarget(targetId);
    const source = await resolveLatencySource({
      loaded, space, classes: classes ?? 100, extraTables: [], outDir: tmpdir(), profileRounds: 1, seed: 0, progress: silentProgress,
    });
    const design = buildDesignProblem(source, targetId, 1e9, undefined);
    const search = buildProblem({ space: spaceName, constraints: [{ cost: `latency:${targetId}`, high: 1e9 }], bucketBy: [] });
    const searchLatency = search.bucketCosts[0];
    assert.ok(searchLatency);
    assert.equal(searchLatency.name, design.latency.name);
    const searchMadds = buildProblem({ space: spaceName, constraints: [], bucketBy: ['madds', 'params'] }).bucketCosts;
    const rng = new Rng(9);
    for (const dna of randomDnas(space.radix, 25, 4)) {
      const fixed = rng.int(space.radix.length + 1);
      assert.equal(searchLatency.cost(dna), design.latency.cost(dna), dna.join('-'));
      assert.deepEqual(searchLatency.completionBounds(dna, fixed), design.latency.completionBounds(dna, fixed));
      if (classes !== undefined) {
        assert.equal(searchMadds[0]?.cost(dna), design.madds.cost(dna));
        assert.equal(searchMadds[1]?.cost(dna), design.params.cost(dna));
      }
    }
  });
}

test('search --cost latency:<name> on a mobilenetv2 space: neither pixel1 nor a target is TABLE_MISSING_KEY', () => {
  assert.throws(() => buildProblem({ space: 'mobilenetv2', constraints: [{ cost: 'latency:pixel9', high: 1 }] }), /pixel1 only, not "pixel9" \(nor is "pixel9" a target/);
});
