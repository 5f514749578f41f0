/**
 * Cost constraints of a search, shared by every algorithm: feasibility of a full DNA, reachability of a partly fixed
 * DNA (can some completion of layers [fixed, L) still meet every target range?), feasible sampling, and the
 * up-front check that at least one architecture meets the constraints (BUDGET_IMPOSSIBLE before any evaluation).
 */
import { LayernasError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { CostConstraint } from '../cost/types.js';
import { dnaKey, type Dna, type SearchSpace } from '../space/types.js';

export class Constraints {
  constructor(readonly space: SearchSpace, readonly list: readonly CostConstraint[]) {}

  costs(dna: Dna): number[] {
    return this.list.map((c) => c.model.cost(dna));
  }

  feasible(dna: Dna): boolean {
    for (const c of this.list) {
      const v = c.model.cost(dna);
      if (!(v >= c.low && v <= c.high)) return false;
    }
    return true;
  }

  /** Some completion of layers [fixed, L) may meet every constraint (each checked on its own: exact for one cost). */
  reachable(dna: Dna, fixed: number): boolean {
    if (fixed >= this.space.radix.length) return this.feasible(dna);
    for (const c of this.list) {
      const b = c.model.completionBounds(dna, fixed);
      if (b.max < c.low || b.min > c.high) return false;
    }
    return true;
  }

  /**
   * A random feasible DNA: rejection sampling first (uniform over the feasible set), then a randomised depth-first
   * search over reachable prefixes. `accept` filters further (e.g. not yet seen). Returns undefined when none is found.
   */
  sample(rng: Rng, accept: (dna: Dna) => boolean = () => true, rejectionTries = 200): number[] | undefined {
    const radix = this.space.radix;
    for (let t = 0; t < rejectionTries; t++) {
      const dna = radix.map((r) => rng.int(r));
      if (this.feasible(dna) && accept(dna)) return dna;
    }
    return this.search(rng, accept, 20000);
  }

  /** Randomised DFS with bound pruning; visits at most `maxNodes` prefixes. */
  search(rng: Rng | undefined, accept: (dna: Dna) => boolean, maxNodes: number): number[] | undefined {
    const radix = this.space.radix;
    const L = radix.length;
    const dna = radix.map(() => 0);
    let nodes = 0;
    const rec = (layer: number): boolean => {
      if (++nodes > maxNodes) return false;
      if (layer === L) return this.feasible(dna) && accept(dna);
      const order = Array.from({ length: radix[layer] as number }, (_, i) => i);
      if (rng) rng.shuffle(order);
      for (const o of order) {
        dna[layer] = o;
        if (!this.reachable(dna, layer + 1)) continue;
        if (rec(layer + 1)) return true;
        if (nodes > maxNodes) return false;
      }
      return false;
    };
    return rec(0) ? dna.slice() : undefined;
  }

  /** Throws BUDGET_IMPOSSIBLE when no architecture of the space meets every constraint. Runs no evaluation. */
  assertPossible(): void {
    const where = this.list.map(describeConstraint).join(' and ');
    for (const c of this.list) {
      const b = c.model.completionBounds(this.space.radix.map(() => 0), 0);
      if (b.max < c.low || b.min > c.high) {
        throw new LayernasError('BUDGET_IMPOSSIBLE', `no architecture of space ${this.space.name} meets ${describeConstraint(c)}: its ${c.model.name} spans [${b.min}, ${b.max}]`, {
          space: this.space.name,
          cost: c.model.name,
          low: c.low,
          high: c.high,
          spaceMin: b.min,
          spaceMax: b.max,
        });
      }
    }
    if (this.list.length > 1 && this.search(undefined, () => true, 200000) === undefined) {
      throw new LayernasError('BUDGET_IMPOSSIBLE', `no architecture of space ${this.space.name} meets ${where} together`, { space: this.space.name });
    }
  }
}

export function describeConstraint(c: CostConstraint): string {
  if (c.low === -Infinity) return `${c.model.name} <= ${c.high}`;
  if (c.high === Infinity) return `${c.model.name} >= ${c.low}`;
  return `${c.model.name} in [${c.low}, ${c.high}]`;
}

/** Set of DNA keys, for "never propose the same architecture twice". */
export class SeenSet {
  private readonly keys = new Set<string>();
  has(dna: Dna): boolean {
    return this.keys.has(dnaKey(dna));
  }
  add(dna: Dna): void {
    this.keys.add(dnaKey(dna));
  }
  get size(): number {
    return this.keys.size;
  }
}
