import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalPool } from '../../src/dispatch/local-pool.js';
import { makeAlgorithm } from '../../src/study/algorithms.js';
import { MemoryJournal } from '../../src/study/journal.js';
import { buildProblem } from '../../src/study/problem.js';
import { runStudy } from '../../src/study/study.js';

test('a study evaluates LayerNAS layer batches on the real local process pool and ends as the in-process run', async () => {
  const problem = buildProblem({ space: 'nb201', dataset: 'cifar100', noiseStd: 0.3, constraints: [{ cost: 'latency:pixel3', high: 9.19 }] });
  const common = {
    studyId: 'pool', settings: {}, space: problem.space, constraints: problem.constraints, maxTrials: 60, batchSize: 8, evaluator: problem.evaluator(5),
  };
  const inProcess = await runStudy({ ...common, algorithm: makeAlgorithm('layernas', problem, 5, 60).algorithm, journal: new MemoryJournal() });
  // workers sleep 20-ms per trial so results arrive out of order across the 2 workers
  const pool = await LocalPool.start({ evaluator: { evaluator: { kind: 'nb201' }, delayMs: 20 }, workers: 2, trialTimeoutMs: 60_000 });
  try {
    const journal = new MemoryJournal();
    const pooled = await runStudy({ ...common, algorithm: makeAlgorithm('layernas', problem, 5, 60).algorithm, journal, dispatcher: pool });
    assert.deepEqual(pooled.best?.dna, inProcess.best?.dna);
    assert.equal(pooled.best?.reward, inProcess.best?.reward);
    assert.equal(pooled.trialsUsed, inProcess.trialsUsed);
    const results = journal.events.filter((e) => e.type === 'result');
    assert.equal(new Set(results.map((e) => e.trial)).size, results.length);
    assert.ok(results.every((e) => e.type === 'result' && e.worker !== undefined));
  } finally {
    await pool.close();
  }
});

test('trials asked two at a time (design --parallel 2) give the same trials and winner as one at a time', async () => {
  const problem = buildProblem({ space: 'nb201', dataset: 'cifar100', noiseStd: 0.3, constraints: [{ cost: 'latency:pixel3', high: 9.19 }] });
  for (const algo of ['layernas', 'random'] as const) {
    const run = (batchSize: number) => runStudy({
      studyId: 'batch', settings: {}, space: problem.space, constraints: problem.constraints, maxTrials: 40, batchSize, evaluator: problem.evaluator(5),
      algorithm: makeAlgorithm(algo, problem, 5, 40).algorithm, journal: new MemoryJournal(),
    });
    const one = await run(1), two = await run(2);
    assert.deepEqual(two.trials.map((t) => t.dna.join('-')).sort(), one.trials.map((t) => t.dna.join('-')).sort(), algo);
    assert.deepEqual(two.best?.dna, one.best?.dna, algo);
  }
});
