/**
 * BullmqDispatcher + in-process trial workers on a real redis-server: idempotent submits, a restarted coordinator that
 * gets finished trials back without re-running them, retries, typed failures, malformed payloads on both sides.
 * (Worker processes killed with SIGKILL are in bullmq-processes.test.ts.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { isLayernasError, LayernasError } from '../../src/core/errors.js';
import { openBullmqDispatcher, type BullmqDispatcher } from '../../src/dispatch/bullmq.js';
import { parseRedisUrl } from '../../src/dispatch/redis-url.js';
import type { TrialRequest, TrialResult } from '../../src/dispatch/types.js';
import { Nb201WorkerEvaluator, type WorkerEvaluator } from '../../src/eval/worker-evaluators.js';
import { startTrialWorker } from '../../src/worker/trial-worker.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';

let srv: RedisServerHandle;
before(async () => { srv = await startRedisServer(); });
after(async () => { await srv.stop(); });

function nb201Request(study: string, n: number): TrialRequest {
  const dna = [n % 5, Math.floor(n / 5) % 5, Math.floor(n / 25) % 5, 1, 2, 3];
  return { trialId: `${study}:${n}`, studyId: study, dna, arch: `nb201 ${dna.join('')}`, evaluator: { kind: 'nb201-tabular', options: { dataset: 'cifar10', noiseStd: 0, noiseSeed: 0 } }, attempt: 0 };
}

async function collect(d: BullmqDispatcher, n: number, timeoutMs = 20_000): Promise<TrialResult[]> {
  const out: TrialResult[] = [];
  const timer = setTimeout(() => { void d.close(); }, timeoutMs);
  for await (const r of d.results()) {
    out.push(r);
    if (out.length === n) break;
  }
  clearTimeout(timer);
  assert.equal(out.length, n, `expected ${n} results before the timeout`);
  return out;
}

/** Counts calls; the scripted behaviour per trial lets tests make attempts fail. */
class ScriptedEvaluator implements WorkerEvaluator {
  readonly kind = 'scripted';
  readonly calls = new Map<string, number>();
  constructor(private readonly script: (trialId: string, call: number) => number) {}
  async evaluate(request: TrialRequest) {
    const call = (this.calls.get(request.trialId) ?? 0) + 1;
    this.calls.set(request.trialId, call);
    return { reward: this.script(request.trialId, call), metrics: { call } };
  }
}

test('same trial submitted twice, and again by a restarted coordinator: evaluated once, delivered once each', async () => {
  const queueName = 'dedup';
  const nb = new Nb201WorkerEvaluator();
  let evaluations = 0;
  const counting: WorkerEvaluator = { kind: nb.kind, evaluate: async (r) => { evaluations++; return await nb.evaluate(r); } };
  const w = await startTrialWorker({ redisUrl: srv.url, queueName, evaluator: counting, concurrency: 2 });
  const reqs = Array.from({ length: 30 }, (_, i) => nb201Request('dd', i));
  const d1 = await openBullmqDispatcher({ redisUrl: srv.url, queueName });
  await d1.submit(reqs);
  await d1.submit([...reqs.slice(0, 10), ...reqs.slice(0, 10)]);
  const first = await collect(d1, 30);
  await d1.close();
  assert.equal(new Set(first.map((r) => r.trialId)).size, 30);
  assert.ok(first.every((r) => r.outcome.status === 'ok' && r.attempts === 1));
  // a second coordinator (restart) submits the same trials: all come back from Redis, none is run again
  const d2 = await openBullmqDispatcher({ redisUrl: srv.url, queueName });
  await d2.submit(reqs);
  const second = await collect(d2, 30);
  await d2.close();
  await w.close();
  assert.equal(evaluations, 30);
  const byId = new Map(first.map((r) => [r.trialId, r]));
  for (const r of second) assert.deepEqual(r.outcome, byId.get(r.trialId)?.outcome);
  const q = new Queue(queueName, { connection: parseRedisUrl(srv.url) });
  assert.equal(await q.getJobCountByTypes('completed'), 30);
  await q.close();
});

test('runtime failures are retried up to maxAttempts, then reported failed with their error; bad input is not retried', async () => {
  const queueName = 'retry';
  const calls = new Map<number, number>();
  const evaluator: WorkerEvaluator = {
    kind: 'flaky',
    evaluate: async (r) => {
      const n = Number(r.trialId.split(':')[1]);
      const call = (calls.get(n) ?? 0) + 1;
      calls.set(n, call);
      if (n === 0 && call === 1) throw new LayernasError('TRAINER_FAILED', 'first attempt crashed');
      if (n === 1) throw new LayernasError('TRAINER_FAILED', 'always crashes', { stderrTail: 'Traceback: boom' });
      if (n === 2) throw new LayernasError('SPEC_INVALID', 'kernel 4 is not allowed');
      if (n === 3) return { reward: Number.NaN, metrics: {} as Record<string, number> };
      return { reward: n, metrics: { n } };
    },
  };
  const w = await startTrialWorker({ redisUrl: srv.url, queueName, evaluator });
  const d = await openBullmqDispatcher({ redisUrl: srv.url, queueName, maxAttempts: 3 });
  const reqs = [0, 1, 2, 3, 4].map((n) => ({ ...nb201Request('rt', n), evaluator: { kind: 'flaky', options: {} } }));
  await d.submit(reqs);
  const results = new Map((await collect(d, 5)).map((r) => [r.trialId, r]));
  await d.close();
  await w.close();
  const r0 = results.get('rt:0')!;
  assert.equal(r0.outcome.status, 'ok');
  assert.equal(r0.attempts, 2);
  const r1 = results.get('rt:1')!;
  assert.equal(r1.attempts, 3);
  // the failure reason travels with the error (issue 19): a crash is the environment's, retried on resume
  assert.deepEqual(r1.outcome, { status: 'failed', error: { code: 'TRAINER_FAILED', message: 'always crashes', stderrTail: 'Traceback: boom', reason: 'environment' } });
  const r2 = results.get('rt:2')!;
  assert.equal(r2.attempts, 1);
  assert.equal(r2.outcome.status === 'failed' && r2.outcome.error.code, 'SPEC_INVALID');
  assert.equal(r2.outcome.status === 'failed' && r2.outcome.error.reason, 'candidate');
  const r3 = results.get('rt:3')!; // a worker result that does not validate (NaN reward) is JOB_INVALID, not retried
  assert.equal(r3.outcome.status === 'failed' && r3.outcome.error.code, 'JOB_INVALID');
  assert.deepEqual(results.get('rt:4')!.outcome, { status: 'ok', reward: 4, metrics: { n: 4 } });
  assert.deepEqual([...calls.entries()].sort((a, b) => a[0] - b[0]), [[0, 2], [1, 3], [2, 1], [3, 1], [4, 1]]);
});

test('malformed jobs: rejected before enqueue by the coordinator, failed as JOB_INVALID by the worker, no result lost', async () => {
  const queueName = 'malformed';
  const evaluator = new ScriptedEvaluator((id) => Number(id.split(':')[1]));
  const w = await startTrialWorker({ redisUrl: srv.url, queueName, evaluator });
  const d = await openBullmqDispatcher({ redisUrl: srv.url, queueName });
  const good = [0, 1, 2].map((n) => ({ ...nb201Request('mf', n), evaluator: { kind: 'scripted', options: {} } }));
  // coordinator side: a bad request is refused with JOB_INVALID naming the field, and nothing of that batch is queued
  const bad = { ...good[0]!, trialId: 'mf:bad', dna: [1, -2] } as TrialRequest;
  await assert.rejects(d.submit([good[0]!, bad]), (e: unknown) => isLayernasError(e, 'JOB_INVALID') && /dna/.test(e.message));
  // worker side: garbage put on the queue by someone else, and a job for an evaluator this worker does not run
  const q = new Queue(queueName, { connection: parseRedisUrl(srv.url) });
  await q.add('trial', { trialId: 'x', hello: 'world' }, { jobId: 't-garbage', attempts: 2 });
  await q.add('trial', 'not even an object', { jobId: 't-string', attempts: 2 });
  await d.submit([...good, { ...nb201Request('mf', 9), evaluator: { kind: 'training', options: {} } }]);
  const results = new Map((await collect(d, 4)).map((r) => [r.trialId, r]));
  for (const n of [0, 1, 2]) assert.deepEqual(results.get(`mf:${n}`)?.outcome, { status: 'ok', reward: n, metrics: { call: 1 } });
  const wrongKind = results.get('mf:9')!;
  assert.equal(wrongKind.outcome.status === 'failed' && wrongKind.outcome.error.code, 'JOB_INVALID');
  assert.match(wrongKind.outcome.status === 'failed' ? wrongKind.outcome.error.message : '', /wants evaluator 'training'/);
  // the garbage jobs failed with JOB_INVALID (not retried), the worker kept going
  for (const id of ['t-garbage', 't-string']) {
    const job = await q.getJob(id);
    assert.equal(await job!.getState(), 'failed');
    assert.equal(JSON.parse(job!.failedReason).code, 'JOB_INVALID');
    assert.equal(job!.attemptsMade, 1);
  }
  await q.close();
  await d.close();
  await w.close();
});
