/**
 * TrialDispatcher on local worker processes (child_process.fork): one per core by default, a per-trial timeout,
 * a crashed, timed-out or failed trial retried (once by default) and then recorded as failed with its error.
 * Every submitted trial yields exactly one result; none is dropped.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { LayernasError } from '../core/errors.js';
import { runningFromSources, siblingModule } from '../core/locations.js';
import type { PoolEvaluatorConfig } from './local-pool-evaluators.js';
import type { TrialMessage, WorkerMessage } from './local-pool-worker.js';
import type { TrialDispatcher, TrialOutcome, TrialRequest, TrialResult } from './types.js';

export interface LocalPoolOptions {
  readonly evaluator: PoolEvaluatorConfig;
  /** worker processes (default: one per core) */
  readonly workers?: number;
  readonly trialTimeoutMs: number;
  /** attempts per trial including the first (default 2: retried once) */
  readonly maxAttempts?: number;
  /** errors not worth retrying (bad input); default JOB_INVALID, SPEC_PARSE, SPEC_INVALID, DATASET_MISSING, DATASET_INVALID */
  readonly noRetryCodes?: readonly string[];
  /** observer of worker lifecycle events (tests, logs) */
  readonly onEvent?: (e: PoolEvent) => void;
}

export type PoolEvent =
  | { readonly type: 'start'; readonly worker: string; readonly trialId: string; readonly attempt: number; readonly pid: number }
  | { readonly type: 'crash'; readonly worker: string; readonly trialId?: string; readonly code: number | null; readonly signal: string | null }
  | { readonly type: 'retry'; readonly trialId: string; readonly attempt: number; readonly error: string };

interface Slot {
  readonly name: string;
  child: ChildProcess;
  ready: boolean;
  busy?: { request: TrialRequest; attempt: number; started: number; timer: NodeJS.Timeout; firstStart: number };
  stderr: string;
}

const WORKER_ENTRY = siblingModule(import.meta.url, 'local-pool-worker');
const DEFAULT_NO_RETRY = ['JOB_INVALID', 'SPEC_PARSE', 'SPEC_INVALID', 'DATASET_MISSING', 'DATASET_INVALID', 'USAGE'];

export class LocalPool implements TrialDispatcher {
  private readonly slots: Slot[] = [];
  private readonly queue: { request: TrialRequest; attempt: number; firstStart?: number }[] = [];
  private readonly done: TrialResult[] = [];
  private readonly seen = new Set<string>();
  private waiter: (() => void) | undefined;
  private closed = false;

  private constructor(private readonly o: LocalPoolOptions) {}

  /** Fork the workers and return the pool. */
  static async start(o: LocalPoolOptions): Promise<LocalPool> {
    const pool = new LocalPool(o);
    const n = o.workers ?? availableParallelism();
    if (n < 1) throw new LayernasError('USAGE', `a local pool needs at least 1 worker (got ${n})`);
    for (let i = 0; i < n; i++) pool.slots.push(pool.spawn(`local-${i}`));
    return pool;
  }

  get workerPids(): number[] {
    return this.slots.map((s) => s.child.pid ?? -1);
  }

  private spawn(name: string): Slot {
    const slot = { name, ready: false, stderr: '' } as Slot;
    this.launch(slot);
    return slot;
  }

  /** (Re)start the slot's worker process. */
  private launch(slot: Slot): void {
    const execArgv = !runningFromSources(import.meta.url) || process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : [...process.execArgv, '--import', 'tsx'];
    const child = fork(WORKER_ENTRY, [JSON.stringify(this.o.evaluator)], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    slot.child = child;
    slot.ready = false;
    slot.stderr = '';
    child.stderr?.on('data', (d: Buffer) => { slot.stderr = (slot.stderr + d.toString()).slice(-4000); });
    child.on('message', (m: WorkerMessage) => this.onMessage(slot, m));
    child.on('exit', (code, signal) => this.onExit(slot, child, code, signal));
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    if (m.type === 'ready') {
      slot.ready = true;
      this.pump();
      return;
    }
    const busy = slot.busy;
    if (!busy || busy.request.trialId !== m.trialId) return;
    clearTimeout(busy.timer);
    slot.busy = undefined;
    if (m.outcome.status === 'failed') this.attemptFailed(busy, slot, m.outcome);
    else this.finish(busy, slot, m.outcome);
    this.pump();
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    const busy = slot.busy;
    this.o.onEvent?.({ type: 'crash', worker: slot.name, ...(busy ? { trialId: busy.request.trialId } : {}), code, signal });
    if (this.closed) return;
    if (busy) {
      clearTimeout(busy.timer);
      slot.busy = undefined;
      this.attemptFailed(busy, slot, {
        status: 'failed',
        error: { code: 'WORKER_CRASHED', message: `worker ${slot.name} (pid ${child.pid}) died during trial ${busy.request.trialId} (${signal ?? `exit ${code}`})`, stderrTail: slot.stderr },
      });
    }
    this.launch(slot);
  }

  private attemptFailed(busy: NonNullable<Slot['busy']>, slot: Slot, outcome: Extract<TrialOutcome, { status: 'failed' }>): void {
    const max = this.o.maxAttempts ?? 2;
    const noRetry = (this.o.noRetryCodes ?? DEFAULT_NO_RETRY).includes(outcome.error.code);
    if (busy.attempt < max && !noRetry && !this.closed) {
      this.o.onEvent?.({ type: 'retry', trialId: busy.request.trialId, attempt: busy.attempt + 1, error: outcome.error.message });
      this.queue.unshift({ request: busy.request, attempt: busy.attempt + 1, firstStart: busy.firstStart });
      return;
    }
    this.finish(busy, slot, outcome);
  }

  private finish(busy: NonNullable<Slot['busy']>, slot: Slot, outcome: TrialOutcome): void {
    if (this.seen.has(busy.request.trialId)) return;
    this.seen.add(busy.request.trialId);
    this.done.push({ trialId: busy.request.trialId, attempts: busy.attempt, durationMs: Date.now() - busy.firstStart, worker: slot.name, outcome });
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (!slot.ready || slot.busy || this.queue.length === 0) continue;
      const next = this.queue.shift() as { request: TrialRequest; attempt: number; firstStart?: number };
      const now = Date.now();
      const timer = setTimeout(() => this.onTimeout(slot), this.o.trialTimeoutMs);
      slot.busy = { request: next.request, attempt: next.attempt, started: now, firstStart: next.firstStart ?? now, timer };
      this.o.onEvent?.({ type: 'start', worker: slot.name, trialId: next.request.trialId, attempt: next.attempt, pid: slot.child.pid ?? -1 });
      const msg: TrialMessage = { type: 'trial', request: { ...next.request, attempt: next.attempt } };
      slot.child.send(msg);
    }
  }

  private onTimeout(slot: Slot): void {
    const busy = slot.busy;
    if (!busy) return;
    slot.busy = undefined;
    this.attemptFailed(busy, slot, {
      status: 'failed',
      error: { code: 'TRIAL_TIMEOUT', message: `trial ${busy.request.trialId} exceeded ${this.o.trialTimeoutMs} ms on worker ${slot.name}`, stderrTail: slot.stderr },
    });
    slot.child.kill('SIGKILL'); // onExit replaces the worker (busy already cleared)
  }

  async submit(requests: readonly TrialRequest[]): Promise<void> {
    if (this.closed) throw new LayernasError('USAGE', 'submit on a closed local pool');
    for (const r of requests) this.queue.push({ request: r, attempt: Math.max(1, r.attempt) });
    this.pump();
  }

  async *results(): AsyncIterable<TrialResult> {
    while (true) {
      const r = this.done.shift();
      if (r) {
        yield r;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => { this.waiter = resolve; });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots) {
      if (s.busy) clearTimeout(s.busy.timer);
      s.child.kill('SIGKILL');
    }
    this.wake();
  }
}
