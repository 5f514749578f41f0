/**
 * Dispatch cost through Redis (BullMQ) with a no-op evaluator, all on 127.0.0.1:
 *  1. per-trial overhead: one trial at a time, submit -> result back at the coordinator (median, p90, p99);
 *  2. throughput: a batch of trials drained by 1, 2 and 4 `layernas worker` processes (trials/s).
 * Starts its own redis-server (Debian package) on a free loopback port.
 *
 *  3. the same with a simulated 50 ms evaluation (worker --eval-delay-ms), where adding workers should add throughput.
 *
 *   npx tsx bench/dispatch-overhead.ts [--trials 300] [--batch 2000] [--workers 1,2,4] [--concurrency 1] [--delay-ms 50] [--delay-batch 400]
 */
import { openBullmqDispatcher } from '../src/dispatch/bullmq.js';
import type { TrialDispatcher, TrialRequest } from '../src/dispatch/types.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { spawnWorker, stopProcess } from '../test/dispatch/bullmq-worker-process.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
const sequentialTrials = Number(arg('trials', '300'));
const noopBatch = Number(arg('batch', '2000'));
const workerCounts = arg('workers', '1,2,4').split(',').map(Number);
const concurrency = arg('concurrency', '1');
const delayMs = Number(arg('delay-ms', '50'));
const delayBatch = Number(arg('delay-batch', '400'));

function noopRequest(study: string, n: number): TrialRequest {
  return { trialId: `${study}:${n}`, studyId: study, dna: [n % 5, 0, 0, 0, 0, 0], arch: 'noop', evaluator: { kind: 'noop', options: {} }, attempt: 0 };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function nextResult(it: AsyncIterator<unknown>): Promise<void> {
  const r = await it.next();
  if (r.done === true) throw new Error('results ended early');
}

const srv = await startRedisServer();
console.log(`redis-server ${srv.url} (pid ${srv.pid}); node ${process.version}; machine shared with other work, figures are noisy`);
try {
  // 1. sequential round trips through one worker process
  {
    const queueName = 'bench-latency';
    const w = spawnWorker(srv.url, ['--queue', queueName, '--evaluator', 'noop', '--quiet']);
    await w.waitFor(/^ready /, 60_000);
    const d: TrialDispatcher = await openBullmqDispatcher({ redisUrl: srv.url, queueName });
    const it = d.results()[Symbol.asyncIterator]();
    for (let i = 0; i < 20; i++) { await d.submit([noopRequest('warm', i)]); await nextResult(it); }
    const ms: number[] = [];
    for (let i = 0; i < sequentialTrials; i++) {
      const t0 = performance.now();
      await d.submit([noopRequest('lat', i)]);
      await nextResult(it);
      ms.push(performance.now() - t0);
    }
    await d.close();
    await stopProcess(w);
    ms.sort((a, b) => a - b);
    console.log(`per-trial dispatch overhead (submit -> result, 1 worker, no-op evaluator, n=${ms.length}): median ${quantile(ms, 0.5).toFixed(2)} ms, p90 ${quantile(ms, 0.9).toFixed(2)} ms, p99 ${quantile(ms, 0.99).toFixed(2)} ms, max ${(ms[ms.length - 1] as number).toFixed(2)} ms`);
  }
  // 2./3. throughput with N worker processes, no-op evaluation and simulated evaluation time
  for (const [delay, batch] of [[0, noopBatch], [delayMs, delayBatch]] as const) for (const n of workerCounts) {
    const queueName = `bench-throughput-${n}-${delay}`;
    const ws = Array.from({ length: n }, () => spawnWorker(srv.url, ['--queue', queueName, '--evaluator', 'noop', '--concurrency', concurrency, '--eval-delay-ms', String(delay)]));
    await Promise.all(ws.map((w) => w.waitFor(/^ready /, 60_000)));
    const d = await openBullmqDispatcher({ redisUrl: srv.url, queueName });
    const it = d.results()[Symbol.asyncIterator]();
    const t0 = performance.now();
    await d.submit(Array.from({ length: batch }, (_, i) => noopRequest(`tp${n}-${delay}`, i)));
    const tSubmitted = performance.now();
    for (let i = 0; i < batch; i++) await nextResult(it);
    const t1 = performance.now();
    await d.close();
    const perWorker = ws.map((w) => w.lines.filter((l) => l.startsWith('done ')).length);
    await Promise.all(ws.map(stopProcess));
    console.log(`throughput, evaluation ${delay} ms, ${n} worker process(es) x concurrency ${concurrency}: ${batch} trials in ${((t1 - t0) / 1000).toFixed(2)} s = ${(batch / ((t1 - t0) / 1000)).toFixed(0)} trials/s (enqueue ${(tSubmitted - t0).toFixed(0)} ms; per worker ${perWorker.join('/')})`);
  }
} finally {
  await srv.stop();
}
