/**
 * Trial dispatch: how the search coordinator gets trials evaluated, independent of where.
 * Implementations: local worker pool (src/dispatch/local-pool.ts) and BullMQ on Redis (src/dispatch/bullmq.ts).
 * The study journal (src/study) stays the single source of truth for what has been evaluated;
 * a dispatcher only moves requests and results and must tolerate duplicate results (keyed by trialId).
 */

/** What a worker needs to evaluate one trial: defined with the evaluators (src/eval/types.ts), which read it. */
import type { FailureReason } from '../core/failure.js';
import type { TrialRequest } from '../eval/types.js';

export type { TrialRequest };

export type TrialOutcome =
  | { readonly status: 'ok'; readonly reward: number; readonly metrics: Record<string, number>; readonly artifacts?: Record<string, string> }
  | { readonly status: 'failed'; readonly error: { readonly code: string; readonly message: string; readonly stderrTail?: string; readonly reason?: FailureReason } };

export interface TrialResult {
  readonly trialId: string;
  readonly attempts: number;
  readonly durationMs: number;
  readonly worker: string;
  readonly outcome: TrialOutcome;
}

export interface TrialDispatcher {
  /** Queue trials for evaluation. Never awaits training. */
  submit(requests: readonly TrialRequest[]): Promise<void>;
  /** Results in completion order; each trialId appears once (duplicates are dropped). */
  results(): AsyncIterable<TrialResult>;
  close(): Promise<void>;
}
