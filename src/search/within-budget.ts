/**
 * Staying within a latency budget when the search priced its candidates with an estimate (a few-shot table,
 * src/profile/fewshot-table.ts): the best candidates by reward are measured on the device one after the other, and
 * the first one measured within the budget is kept, at most CONFIRM_LIMIT measurements (and as many again further
 * down the ranking when all of those were over: confirmWithinBudget). A search steers towards the
 * budget's edge, where an estimate's error decides; a few measurements of the candidates themselves settle it.
 *
 * Fixed on the shared data (bench/fewshot-search.ts calls this function; docs/targets.md): LayerNAS on NB201 under
 * 8 budgets x 20 seeds with a few-shot column (N = 20), against the search on the device's full column.
 */
import { median } from '../core/median.js';

/**
 * candidates measured in the first round (5 reached 92.1% of the bench runs within the true budget, 10 reached 97.1%;
 * chosen after seeing both, then checked on held-out budgets and seeds: docs/targets.md)
 */
export const CONFIRM_LIMIT = 10;

export interface BudgetCheck {
  /** index into the ranked candidates */
  readonly index: number;
  readonly measuredMs: number;
  readonly within: boolean;
}

export interface Confirmed<T> {
  /** the first candidate measured within the budget; when none was, the one measured fastest */
  readonly chosen: T | undefined;
  readonly within: boolean;
  readonly checks: readonly BudgetCheck[];
}

/**
 * Measure `ranked` (best first) in order until one is within `budgetMs`, at most `limit` measurements; `measure`
 * returns the device's latency (ms) of a candidate. When all `limit` best candidates measured over the budget and
 * `predicted` (the estimate the search priced them with) is given, the estimate is biased near the budget: a second
 * round of at most `limit` measurements goes down the rest of the ranking and skips, without measuring, every
 * candidate whose estimate times the median measured/estimated ratio so far is over the budget.
 */
export async function confirmWithinBudget<T>(ranked: readonly T[], measure: (candidate: T) => Promise<number>, budgetMs: number, limit = CONFIRM_LIMIT, predicted?: (candidate: T) => number): Promise<Confirmed<T>> {
  const checks: BudgetCheck[] = [];
  const ratios: number[] = [];
  for (const [index, c] of ranked.entries()) {
    const secondRound = index >= limit;
    if (secondRound && (!predicted || checks.length >= 2 * limit)) break;
    if (secondRound && ratios.length > 0 && (predicted as (candidate: T) => number)(c) * median(ratios) > budgetMs) continue;
    const measuredMs = await measure(c);
    const within = measuredMs <= budgetMs;
    checks.push({ index, measuredMs, within });
    if (within) return { chosen: c, within: true, checks };
    const p = predicted?.(c) ?? 0;
    if (p > 0 && Number.isFinite(measuredMs)) ratios.push(measuredMs / p);
  }
  const fastest = [...checks].sort((a, b) => a.measuredMs - b.measuredMs)[0];
  return { chosen: fastest ? ranked[fastest.index] : undefined, within: false, checks };
}
