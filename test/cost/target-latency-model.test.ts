// The search's latency CostModel from a target table equals the predictor on random DNAs; bounds bracket completions.
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
