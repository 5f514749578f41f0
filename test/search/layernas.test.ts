import { test } from 'node:test';
import assert from 'node:assert/strict';
import { additiveCostModel } from '../../src/cost/tabular-latency.js';
import { Constraints } from '../../src/search/constraints.js';
import { LayerNas } from '../../src/search/layernas.js';
import { chooseBase, chooseLayerNasSettings, dryRunTrials, LAYER_PASS_SHARE } from '../../src/search/layernas-settings.js';
import { loadSpace } from '../../src/space/load.js';
import { spaceFromData, dnaKey, type Dna } from '../../src/space/types.js';
import { nb201LatencyCost } from '../../src/cost/tabular-latency.js';

const space = spaceFromData({
  name: 'toy',
  decoder: 'generic',
  layers: Array.from({ length: 4 }, (_, l) => ({ name: `l${l}`, options: ['a', 'b', 'c'] })),
});
const cost = additiveCostModel(space, 'latency_ms', 'latency:toy', 0, space.radix.map(() => [0, 1, 2]));

function drive(algo: LayerNas, reward: (d: Dna) => number): Dna[] {
  const asked: Dna[] = [];
  for (;;) {
    const b = algo.ask(3);
    if (b.length === 0) break;
    for (const d of b) {
      asked.push(d);
      algo.tell(d, reward(d));
    }
  }
  assert.ok(algo.done());
  return asked;
}

test('LayerNAS keeps a child identical to its parent (reward reused, no new trial) so layers can keep the base option', () => {
  const constraints = new Constraints(space, [{ model: cost, low: -Infinity, high: 8 }]);
  // best model keeps the base option "b" on layers 0 and 2
  const target = [1, 2, 1, 0];
  const reward = (d: Dna): number => -d.reduce((s, v, i) => s + Math.abs(v - (target[i] as number)), 0);
  const algo = new LayerNas(constraints, { buckets: 3, keep: 1, base: [1, 1, 1, 1], bucketCosts: [cost] });
  const asked = drive(algo, reward);
  const keys = asked.map(dnaKey);
  assert.equal(new Set(keys).size, keys.length, 'no architecture is evaluated twice');
  assert.ok(keys.includes(dnaKey(target)), 'the best model (base option kept on two layers) is found');
});

test('LayerNAS never proposes a child that cannot reach the target range', () => {
  const constraints = new Constraints(space, [{ model: cost, low: 3, high: 4 }]);
  const algo = new LayerNas(constraints, { buckets: 4, keep: 2, base: [0, 0, 0, 0], bucketCosts: [cost] });
  let layerProposals = 0;
  for (;;) {
    const b = algo.ask(100);
    if (b.length === 0) break;
    for (const d of b) {
      // a proposal fixes some prefix; its cheapest/dearest completion from layer 0 must touch [3, 4]
      const bounds = cost.completionBounds(d, 0);
      assert.ok(bounds.max >= 3 && bounds.min <= 4);
      algo.tell(d, d[0] ?? 0);
      layerProposals++;
    }
  }
  assert.ok(layerProposals > 0);
});

test('2-D buckets: with two bucket costs LayerNAS keeps up to K per cell of an H x H table', () => {
  const madds = additiveCostModel(space, 'madds', 'madds', 0, space.radix.map(() => [2, 0, 1]));
  const constraints = new Constraints(space, [{ model: cost, low: -Infinity, high: 6 }, { model: madds, low: -Infinity, high: 6 }]);
  const algo = new LayerNas(constraints, { buckets: 2, keep: 1, base: [0, 0, 0, 0], bucketCosts: [cost, madds] });
  drive(algo, (d) => d.reduce((a, b) => a + b, 0));
  const cells = (algo.summary().buckets as { bucket: string }[]).map((b) => b.bucket);
  assert.ok(cells.every((c) => /^\d,\d$/.test(c)), cells.join(' '));
  assert.ok(cells.length > 1 && cells.length <= 4);
});

test('setting rule on NB201 Pixel 3 <= 9.19 ms: dearest feasible uniform base, layer pass sized to a fifth of the budget', () => {
  const nb = loadSpace('nb201');
  const lat = nb201LatencyCost(nb, 'pixel3');
  const constraints = new Constraints(nb, [{ model: lat, low: -Infinity, high: 9.19 }]);
  const base = chooseBase(constraints, lat);
  assert.ok(constraints.feasible(base));
  assert.ok(lat.cost(base) > 4, 'not the cheapest base');
  for (const budget of [100, 300, 1000]) {
    const s = chooseLayerNasSettings(constraints, [lat], budget);
    assert.ok(s.estimatedTrials <= budget * LAYER_PASS_SHARE || (s.buckets === 1 && s.keep === 1), `${budget}: ${s.estimatedTrials}`);
    if (budget >= 300) assert.ok(s.estimatedTrials >= budget * LAYER_PASS_SHARE * 0.4, `${budget}: layer pass uses only ${s.estimatedTrials}`);
    assert.equal(dryRunTrials(constraints, s), s.estimatedTrials);
  }
});
