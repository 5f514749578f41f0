/**
 * Evaluators turn a proposed architecture into a reward (plus metrics). The study calls them; search algorithms never do.
 * `kind` + `options` are what a remote worker needs to build the same evaluator (TrialRequest.evaluator below), so they must be JSON-serialisable.
 */
import type { Dna } from '../space/types.js';

export interface EvalRequest {
  readonly trialNumber: number;
  readonly dna: Dna;
  /** architecture string (src/space/decode.ts) */
  readonly arch: string;
}

export interface EvalResult {
  /** what the search maximises (e.g. validation accuracy, or tabular test accuracy plus optional noise) */
  readonly reward: number;
  /** reported numbers, e.g. test_acc; never used by the search */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface Evaluator {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
  evaluate(request: EvalRequest): Promise<EvalResult>;
}

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

/** What a worker-side evaluator returns for one trial. */
export interface WorkerEvaluation {
  readonly reward: number;
  readonly metrics: Record<string, number>;
  readonly artifacts?: Record<string, string>;
}

/** Evaluates one trial request on a worker (BullMQ worker or local pool process). */
export interface WorkerEvaluator {
  /** must equal TrialRequest.evaluator.kind of the jobs this worker accepts */
  readonly kind: string;
  evaluate(request: TrialRequest, signal: AbortSignal): Promise<WorkerEvaluation>;
}
