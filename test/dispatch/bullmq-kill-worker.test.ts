/**
 * Real `layernas worker` processes on a real redis-server; one is killed with SIGKILL in the middle of a trial.
 * The trial's lock expires, a surviving worker's stall checker re-queues it, another worker evaluates it, and every
 * trial is delivered exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBullmqDispatcher } from '../../src/dispatch/bullmq.js';
import type { TrialRequest, TrialResult } from '../../src/dispatch/types.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { spawnWorker, stopProcess, type SpawnedWorker } from './bullmq-worker-process.js';

let srv: RedisServerHandle;
before(async () => { srv = await startRedisServer(); });
after(async () => { await srv.stop(); });

function request(n: number): TrialRequest {
  const dna = [n % 5, Math.floor(n / 5) % 5, Math.floor(n / 25) % 5, 4, 3, 2];
  return { trialId: `kw:${n}`, studyId: 'kw', dna, arch: `nb201 ${dna.join('')}`, evaluator: { kind: 'nb201-tabular', options: { dataset: 'cifar100', noiseStd: 0, noiseSeed: 1 } }, attempt: 0 };
}

test('kill -9 a worker mid-trial: the trial is retried on another worker, all trials delivered once', async () => {
  const queueName = 'killworker';
  // short lock so a dead worker is noticed within a few seconds; 300 ms per trial so the kill lands mid-trial
  const flags = ['--queue', queueName, '--evaluator', 'nb201', '--eval-delay-ms', '300', '--lock-ms', '2000', '--stalled-interval-ms', '1000'];
  const workers: SpawnedWorker[] = [0, 1, 2].map(() => spawnWorker(srv.url, flags));
  try {
    await Promise.all(workers.map((w) => w.waitFor(/^ready /)));
    const d = await openBullmqDispatcher({ redisUrl: srv.url, queueName, maxAttempts: 2 });
    const n = 30;
    await d.submit(Array.from({ length: n }, (_, i) => request(i)));
    const victim = workers[0]!;
    // wait until the victim is in the middle of its second trial, then SIGKILL it
    const starts = (): string[] => victim.lines.filter((l) => l.startsWith('start '));
    const deadline = Date.now() + 30_000;
    while (starts().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const secondStart = starts()[1];
    assert.ok(secondStart !== undefined, `victim never started a second trial:\n${victim.lines.join('\n')}`);
    const killedTrial = secondStart.split(' ')[1]!;
    victim.proc.kill('SIGKILL');
    await victim.exited;
    assert.ok(!victim.lines.includes(`done ${killedTrial} `) && !victim.lines.some((l) => l.startsWith(`done ${killedTrial} `)), 'killed before the trial finished');

    const results: TrialResult[] = [];
    const timer = setTimeout(() => { void d.close(); }, 60_000);
    for await (const r of d.results()) {
      results.push(r);
      if (results.length === n) break;
    }
    clearTimeout(timer);
    await d.close();
    assert.equal(results.length, n);
    assert.equal(new Set(results.map((r) => r.trialId)).size, n, 'each trial delivered once');
    assert.ok(results.every((r) => r.outcome.status === 'ok'), JSON.stringify(results.filter((r) => r.outcome.status !== 'ok')));
    const retried = results.find((r) => r.trialId === killedTrial)!;
    assert.equal(retried.attempts, 2, 'the killed trial ran a second time');
    assert.notEqual(retried.worker.split(':')[1], String(victim.proc.pid));
    // across the survivors every trial finished exactly once; the victim's finished ones are not re-run
    const done = workers.flatMap((w) => w.lines.filter((l) => l.startsWith('done ')).map((l) => l.split(' ')[1]!));
    assert.equal(done.length, n);
    assert.equal(new Set(done).size, n);
    const restarted = workers.slice(1).flatMap((w) => w.lines.filter((l) => / attempt 2$/.test(l)).map((l) => l.split(' ')[1]));
    assert.deepEqual(restarted, [killedTrial]);
  } finally {
    await Promise.all(workers.map(stopProcess));
  }
});
