/**
 * TrialDispatcher on a BullMQ queue in Redis. One job per trial, job id derived from the trial id, so submitting a
 * trial that is already queued, running or finished adds nothing (a restarted coordinator re-submits its pending
 * trials and gets finished ones back from Redis without re-running them). Finished jobs are kept in Redis until the
 * queue is cleaned, which is what makes the results durable while the coordinator is down.
 *
 * Results arrive through QueueEvents ('completed' / 'failed' = final failure after all attempts) and, as a safety net
 * for missed events (reconnects), a periodic reconciliation of pending trials. Each trial id is delivered once.
 * Retries: a job has `maxAttempts` attempts in total, counting both thrown errors and crashed workers (stalled jobs,
 * re-queued by BullMQ's stall checker in the surviving workers); see src/worker/trial-worker.ts.
 */
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { LayernasError } from '../core/errors.js';
import { isFinalFailure, reasonOfCode } from '../core/failure.js';
import { resultFromReturnValue, sameTrial, viewJob, type JobView } from './bullmq-job-state.js';
import { jobIdForTrial, parseTrialRequest, trialIdForJob } from './job-schema.js';
import { classifyRedisError, parseRedisUrl, probeRedis, redactRedisUrl, type RedisUrlOptions } from './redis-url.js';
import type { TrialDispatcher, TrialRequest, TrialResult } from './types.js';

export const DEFAULT_QUEUE_NAME = 'layernas-trials';

export interface BullmqDispatcherOptions extends RedisUrlOptions {
  readonly redisUrl: string;
  /** BullMQ queue name shared with the workers (`layernas worker --queue`); default 'layernas-trials' */
  readonly queueName?: string;
  /** total attempts per trial (errors and crashed workers together), default 2 */
  readonly maxAttempts?: number;
  /** how often pending trials are re-read from Redis in case an event was missed, default 3000 ms */
  readonly reconcileIntervalMs?: number;
  readonly log?: (message: string) => void;
}

/** Probe Redis (fails fast with QUEUE_UNREACHABLE / QUEUE_AUTH), then open the queue and its event stream. */
export async function openBullmqDispatcher(options: BullmqDispatcherOptions): Promise<BullmqDispatcher> {
  await probeRedis(options.redisUrl, options);
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(queueName)) throw new LayernasError('USAGE', `queue name '${queueName}' must be 1-100 characters of A-Z a-z 0-9 _ . -`, { queueName });
  const maxAttempts = options.maxAttempts ?? 2;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) throw new LayernasError('USAGE', `maxAttempts must be an integer 1..100, got ${maxAttempts}`, { maxAttempts });
  const connection = parseRedisUrl(options.redisUrl, options);
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  const client = new Redis({ ...connection, lazyConnect: true });
  const d = new BullmqDispatcher(queue, events, client, { maxAttempts, reconcileIntervalMs: options.reconcileIntervalMs ?? 3000, log: options.log ?? (() => {}), where: redactRedisUrl(options.redisUrl) });
  try {
    await d.start();
  } catch (err) {
    await d.close();
    throw classifyRedisError(err, redactRedisUrl(options.redisUrl)) ?? err;
  }
  return d;
}

interface Settings {
  readonly maxAttempts: number;
  readonly reconcileIntervalMs: number;
  readonly log: (message: string) => void;
  readonly where: string;
}

export class BullmqDispatcher implements TrialDispatcher {
  private readonly pending = new Map<string, TrialRequest>();
  private readonly delivered = new Set<string>();
  private readonly ready: TrialResult[] = [];
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private reconciling = false;
  private lastError: unknown;

  /** Use openBullmqDispatcher; the constructor does no I/O. */
  constructor(private readonly queue: Queue, private readonly events: QueueEvents, private readonly client: Redis, private readonly settings: Settings) {}

  /** @internal called by openBullmqDispatcher */
  async start(): Promise<void> {
    this.queue.on('error', (err) => this.noteError(err));
    this.events.on('error', (err) => this.noteError(err));
    this.client.on('error', (err) => this.noteError(err));
    await this.client.connect();
    this.events.on('completed', ({ jobId, returnvalue }) => this.onCompleted(jobId, returnvalue));
    this.events.on('failed', ({ jobId }) => { void this.recheck([jobId]); });
    await this.queue.waitUntilReady();
    await this.events.waitUntilReady();
    this.timer = setInterval(() => { void this.reconcile(); }, this.settings.reconcileIntervalMs);
    this.timer.unref();
  }

  /** Trials submitted and not yet delivered. */
  get pendingCount(): number {
    return this.pending.size;
  }

  async submit(requests: readonly TrialRequest[]): Promise<void> {
    if (this.closed) throw new LayernasError('USAGE', 'submit() on a closed BullmqDispatcher');
    const fresh: TrialRequest[] = [];
    const seen = new Set<string>();
    for (const raw of requests) {
      const req = parseTrialRequest(raw, `for trial ${String((raw as { trialId?: unknown }).trialId)}`);
      if (this.delivered.has(req.trialId) || this.pending.has(req.trialId) || seen.has(req.trialId)) continue;
      seen.add(req.trialId);
      fresh.push(req);
    }
    if (fresh.length === 0) return;
    // Look first: a trial already in Redis (queued, running or finished by an earlier coordinator) is not added again.
    const views = await this.lookUp(fresh);
    const toAdd: TrialRequest[] = [];
    for (let i = 0; i < fresh.length; i++) {
      const req = fresh[i] as TrialRequest;
      const view = views[i]!;
      if (view.kind === 'missing') {
        toAdd.push(req);
      } else if (!sameTrial(view.request, req)) {
        if (view.kind === 'unfinished') {
          throw new LayernasError('STUDY_MISMATCH', `queue already runs a different trial under id '${req.trialId}' (another study with the same id?); use another study id or queue name`, { trialId: req.trialId });
        }
        this.settings.log(`trial ${req.trialId}: queue held a different finished trial under this id; replacing it`);
        await this.queue.remove(jobIdForTrial(req.trialId));
        toAdd.push(req);
      } else if (view.kind === 'finished' && view.result.outcome.status === 'failed' &&
        !isFinalFailure(reasonOfCode(view.result.outcome.error.code, view.result.outcome.error.reason))) {
        // a resumed study asks again for a trial that failed because of the environment (worker crashed, disk full,
        // timeout): train it again instead of handing back the old failure; the candidate's own failure stays
        this.settings.log(`trial ${req.trialId}: failed earlier (${view.result.outcome.error.code}); queued again`);
        await this.queue.remove(jobIdForTrial(req.trialId));
        toAdd.push(req);
      } else {
        this.pending.set(req.trialId, req);
        if (view.kind === 'finished') this.deliver(view.result);
      }
    }
    for (const req of toAdd) this.pending.set(req.trialId, req);
    const opts: JobsOptions = { attempts: this.settings.maxAttempts, removeOnComplete: false, removeOnFail: false };
    try {
      await this.queue.addBulk(toAdd.map((req) => ({ name: 'trial', data: req, opts: { ...opts, jobId: jobIdForTrial(req.trialId) } })));
    } catch (err) {
      for (const req of toAdd) this.pending.delete(req.trialId);
      throw classifyRedisError(err, this.settings.where) ?? err;
    }
  }

  async *results(): AsyncIterable<TrialResult> {
    while (true) {
      const next = this.ready.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.wake?.();
    await Promise.allSettled([this.events.close(), this.queue.close(), this.client.quit()]);
  }

  /** One pipelined EXISTS for the batch; only trials already in Redis are read in full. */
  private async lookUp(requests: readonly TrialRequest[]): Promise<JobView[]> {
    const pipe = this.client.pipeline();
    for (const r of requests) pipe.exists(this.queue.toKey(jobIdForTrial(r.trialId)));
    const replies = (await pipe.exec()) ?? [];
    return await Promise.all(requests.map(async (r, i) => {
      const [err, exists] = replies[i] ?? [new Error('no reply'), 0];
      if (err === null && exists === 0) return { kind: 'missing' } as const;
      return await viewJob(this.queue, jobIdForTrial(r.trialId), r.trialId);
    }));
  }

  /** Last Redis error seen by the background connections (they reconnect on their own). */
  get lastConnectionError(): unknown {
    return this.lastError;
  }

  private noteError(err: unknown): void {
    this.lastError = err;
    this.settings.log(`redis: ${err instanceof Error ? err.message : String(err)}`);
  }

  private onCompleted(jobId: string, returnvalue: unknown): void {
    let trialId: string;
    try {
      trialId = trialIdForJob(jobId);
    } catch {
      return; // not one of ours
    }
    if (!this.pending.has(trialId)) return;
    // attempts and duration are in the worker's result; the fallback only matters for a malformed one
    this.deliver(resultFromReturnValue(trialId, returnvalue, { attempts: 1, durationMs: 0 }));
  }

  private deliver(result: TrialResult): void {
    if (!this.pending.has(result.trialId) || this.delivered.has(result.trialId)) return;
    this.pending.delete(result.trialId);
    this.delivered.add(result.trialId);
    this.ready.push(result);
    this.wake?.();
  }

  private async recheck(jobIds: readonly string[]): Promise<void> {
    for (const jobId of jobIds) {
      let trialId: string;
      try {
        trialId = trialIdForJob(jobId);
      } catch {
        continue;
      }
      const req = this.pending.get(trialId);
      if (req === undefined) continue;
      try {
        const view = await viewJob(this.queue, jobId, trialId);
        if (view.kind === 'finished') this.deliver(view.result);
        else if (view.kind === 'missing' && !this.closed) {
          // removed behind our back (queue cleaned): queue it again rather than wait forever
          this.settings.log(`trial ${trialId}: job disappeared from Redis; re-queuing it`);
          await this.queue.add('trial', req, { attempts: this.settings.maxAttempts, removeOnComplete: false, removeOnFail: false, jobId });
        }
      } catch (err) {
        if (this.closed) return;
        this.noteError(err);
      }
    }
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling || this.closed || this.pending.size === 0) return;
    this.reconciling = true;
    try {
      const ids = [...this.pending.keys()].map(jobIdForTrial);
      for (let i = 0; i < ids.length && !this.closed; i += 100) {
        await Promise.all(ids.slice(i, i + 100).map((id) => this.recheck([id])));
      }
    } finally {
      this.reconciling = false;
    }
  }
}

