/**
 * Issue 19 item 1 through the queue: a resumed study (a new coordinator) that asks again for a trial whose job failed
 * because of the environment gets it trained again, not the old failure back from Redis; a trial that failed for the
 * candidate's own reason (SPEC_INVALID) is handed back as it was. Real redis-server, in-process trial worker.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LayernasError } from '../../src/core/errors.js';
import { openBullmqDispatcher, type BullmqDispatcher } from '../../src/dispatch/bullmq.js';
import type { TrialRequest, TrialResult } from '../../src/dispatch/types.js';
import type { WorkerEvaluator } from '../../src/eval/worker-evaluators.js';
import { startTrialWorker } from '../../src/worker/trial-worker.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';

let srv: RedisServerHandle;
before(async () => { srv = await startRedisServer(); });
after(async () => { await srv.stop(); });

const req = (n: number): TrialRequest => ({ trialId: `s:${n}`, studyId: 's', dna: [n], arch: `a${n}`, evaluator: { kind: 'env', options: {} }, attempt: 1 });

async function results(d: BullmqDispatcher, n: number): Promise<Map<string, TrialResult>> {
  const out = new Map<string, TrialResult>();
  const timer = setTimeout(() => { void d.close(); }, 20_000);
  for await (const r of d.results()) {
    out.set(r.trialId, r);
    if (out.size === n) break;
  }
  clearTimeout(timer);
  return out;
}

test('a resumed study gets an environment failure trained again; the candidate\'s own failure is handed back', async () => {
  let diskFull = true;
  const calls = new Map<string, number>();
  const evaluator: WorkerEvaluator = {
    kind: 'env',
    evaluate: async (r) => {
      calls.set(r.trialId, (calls.get(r.trialId) ?? 0) + 1);
      if (r.trialId === 's:1') throw new LayernasError('SPEC_INVALID', 'kernel 4 is not allowed');
      if (diskFull) throw new LayernasError('TRAINER_FAILED', 'No space left on device', { reason: 'disk-full' });
      return { reward: 0.5, metrics: {} };
    },
  };
  const w = await startTrialWorker({ redisUrl: srv.url, queueName: 'resume', evaluator });
  try {
    const d1 = await openBullmqDispatcher({ redisUrl: srv.url, queueName: 'resume', maxAttempts: 1 });
    await d1.submit([req(0), req(1)]);
    const first = await results(d1, 2);
    await d1.close();
    const f0 = first.get('s:0')?.outcome;
    assert.ok(f0?.status === 'failed' && f0.error.reason === 'disk-full', JSON.stringify(f0));
    diskFull = false; // the user freed space; the same study resumes
    const d2 = await openBullmqDispatcher({ redisUrl: srv.url, queueName: 'resume', maxAttempts: 1 });
    await d2.submit([req(0), req(1)]);
    const second = await results(d2, 2);
    await d2.close();
    assert.deepEqual(second.get('s:0')?.outcome, { status: 'ok', reward: 0.5, metrics: {} });
    assert.equal(calls.get('s:0'), 2);
    const f1 = second.get('s:1')?.outcome;
    assert.ok(f1?.status === 'failed' && f1.error.reason === 'candidate');
    assert.equal(calls.get('s:1'), 1, 'the candidate failure is not retried');
  } finally {
    await w.close(true);
  }
});
