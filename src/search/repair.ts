/**
 * Nearest feasible completion: LayerNAS changes one layer at a time, and a child that is over the budget with the
 * later layers at their current options can never be the answer. Instead of training it, LayerNAS trains the closest
 * model that keeps layers [0, fixed) and meets every constraint: the fewest changed layers among [fixed, L) (Hamming
 * distance), ties broken by the dearest primary cost (the model that uses most of the budget), then by DNA order.
 * Degenerate models (src/space/degenerate.ts) are never returned.
 */
import type { CostModel } from '../cost/types.js';
import { isDegenerate } from '../space/degenerate.js';
import { dnaKey, type Dna } from '../space/types.js';
import type { Constraints } from './constraints.js';

/** Acceptable as a trial: feasible and not degenerate. */
export function trainable(constraints: Constraints, dna: Dna): boolean {
  return constraints.feasible(dna) && !isDegenerate(constraints.space, dna);
}

/**
 * The nearest trainable completion of `dna` that keeps layers [0, fixed), or undefined when none exists.
 * Enumerates distance 1, 2, ... while the count of checked models stays under `maxChecks`, then falls back to a
 * depth-first search that keeps each free layer's option when it can (bound-pruned).
 */
export function nearestFeasible(constraints: Constraints, dna: Dna, fixed: number, primary: CostModel | undefined, maxChecks = 20000): number[] | undefined {
  const L = constraints.space.radix.length;
  if (fixed < L && !constraints.reachable(dna, fixed)) return undefined;
  return nearestTrainable(constraints, dna, Array.from({ length: Math.max(0, L - fixed) }, (_, j) => fixed + j), primary, maxChecks);
}

const memo = new WeakMap<Constraints, Map<string, number[] | null>>();

/**
 * The nearest trainable model that differs from `dna` only on the layers in `free` (undefined when none).
 * A pure function of its arguments, memoised per Constraints object (a benchmark repeats the same repairs per seed).
 */
export function nearestTrainable(constraints: Constraints, dna: Dna, free: readonly number[], primary: CostModel | undefined, maxChecks = 20000): number[] | undefined {
  if (trainable(constraints, dna)) return dna.slice();
  let m = memo.get(constraints);
  if (!m) memo.set(constraints, (m = new Map()));
  const key = `${dnaKey(dna)}|${free.join(',')}|${primary?.name ?? ''}|${maxChecks}`;
  const hit = m.get(key);
  if (hit !== undefined) return hit ? hit.slice() : undefined;
  const found = searchNearest(constraints, dna, free, primary, maxChecks);
  m.set(key, found ?? null);
  return found ? found.slice() : undefined;
}

function searchNearest(constraints: Constraints, dna: Dna, free: readonly number[], primary: CostModel | undefined, maxChecks: number): number[] | undefined {
  const radix = constraints.space.radix;
  if (free.length === 0) return undefined;
  let checks = 0;
  for (let d = 1; d <= free.length; d++) {
    let best: number[] | undefined;
    let bestCost = -Infinity;
    let bestKey = '';
    const cur = dna.slice();
    let aborted = false;
    const rec = (start: number, left: number): void => {
      if (aborted) return;
      if (left === 0) {
        if (++checks > maxChecks) {
          aborted = true;
          return;
        }
        if (!trainable(constraints, cur)) return;
        const c = primary ? primary.cost(cur) : 0;
        const k = dnaKey(cur);
        if (!best || c > bestCost || (c === bestCost && k < bestKey)) {
          best = cur.slice();
          bestCost = c;
          bestKey = k;
        }
        return;
      }
      for (let j = start; j <= free.length - left; j++) {
        const l = free[j] as number;
        const keep = cur[l] as number;
        for (let o = 0; o < (radix[l] as number); o++) {
          if (o === keep) continue;
          cur[l] = o;
          rec(j + 1, left - 1);
        }
        cur[l] = keep;
      }
    };
    rec(0, d);
    if (best) return best;
    if (aborted) break;
  }
  return dfsCompletion(constraints, dna, free);
}

/** Depth-first over the free layers (each keeps its option first); bound pruning only when the rest is all free. */
function dfsCompletion(constraints: Constraints, dna: Dna, free: readonly number[], maxNodes = 20000): number[] | undefined {
  const radix = constraints.space.radix;
  const L = radix.length;
  const isFree = radix.map((_, l) => free.includes(l));
  const cur = dna.slice();
  let nodes = 0;
  const rec = (layer: number): boolean => {
    if (++nodes > maxNodes) return false;
    if (layer === L) return trainable(constraints, cur);
    if (!isFree[layer]) return rec(layer + 1);
    const keep = dna[layer] as number;
    const order = [keep, ...Array.from({ length: radix[layer] as number }, (_, o) => o).filter((o) => o !== keep)];
    const tailFree = isFree.slice(layer + 1).every(Boolean);
    for (const o of order) {
      cur[layer] = o;
      if (tailFree && !constraints.reachable(cur, layer + 1)) continue;
      if (rec(layer + 1)) return true;
    }
    cur[layer] = keep;
    return false;
  };
  return rec(0) ? cur.slice() : undefined;
}
