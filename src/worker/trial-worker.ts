/**
 * The worker side of BullMQ dispatch: pulls trial jobs, validates them, evaluates with the worker's own evaluator and
 * returns a validated TrialResult as the job's return value (the coordinator reads it from Redis).
 *
 * Attempts: a job's `opts.attempts` (set by the coordinator) bounds failed attempts AND crashed ones. A worker killed
 * mid-trial leaves its job locked until the lock expires; the stall checker of any live worker then moves it back to
 * the wait list and bumps its stalled counter. Before running, a worker checks attemptsMade + stalledCounter against
 * the limit and fails the trial with WORKER_CRASHED when it is used up.
 * Bad-input errors (JOB_INVALID, bad specs) are not retried; runtime failures (trainer crashed, timeout) are.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { exitCodeFor, isLayernasError, LayernasError } from '../core/errors.js';
import { attemptsUsed } from '../dispatch/bullmq-job-state.js';
import { DEFAULT_QUEUE_NAME } from '../dispatch/bullmq.js';
import { encodeJobError, parseTrialRequest, parseTrialResult, type JobError } from '../dispatch/job-schema.js';
import { classifyRedisError, parseRedisUrl, probeRedis, redactRedisUrl, type RedisUrlOptions } from '../dispatch/redis-url.js';
import type { TrialResult } from '../dispatch/types.js';
import { failureReason } from '../core/failure.js';
import type { WorkerEvaluator } from '../eval/worker-evaluators.js';

export interface TrialWorkerOptions extends RedisUrlOptions {
  readonly redisUrl: string;
  readonly queueName?: string;
  readonly concurrency?: number;
  readonly evaluator: WorkerEvaluator;
  /** how long a job stays locked without renewal before it counts as crashed (default 30 s) */
  readonly lockDurationMs?: number;
  /** how often this worker looks for crashed jobs of other workers (default 15 s) */
  readonly stalledIntervalMs?: number;
  /** name in results and logs (default host:pid) */
  readonly name?: string;
  /** progress lines ("start <trial> attempt <n>", "done <trial> ...") */
  readonly log?: (line: string) => void;
}

export interface TrialWorkerHandle {
  readonly name: string;
  /** trials this worker finished (ok or failed) */
  readonly processed: number;
  /** trials running now */
  readonly running: number;
  /** stop taking jobs, wait for running ones (or abort them when `force`) */
  close(force?: boolean): Promise<void>;
}

function toJobError(err: unknown): JobError {
  const reason = failureReason(err);
  if (isLayernasError(err)) {
    const stderrTail = typeof err.details.stderrTail === 'string' ? err.details.stderrTail : undefined;
    return stderrTail === undefined ? { code: err.code, message: err.message, reason } : { code: err.code, message: err.message, stderrTail, reason };
  }
  return { code: 'WORKER_FAILED', message: err instanceof Error ? err.message : String(err), reason };
}

export async function startTrialWorker(options: TrialWorkerOptions): Promise<TrialWorkerHandle> {
  await probeRedis(options.redisUrl, options);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => {});
  const evaluator = options.evaluator;
  const abort = new AbortController();
  let processed = 0;
  let running = 0;
  let onIdle: (() => void) | undefined;

  const processor = async (job: Job): Promise<TrialResult> => {
    running++;
    try {
      return await processJob(job);
    } finally {
      running--;
      if (running === 0) onIdle?.();
    }
  };

  const processJob = async (job: Job): Promise<TrialResult> => {
    const started = Date.now();
    const limit = job.opts.attempts ?? 1;
    const used = attemptsUsed(job);
    const jobName = job.id ?? '?';
    if (used >= limit) {
      log(`give-up ${jobName} after ${used} attempts`);
      throw new UnrecoverableError(encodeJobError({ code: 'WORKER_CRASHED', message: `trial job ${jobName}: ${job.stalledCounter} worker(s) died while running it and ${job.attemptsMade} attempt(s) failed; limit is ${limit} attempts` }));
    }
    let request;
    try {
      request = parseTrialRequest(job.data, `${jobName} (worker ${name})`);
      if (request.evaluator.kind !== evaluator.kind) {
        throw new LayernasError('JOB_INVALID', `trial ${request.trialId} wants evaluator '${request.evaluator.kind}' but worker ${name} runs '${evaluator.kind}'`, { trialId: request.trialId });
      }
    } catch (err) {
      log(`invalid ${jobName}: ${(err as Error).message}`);
      throw new UnrecoverableError(encodeJobError(toJobError(err)));
    }
    log(`start ${request.trialId} attempt ${used + 1}`);
    try {
      // the evaluator sees the real attempt number (output directories per attempt), not the coordinator's guess
      const r = await evaluator.evaluate({ ...request, attempt: used + 1 }, abort.signal);
      const outcome = r.artifacts === undefined
        ? { status: 'ok' as const, reward: r.reward, metrics: r.metrics }
        : { status: 'ok' as const, reward: r.reward, metrics: r.metrics, artifacts: r.artifacts };
      const result = parseTrialResult({ trialId: request.trialId, attempts: used + 1, durationMs: Date.now() - started, worker: name, outcome }, `of trial ${request.trialId} from worker ${name}`);
      processed++;
      log(`done ${request.trialId} reward ${r.reward}`);
      return result;
    } catch (err) {
      const e = toJobError(err);
      const retryable = !(isLayernasError(err) && exitCodeFor(err) === 2);
      log(`fail ${request.trialId} ${e.code}: ${e.message}`);
      if (!retryable || used + 1 >= limit) processed++;
      throw retryable ? new Error(encodeJobError(e)) : new UnrecoverableError(encodeJobError(e));
    }
  };

  const connection = parseRedisUrl(options.redisUrl, options);
  const worker = new Worker(options.queueName ?? DEFAULT_QUEUE_NAME, processor, {
    connection,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 15_000,
    // crashes are counted against the job's own attempts in the processor above, not by BullMQ's stall limit
    maxStalledCount: 1000,
    autorun: false,
    name,
  });
  worker.on('error', (err) => {
    const e = classifyRedisError(err, redactRedisUrl(options.redisUrl));
    log(`redis error: ${(e ?? err).message}`);
  });
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await worker.close(true);
    throw classifyRedisError(err, redactRedisUrl(options.redisUrl)) ?? err;
  }
  void worker.run().catch((err: unknown) => log(`worker loop stopped: ${(err as Error).message}`));

  return {
    name,
    get processed() {
      return processed;
    },
    get running() {
      return running;
    },
    async close(force = false): Promise<void> {
      if (force) abort.abort(new Error('worker shutting down'));
      const closing = worker.close(force).catch((err: unknown) => log(`close: ${(err as Error).message}`));
      // running trials end (aborted ones within a training step); then a Redis that went away must not hold the
      // shutdown forever: BullMQ's close waits for its connections, so it gets a bounded grace period
      if (running > 0) await new Promise<void>((r) => { onIdle = r; });
      await Promise.race([closing, new Promise<void>((r) => setTimeout(r, force ? 1000 : 5000).unref())]);
    },
  };
}
