/**
 * A 300-trial NAS-Bench-201 study (real table, Pixel 3 latency <= 9.19 ms) run locally and through Redis with 4 real
 * `layernas worker` processes gives exactly the same trials, rewards and best model for the same seed; the journal has
 * exactly one result per trial.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { nb201LatencyCost } from '../../src/cost/tabular-latency.js';
import { openBullmqDispatcher } from '../../src/dispatch/bullmq.js';
import { loadNb201Accuracy, Nb201TabularEvaluator } from '../../src/eval/tabular-nb201.js';
import { Constraints } from '../../src/search/constraints.js';
import { LayerNas } from '../../src/search/layernas.js';
import { chooseBase } from '../../src/search/layernas-settings.js';
import { RegularizedEvolution } from '../../src/search/evolution.js';
import type { SearchAlgorithm } from '../../src/search/types.js';
import { MemoryJournal } from '../../src/study/journal.js';
import { runStudy, type StudyResult } from '../../src/study/study.js';
import { loadSpace } from '../../src/space/load.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnLayernas, spawnWorker, stopProcess, type SpawnedWorker } from './bullmq-worker-process.js';

const space = loadSpace('nb201');
const latency = nb201LatencyCost(space, 'pixel3');
const constraints = new Constraints(space, [{ model: latency, low: 0, high: 9.19 }]);
const table = loadNb201Accuracy(space, 'cifar100');
const evaluatorOptions = { dataset: 'cifar100' as const, noiseStd: 0.3, noiseSeed: 11 };

function algorithmFor(name: 'layernas' | 're', seed: number): SearchAlgorithm {
  // H=20, K=2 with the rule's base model (close to 300 trials on NB201); the full (H, K) rule is a slow dry-run ladder
  if (name === 'layernas') return new LayerNas(constraints, { buckets: 20, keep: 2, base: chooseBase(constraints, latency), bucketCosts: [latency] });
  return new RegularizedEvolution(constraints, new Rng(seed));
}

async function study(name: 'layernas' | 're', seed: number, dispatcherUrl?: string): Promise<{ result: StudyResult; journal: MemoryJournal; evaluated: number }> {
  const journal = new MemoryJournal();
  const evaluator = new Nb201TabularEvaluator(space, table, evaluatorOptions);
  const dispatcher = dispatcherUrl === undefined ? undefined : await openBullmqDispatcher({ redisUrl: dispatcherUrl, queueName: 'nb201' });
  try {
    const result = await runStudy({
      studyId: `nb201-${name}-${seed}`,
      settings: { algorithm: name, seed },
      space,
      constraints,
      algorithm: algorithmFor(name, seed),
      maxTrials: 300,
      batchSize: 64,
      evaluator,
      ...(dispatcher === undefined ? {} : { dispatcher }),
      journal,
    });
    return { result, journal, evaluated: result.evaluatedThisRun };
  } finally {
    await dispatcher?.close();
  }
}

let srv: RedisServerHandle;
let workers: SpawnedWorker[] = [];
before(async () => {
  srv = await startRedisServer();
  workers = [0, 1, 2, 3].map(() => spawnWorker(srv.url, ['--queue', 'nb201', '--evaluator', 'nb201']));
  await Promise.all(workers.map((w) => w.waitFor(/^ready /, 60_000)));
});
after(async () => {
  await Promise.all(workers.map(stopProcess));
  await srv.stop();
});

for (const [name, seed] of [['layernas', 0], ['re', 5]] as const) {
  test(`300-trial NB201 ${name} study: 4 Redis workers = local run, same seed`, async () => {
    let t = Date.now();
    const local = await study(name, seed);
    const localMs = Date.now() - t;
    t = Date.now();
    const remote = await study(name, seed, srv.url);
    console.log(`# ${name}: local ${localMs} ms, through Redis ${Date.now() - t} ms, ${remote.result.trialsUsed} trials`);
    assert.equal(remote.result.trialsUsed, local.result.trialsUsed);
    assert.ok(local.result.trialsUsed >= 200, `a real search (${local.result.trialsUsed} trials)`);
    const strip = (r: StudyResult) => r.trials.map((t) => ({ trial: t.trial, dna: t.dna.join(''), status: t.status, reward: t.reward, metrics: t.metrics, feasible: t.feasible }));
    assert.deepEqual(strip(remote.result), strip(local.result));
    assert.deepEqual(remote.result.best, local.result.best);
    assert.ok(remote.result.best !== undefined && remote.result.best.feasible);
    // every trial evaluated exactly once, by the workers, and journaled once
    const results = remote.journal.events.filter((e) => e.type === 'result');
    assert.equal(results.length, remote.result.trialsUsed);
    assert.equal(new Set(results.map((e) => (e as { trial: number }).trial)).size, results.length);
    const workersSeen = new Set(results.map((e) => (e as { worker?: string }).worker));
    assert.ok(workersSeen.size >= 2, `trials spread over workers: ${[...workersSeen].join(', ')}`);
  });
}

test('`layernas benchmark --redis` (LayerNAS + RE, 100 trials, 4 workers) writes the same results as the local benchmark', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'layernas-bench-'));
  try {
    const args = ['benchmark', '--space', 'nb201', '--dataset', 'cifar10', '--cost', 'latency:pixel3', '--max', '9.19', '--algorithms', 'layernas,re', '--seeds', '1', '--trials', '100', '--noise', '0.3'];
    const remote = spawnLayernas([...args, '--redis', srv.url, '--queue', 'nb201', '--out', path.join(dir, 'redis')]);
    assert.equal(await remote.exited, 0, remote.lines.join('\n'));
    const local = spawnLayernas([...args, '--out', path.join(dir, 'local')]);
    assert.equal(await local.exited, 0, local.lines.join('\n'));
    const read = (sub: string) => JSON.parse(readFileSync(path.join(dir, sub, 'cifar10.json'), 'utf8')) as { oracle: number; rows: { algorithm: string; meanTrials: number }[]; curves: unknown[] };
    const r = read('redis');
    const l = read('local');
    assert.deepEqual(r.rows, l.rows);
    assert.deepEqual(r.curves, l.curves);
    assert.equal(r.oracle, l.oracle);
    assert.ok(r.rows.find((x) => x.algorithm === 'layernas')!.meanTrials > 50);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the workers evaluated each trial once in total', () => {
  const done = workers.flatMap((w) => w.lines.filter((l) => l.startsWith('done ')).map((l) => l.split(' ')[1]));
  assert.equal(done.length, new Set(done).size);
  assert.ok(done.length >= 500);
});
