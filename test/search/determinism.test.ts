import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeAlgorithm } from '../../src/study/algorithms.js';
import { MemoryJournal } from '../../src/study/journal.js';
import { buildProblem } from '../../src/study/problem.js';
import { runStudy } from '../../src/study/study.js';
import { ALGORITHMS } from '../../src/search/types.js';

const problem = buildProblem({ space: 'nb201', dataset: 'cifar100', noiseStd: 0.5, constraints: [{ cost: 'latency:raspi4', high: 24.72 }] });

async function run(name: (typeof ALGORITHMS)[number], seed: number, batchSize: number) {
  return runStudy({
    studyId: 'd', settings: {}, space: problem.space, constraints: problem.constraints, algorithm: makeAlgorithm(name, problem, seed, 120).algorithm,
    maxTrials: 120, batchSize, evaluator: problem.evaluator(seed), journal: new MemoryJournal(),
  });
}

test('same seed, same result; LayerNAS does not depend on the batch size; noise is per (seed, architecture)', async () => {
  for (const name of ALGORITHMS) {
    const a = await run(name, 11, 1);
    const b = await run(name, 11, 1);
    assert.deepEqual(a.trials.map((t) => t.dna), b.trials.map((t) => t.dna), name);
    assert.deepEqual(a.best?.dna, b.best?.dna);
  }
  const seq = await run('layernas', 11, 1);
  const batched = await run('layernas', 11, 16);
  assert.deepEqual(batched.trials.map((t) => t.dna), seq.trials.map((t) => t.dna));
  const other = await run('random', 12, 1);
  const first = await run('random', 11, 1);
  assert.notDeepEqual(other.trials.map((t) => t.dna), first.trials.map((t) => t.dna), 'different seeds explore differently');
  // the reward of one architecture is the same whenever it is evaluated with the same noise seed
  const ev = problem.evaluator(11);
  const dna = first.trials[5]!.dna;
  const r1 = await ev.evaluate({ trialNumber: 0, dna, arch: '' });
  const r2 = await ev.evaluate({ trialNumber: 99, dna, arch: '' });
  assert.equal(r1.reward, r2.reward);
  assert.notEqual(r1.reward, r1.metrics.test_acc);
  assert.ok(Math.abs(r1.reward - (r1.metrics.test_acc as number)) < 0.5 * 6);
});
