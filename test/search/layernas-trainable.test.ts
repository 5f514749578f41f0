import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBase, chooseLayerNasSettings } from '../../src/search/layernas-settings.js';
import { nearestFeasible } from '../../src/search/repair.js';
import { isDegenerate } from '../../src/space/degenerate.js';
import { loadSpace } from '../../src/space/load.js';
import { makeAlgorithm } from '../../src/study/algorithms.js';
import { MemoryJournal } from '../../src/study/journal.js';
import { buildProblem } from '../../src/study/problem.js';
import { runStudy } from '../../src/study/study.js';

const nb = loadSpace('nb201');
// ops: 0 none, 1 skip_connect, 2 nor_conv_1x1, 3 nor_conv_3x3, 4 avg_pool_3x3; edges e0 1<-0, e1 2<-0, e2 2<-1, e3 3<-0, e4 3<-1, e5 3<-2

function maxLatency(device: string): number {
  const p = buildProblem({ space: 'nb201', dataset: 'cifar10', constraints: [{ cost: `latency:${device}`, high: Infinity }] });
  return p.constraints.list[0]!.model.completionBounds([0, 0, 0, 0, 0, 0], 0).max;
}

test('NB201 degenerate cells: output not connected to the input through non-none edges', () => {
  assert.equal(isDegenerate(nb, [0, 0, 0, 0, 0, 0]), true);
  assert.equal(isDegenerate(nb, [3, 3, 3, 0, 0, 0]), true, 'edges into node 3 are all none');
  assert.equal(isDegenerate(nb, [0, 0, 3, 0, 3, 3]), true, 'node 1 and 2 unreachable from the input');
  assert.equal(isDegenerate(nb, [0, 0, 0, 1, 0, 0]), false, 'skip 3<-0');
  assert.equal(isDegenerate(nb, [3, 0, 3, 0, 0, 3]), false, '0->1->2->3');
});

test('the base is never degenerate: Pixel 2 at 15 % (the old rule picked the all-none cell), every device and budget', () => {
  for (const device of ['pixel2', 'eyeriss', 'fpga', 'pixel3', 'raspi4', 'samsung_a50']) {
    const max = maxLatency(device);
    for (const f of [0.05, 0.1, 0.15, 0.25]) {
      const p = buildProblem({ space: 'nb201', dataset: 'cifar10', constraints: [{ cost: `latency:${device}`, high: f * max }] });
      try {
        p.constraints.assertPossible();
      } catch {
        continue; // e.g. Eyeriss below 16 % of its maximum: no architecture fits at all
      }
      const base = chooseBase(p.constraints, p.constraints.list[0]!.model);
      assert.ok(p.constraints.feasible(base), `${device} ${f}: base over budget`);
      assert.ok(!isDegenerate(nb, base), `${device} ${f}: degenerate base ${base.join('')}`);
    }
  }
});

test('nearest feasible completion keeps the fixed layers, changes as few free layers as possible, never degenerate', () => {
  const high = 0.15 * maxLatency('raspi4');
  const p = buildProblem({ space: 'nb201', dataset: 'cifar10', constraints: [{ cost: 'latency:raspi4', high }] });
  const lat = p.constraints.list[0]!.model;
  const raw = [3, 3, 3, 3, 3, 3];
  const fixed = 1;
  const got = nearestFeasible(p.constraints, raw, fixed, lat)!;
  assert.ok(got, 'a completion exists');
  assert.equal(got[0], 3, 'layer 0 kept');
  assert.ok(p.constraints.feasible(got) && !isDegenerate(nb, got));
  const changed = got.filter((v, i) => v !== raw[i]).length;
  // no trainable model that keeps layer 0 changes fewer layers
  for (let i = 0; i < 5 ** 5; i++) {
    const dna = [3, ...Array.from({ length: 5 }, (_, j) => Math.floor(i / 5 ** (4 - j)) % 5)];
    if (p.constraints.feasible(dna) && !isDegenerate(nb, dna)) assert.ok(dna.filter((v, k) => v !== raw[k]).length >= changed);
  }
});

test('LayerNAS trains no model over the budget and no degenerate model, and spends the whole trial budget', async () => {
  for (const [device, f, dataset] of [['eyeriss', 0.25, 'ImageNet16-120'], ['raspi4', 0.25, 'cifar100'], ['pixel2', 0.15, 'cifar10']] as const) {
    const high = f * maxLatency(device);
    const problem = buildProblem({ space: 'nb201', dataset, constraints: [{ cost: `latency:${device}`, high }] });
    const s = chooseLayerNasSettings(problem.constraints, problem.bucketCosts, 300);
    const result = await runStudy({
      studyId: 't', settings: {}, space: problem.space, constraints: problem.constraints, algorithm: makeAlgorithm('layernas', problem, 0, 300, s).algorithm,
      maxTrials: 300, batchSize: 1, evaluator: problem.evaluator(0), journal: new MemoryJournal(),
    });
    const over = result.trials.filter((t) => !t.feasible).length;
    assert.equal(over, 0, `${device}: ${over} trials over the budget`);
    assert.equal(result.trials.filter((t) => isDegenerate(nb, t.dna)).length, 0, `${device}: degenerate trials`);
    assert.equal(result.trialsUsed, 300, `${device}: stopped at ${result.trialsUsed}`);
    assert.ok(new Set(result.trials.map((t) => t.dna.join('-'))).size === 300, 'never the same model twice');
  }
});
