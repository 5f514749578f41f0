/**
 * The LayerNAS setting rule, fixed in advance and used for every problem (documented in docs/search.md):
 *  1. Base model: rank each layer's options by their mean primary cost over 64 random contexts (fixed seed); for a
 *     level q in {0, 1/m, ..., 1} (m = largest option count - 1) take in every layer the option at rank
 *     round(q * (n_l - 1)). The base is the dearest such level that is trainable (meets every constraint and is not
 *     degenerate, e.g. not a disconnected NB201 cell); if none is, the nearest trainable model to the dearest level.
 *  2. H and K: walk a fixed ladder of (H, K) pairs and take the largest whose layer pass, in a dry run (cost-only, a
 *     fixed pseudo-random reward per architecture, no evaluation), uses at most LAYER_PASS_SHARE (1/5) of the trial
 *     budget. The rest of the budget polishes the leaders (src/search/layernas.ts).
 * Chosen on a development split (Pixel 3, Raspberry Pi 4, Pixel 2 at 10/20/35 % of each device's maximum), before the
 * 36-problem nb201-latency suite was run.
 */
import { Rng } from '../core/rng.js';
import type { CostModel } from '../cost/types.js';
import { dnaHash } from '../space/types.js';
import type { Dna } from '../space/types.js';
import type { Constraints } from './constraints.js';
import { LayerNas, type LayerNasSettings } from './layernas.js';
import { nearestFeasible, trainable } from './repair.js';

/** share of the trial budget the layer pass may use; the rest goes to polishing the leaders */
export const LAYER_PASS_SHARE = 0.2;

export const HK_LADDER: readonly (readonly [number, number])[] = [
  [2, 1], [3, 1], [5, 1], [8, 1], [10, 1], [10, 2], [15, 2], [20, 2], [20, 3], [30, 3], [40, 3], [50, 3], [50, 4], [60, 5], [80, 5], [100, 6],
];

/** Levels of the base-option rule, cheapest first: levels[j][layer] = option index. */
export function baseLevels(constraints: Constraints, primary: CostModel | undefined): number[][] {
  const radix = constraints.space.radix;
  const rng = new Rng(0x5eed);
  const contexts = Array.from({ length: 64 }, () => radix.map((r) => rng.int(r)));
  const ranked = radix.map((r, l) => {
    const opts = Array.from({ length: r }, (_, o) => o);
    if (!primary) return opts;
    const mean = opts.map((o) => contexts.reduce((s, ctx) => s + primary.cost(ctx.map((v, j) => (j === l ? o : v))), 0) / contexts.length);
    return opts.sort((a, b) => (mean[a] as number) - (mean[b] as number) || a - b);
  });
  const m = Math.max(...radix) - 1;
  return Array.from({ length: m + 1 }, (_, j) => ranked.map((opts) => opts[Math.round((m === 0 ? 0 : j / m) * (opts.length - 1))] as number));
}

export function chooseBase(constraints: Constraints, primary: CostModel | undefined): number[] {
  const levels = baseLevels(constraints, primary);
  for (let j = levels.length - 1; j >= 0; j--) if (trainable(constraints, levels[j] as Dna)) return levels[j] as number[];
  return nearestFeasible(constraints, levels[levels.length - 1] as Dna, 0, primary) ?? (levels[0] as number[]);
}

/** Number of evaluations LayerNAS makes with these settings, from a cost-only dry run. */
export function dryRunTrials(constraints: Constraints, settings: LayerNasSettings, cap = Infinity): number {
  const algo = new LayerNas(constraints, { ...settings, polish: false });
  let trials = 0;
  while (!algo.done() && trials <= cap) {
    const batch = algo.ask(1_000_000);
    if (batch.length === 0) break;
    trials += batch.length;
    for (const dna of batch) algo.tell(dna, dnaHash(dna) / 4294967296);
  }
  return trials;
}

export interface ChosenLayerNasSettings extends LayerNasSettings {
  readonly estimatedTrials: number;
}

/**
 * `warmStart`: a feasible model the caller already trusts (design: the hand-designed baseline). It replaces the
 * rule's base when it is feasible and dearer by the primary cost, i.e. it uses more of the budget than the dearest
 * uniform level that fits; the search then improves on it layer by layer.
 */
export function chooseLayerNasSettings(constraints: Constraints, bucketCosts: readonly CostModel[], trialBudget: number, warmStart?: readonly number[]): ChosenLayerNasSettings {
  const primary = constraints.list[0]?.model ?? bucketCosts[0];
  const ruleBase = chooseBase(constraints, primary);
  const base = warmStart && constraints.feasible(warmStart) && primary && primary.cost(warmStart) > primary.cost(ruleBase) ? [...warmStart] : ruleBase;
  let chosen: ChosenLayerNasSettings | undefined;
  const passBudget = Math.floor(trialBudget * LAYER_PASS_SHARE);
  for (const [h, k] of HK_LADDER) {
    const buckets = bucketCosts.length === 2 ? Math.max(1, Math.round(Math.sqrt(h))) : bucketCosts.length === 0 ? 1 : h;
    const keep = bucketCosts.length === 0 ? h * k : k;
    const settings: LayerNasSettings = { buckets, keep, base, bucketCosts };
    const trials = dryRunTrials(constraints, settings, passBudget);
    if (trials > passBudget) break;
    chosen = { ...settings, estimatedTrials: trials };
  }
  if (!chosen) {
    const settings: LayerNasSettings = { buckets: 1, keep: 1, base, bucketCosts };
    chosen = { ...settings, estimatedTrials: dryRunTrials(constraints, settings) };
  }
  return chosen;
}
