/**
 * Costs known before training, seen by the search as functions of a DNA.
 * Besides the cost itself, a model gives the cheapest and dearest completion of a partly fixed DNA
 * (layers [0, fixed) fixed, the rest free) so searches can prune children that can no longer reach the target range.
 * For additive costs the bounds are exact sums; for tabular per-architecture costs they come from the table.
 */
import type { Dna } from '../space/types.js';

export type CostMetric = 'latency_ms' | 'madds' | 'params';

export interface CostRange {
  readonly min: number;
  readonly max: number;
}

export interface CostModel {
  readonly metric: CostMetric;
  /** e.g. `latency:pixel3`, `params`, `madds` */
  readonly name: string;
  cost(dna: Dna): number;
  /** min/max of cost over all DNAs that equal `dna` on layers [0, fixed). fixed = 0: the whole space. */
  completionBounds(dna: Dna, fixed: number): CostRange;
}

/** A target range on one cost: feasible iff low <= cost <= high. */
export interface CostConstraint {
  readonly model: CostModel;
  readonly low: number;
  readonly high: number;
}
