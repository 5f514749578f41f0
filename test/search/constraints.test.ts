import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLayernasError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { additiveCostModel, perArchitectureCostModel } from '../../src/cost/tabular-latency.js';
import type { CostConstraint, CostModel } from '../../src/cost/types.js';
import type { Evaluator } from '../../src/eval/types.js';
import { dnaHash } from '../../src/space/types.js';
import { Constraints } from '../../src/search/constraints.js';
import { ALGORITHMS } from '../../src/search/types.js';
import { spaceFromData, spaceSize, type SearchSpace } from '../../src/space/types.js';
import { makeAlgorithm } from '../../src/study/algorithms.js';
import { MemoryJournal } from '../../src/study/journal.js';
import type { Problem } from '../../src/study/problem.js';
import { runStudy } from '../../src/study/study.js';

function randomSpace(rng: Rng): SearchSpace {
  const L = 2 + rng.int(6);
  return spaceFromData({
    name: 'random',
    decoder: 'generic',
    layers: Array.from({ length: L }, (_, l) => ({ name: `l${l}`, options: Array.from({ length: 1 + rng.int(5) }, (_, o) => `o${o}`) })),
  });
}

function randomCost(space: SearchSpace, rng: Rng, name: string): CostModel {
  if (rng.next() < 0.5 && spaceSize(space) <= 20000) {
    const values = new Float64Array(spaceSize(space)).map(() => rng.next() * 100);
    return perArchitectureCostModel(space, 'latency_ms', name, values);
  }
  return additiveCostModel(space, 'madds', name, rng.next() * 5, space.radix.map((r) => Array.from({ length: r }, () => rng.next() * 10)));
}

const countingEvaluator = (calls: { n: number }): Evaluator => ({
  kind: 'hash',
  options: {},
  evaluate: async (r) => {
    calls.n++;
    return { reward: (dnaHash(r.dna) % 1000) / 10, metrics: {} };
  },
});

test('property: every algorithm only returns (and baselines only evaluate) models inside every constraint', async () => {
  const rng = new Rng(2024);
  let checkedRuns = 0;
  for (let p = 0; p < 40; p++) {
    const space = randomSpace(rng);
    const nCosts = 1 + rng.int(2);
    const list: CostConstraint[] = [];
    for (let c = 0; c < nCosts; c++) {
      const model = randomCost(space, rng, `c${c}`);
      const all = model.completionBounds(space.radix.map(() => 0), 0);
      const a = all.min + rng.next() * (all.max - all.min);
      const b = all.min + rng.next() * (all.max - all.min);
      list.push({ model, low: rng.next() < 0.3 ? Math.min(a, b) : -Infinity, high: Math.max(a, b) });
    }
    const constraints = new Constraints(space, list);
    try {
      constraints.assertPossible();
    } catch (e) {
      assert.ok(isLayernasError(e, 'BUDGET_IMPOSSIBLE'));
      continue;
    }
    const problem = { space, constraints, bucketCosts: list.map((c) => c.model), reportCosts: [] } as unknown as Problem;
    for (const name of ALGORITHMS) {
      const budget = 5 + rng.int(60);
      const choice = makeAlgorithm(name, problem, p, budget);
      const result = await runStudy({
        studyId: 't', settings: {}, space, constraints, algorithm: choice.algorithm, maxTrials: budget, batchSize: 1 + rng.int(4),
        evaluator: countingEvaluator({ n: 0 }), journal: new MemoryJournal(),
      });
      assert.ok(result.best, `${name}: a feasible space must give an answer`);
      assert.ok(constraints.feasible(result.best.dna), `${name} returned an infeasible model`);
      for (const c of list) {
        const v = c.model.cost(result.best.dna);
        assert.ok(v >= c.low && v <= c.high, `${name}: ${c.model.name}=${v} outside [${c.low}, ${c.high}]`);
      }
      if (name !== 'layernas') for (const t of result.trials) assert.ok(t.feasible, `${name} evaluated an infeasible model`);
      const keys = result.trials.map((t) => t.dna.join('-'));
      assert.equal(new Set(keys).size, keys.length, `${name} evaluated an architecture twice`);
      checkedRuns++;
    }
  }
  assert.ok(checkedRuns >= 60, `only ${checkedRuns} runs checked`);
});

test('an impossible budget is reported before any evaluation', async () => {
  const space = spaceFromData({ name: 's', decoder: 'generic', layers: [{ name: 'a', options: ['x', 'y'] }, { name: 'b', options: ['x', 'y'] }] });
  const cost = additiveCostModel(space, 'latency_ms', 'latency:test', 1, [[1, 2], [1, 3]]);
  const constraints = new Constraints(space, [{ model: cost, low: -Infinity, high: 2.5 }]);
  assert.throws(() => constraints.assertPossible(), (e) => isLayernasError(e, 'BUDGET_IMPOSSIBLE') && e.details.spaceMin === 3);
  // two costs each satisfiable alone but not together
  const other = additiveCostModel(space, 'madds', 'madds', 0, [[5, 0], [5, 0]]);
  const both = new Constraints(space, [{ model: cost, low: -Infinity, high: 3 }, { model: other, low: -Infinity, high: 5 }]);
  assert.throws(() => both.assertPossible(), (e) => isLayernasError(e, 'BUDGET_IMPOSSIBLE'));
});
