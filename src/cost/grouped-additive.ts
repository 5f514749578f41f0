/**
 * A cost that is a sum over groups of consecutive decisions (a stage's block and depth together), with exact
 * completion bounds: groups wholly inside the fixed prefix count exactly, the group the prefix cuts through counts its
 * cheapest / dearest joint option consistent with the fixed decisions, later groups their cheapest / dearest option.
 * With one decision per group this is the plain per-layer additive model (src/cost/tabular-latency.ts).
 */
import { LayernasError } from '../core/errors.js';
import type { Dna, SearchSpace } from '../space/types.js';
import type { CostMetric, CostModel, CostRange } from './types.js';

export interface DecisionGroup {
  /** consecutive decision indices */
  readonly decisions: readonly number[];
  /** cost of each joint option, indexed mixed-radix over `decisions` (first decision most significant) */
  readonly table: readonly number[];
}

export function jointIndex(space: SearchSpace, decisions: readonly number[], dna: Dna): number {
  let idx = 0;
  for (const d of decisions) idx = idx * (space.radix[d] as number) + (dna[d] as number);
  return idx;
}

/** The option of every decision of a group for one joint index. */
export function jointOptions(space: SearchSpace, decisions: readonly number[], index: number): number[] {
  const out = new Array<number>(decisions.length);
  for (let k = decisions.length - 1; k >= 0; k--) {
    const r = space.radix[decisions[k] as number] as number;
    out[k] = index % r;
    index = Math.floor(index / r);
  }
  return out;
}

export function groupedAdditiveCostModel(space: SearchSpace, metric: CostMetric, name: string, base: number, groups: readonly DecisionGroup[]): CostModel {
  const covered = groups.flatMap((g) => g.decisions);
  if (covered.length !== space.radix.length || covered.some((d, i) => d !== i)) {
    throw new LayernasError('TABLE_INVALID', `${name}: decision groups must cover decisions 0..${space.radix.length - 1} in order`);
  }
  for (const g of groups) {
    const n = g.decisions.reduce((a, d) => a * (space.radix[d] as number), 1);
    if (g.table.length !== n) throw new LayernasError('TABLE_INVALID', `${name}: group [${g.decisions.join(',')}] has ${g.table.length} costs, expected ${n}`);
  }
  const min = groups.map((g) => Math.min(...g.table));
  const max = groups.map((g) => Math.max(...g.table));
  return {
    metric,
    name,
    cost: (dna: Dna) => groups.reduce((s, g) => s + (g.table[jointIndex(space, g.decisions, dna)] as number), base),
    completionBounds(dna: Dna, fixed: number): CostRange {
      let lo = base, hi = base;
      for (const [gi, g] of groups.entries()) {
        const first = g.decisions[0] as number, last = g.decisions[g.decisions.length - 1] as number;
        if (last < fixed) {
          const c = g.table[jointIndex(space, g.decisions, dna)] as number;
          lo += c;
          hi += c;
        } else if (first >= fixed) {
          lo += min[gi] as number;
          hi += max[gi] as number;
        } else {
          let gLo = Infinity, gHi = -Infinity;
          g.table.forEach((c, j) => {
            const opts = jointOptions(space, g.decisions, j);
            if (g.decisions.every((d, k) => d >= fixed || opts[k] === dna[d])) {
              gLo = Math.min(gLo, c);
              gHi = Math.max(gHi, c);
            }
          });
          lo += gLo;
          hi += gHi;
        }
      }
      return { min: lo, max: hi };
    },
  };
}
