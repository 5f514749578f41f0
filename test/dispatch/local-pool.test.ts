import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalPool, type PoolEvent } from '../../src/dispatch/local-pool.js';
import type { TrialRequest, TrialResult } from '../../src/dispatch/types.js';

const req = (i: number, kind = 'noop'): TrialRequest => ({
  trialId: `s:${i}`, studyId: 's', dna: [i], arch: 'x', evaluator: { kind, options: {} }, attempt: 1,
});

async function collect(pool: LocalPool, n: number): Promise<TrialResult[]> {
  const out: TrialResult[] = [];
  for await (const r of pool.results()) {
    out.push(r);
    if (out.length === n) break;
  }
  return out;
}

test('local pool: every trial yields exactly one result, spread over 2 workers', { timeout: 120_000 }, async () => {
  const pool = await LocalPool.start({ evaluator: { evaluator: { kind: 'noop' }, delayMs: 200 }, workers: 2, trialTimeoutMs: 60_000 });
  try {
    await pool.submit([0, 1, 2, 3, 4, 5].map((i) => req(i)));
    const results = await collect(pool, 6);
    assert.deepEqual(results.map((r) => r.trialId).sort(), ['s:0', 's:1', 's:2', 's:3', 's:4', 's:5']);
    assert.ok(results.every((r) => r.outcome.status === 'ok' && r.attempts === 1));
    assert.equal(new Set(results.map((r) => r.worker)).size, 2);
  } finally {
    await pool.close();
  }
});

test('local pool: killing a worker mid-trial retries the trial and the study continues', { timeout: 120_000 }, async () => {
  const events: PoolEvent[] = [];
  let killed = false;
  const pool = await LocalPool.start({
    evaluator: { evaluator: { kind: 'noop' }, delayMs: 1500 }, workers: 2, trialTimeoutMs: 60_000,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'start' && e.trialId === 's:1' && !killed) {
        killed = true;
        setTimeout(() => process.kill(e.pid, 'SIGKILL'), 300); // mid-trial
      }
    },
  });
  try {
    await pool.submit([0, 1, 2, 3].map((i) => req(i)));
    const results = await collect(pool, 4);
    const byId = new Map(results.map((r) => [r.trialId, r]));
    assert.equal(byId.size, 4, 'no trial dropped or duplicated');
    const t1 = byId.get('s:1') as TrialResult;
    assert.equal(t1.outcome.status, 'ok');
    assert.equal(t1.attempts, 2, 'the killed trial ran a second time');
    assert.ok(events.some((e) => e.type === 'crash' && e.trialId === 's:1' && e.signal === 'SIGKILL'));
    assert.ok(events.some((e) => e.type === 'retry' && e.trialId === 's:1'));
    assert.ok([...byId.values()].every((r) => r.outcome.status === 'ok'));
  } finally {
    await pool.close();
  }
});

test('local pool: a trial over its timeout is retried once, then recorded failed with TRIAL_TIMEOUT', { timeout: 120_000 }, async () => {
  const pool = await LocalPool.start({ evaluator: { evaluator: { kind: 'noop' }, delayMs: 5000 }, workers: 1, trialTimeoutMs: 400 });
  try {
    await pool.submit([req(7)]);
    const [r] = await collect(pool, 1);
    assert.ok(r);
    assert.equal(r.attempts, 2);
    assert.equal(r.outcome.status, 'failed');
    if (r.outcome.status === 'failed') assert.equal(r.outcome.error.code, 'TRIAL_TIMEOUT');
  } finally {
    await pool.close();
  }
});

test('local pool: bad trial options are not retried and come back with their error', { timeout: 120_000 }, async () => {
  const pool = await LocalPool.start({
    evaluator: { evaluator: { kind: 'training', config: { trainer: { kind: 'tfjs', backend: 'cpu' }, outputRoot: '/tmp/layernas-pool-test' } }, delayMs: 0 },
    workers: 1, trialTimeoutMs: 60_000,
  });
  try {
    await pool.submit([{ ...req(9, 'training'), evaluator: { kind: 'training', options: { dataset: 'fashion-mnist', setting: 'turbo' } } }]);
    const [r] = await collect(pool, 1);
    assert.ok(r && r.outcome.status === 'failed');
    if (r.outcome.status === 'failed') assert.equal(r.outcome.error.code, 'JOB_INVALID');
    assert.equal(r.attempts, 1);
  } finally {
    await pool.close();
  }
});
