/**
 * Evaluators turn a proposed architecture into a reward (plus metrics). The study calls them; search algorithms never do.
 * `kind` + `options` are what a remote worker needs to build the same evaluator (TrialRequest.evaluator in
 * src/dispatch/types.ts), so they must be JSON-serialisable.
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
