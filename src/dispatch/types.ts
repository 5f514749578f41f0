/**
 * Trial dispatch: how the search coordinator gets trials evaluated, independent of where.
 * Implementations: local worker pool (src/dispatch/local-pool.ts) and BullMQ on Redis (src/dispatch/bullmq.ts).
 * The study journal (src/study) stays the single source of truth for what has been evaluated;
 * a dispatcher only moves requests and results and must tolerate duplicate results (keyed by trialId).
 */

import type { FailureReason } from '../core/failure.js';

/** What a worker needs to evaluate one trial. Must be JSON-serialisable (it crosses process and machine boundaries). */
export interface TrialRequest {
  readonly trialId: string;         // unique within a study, e.g. `${studyId}:${number}`
  readonly studyId: string;
  readonly dna: readonly number[];
  /** architecture string (src/arch/grammar.ts formatNetwork) so a worker need not know the search space */
  readonly arch: string;
  /** evaluator configuration, validated by the evaluator's own schema on the worker side */
  readonly evaluator: { readonly kind: string; readonly options: Record<string, unknown> };
  readonly attempt: number;
}

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
