/**
 * Regularized evolution (Real et al. 2019): a population of the most recent P models; each child mutates one layer of
 * the best of S models drawn at random from the population; the oldest model dies. Only feasible, unseen children are
 * proposed (a mutation that breaks a constraint is redrawn).
 */
import type { Rng } from '../core/rng.js';
import type { Dna } from '../space/types.js';
import { SeenSet, type Constraints } from './constraints.js';
import type { SearchAlgorithm } from './types.js';

export interface EvolutionSettings {
  readonly population: number;
  readonly sampleSize: number;
}

/** Best of a small sweep on NB201 (P,S) in {(10,3),(10,5),(20,5),(50,10),(64,16),(100,25)}: the baseline gets its best shot. */
export const DEFAULT_EVOLUTION: EvolutionSettings = { population: 64, sampleSize: 16 };

export class RegularizedEvolution implements SearchAlgorithm {
  readonly name = 're';
  private readonly seen = new SeenSet();
  private readonly population: { dna: Dna; reward: number }[] = [];
  private proposedInit = 0;
  private exhausted = false;
  constructor(private readonly constraints: Constraints, private readonly rng: Rng, private readonly settings: EvolutionSettings = DEFAULT_EVOLUTION) {}

  ask(max: number): Dna[] {
    const out: Dna[] = [];
    while (out.length < max && !this.exhausted) {
      let dna: number[] | undefined;
      if (this.proposedInit < this.settings.population) {
        dna = this.constraints.sample(this.rng, (d) => !this.seen.has(d));
        this.proposedInit++;
      } else {
        if (this.population.length === 0) break; // wait for the initial population's rewards
        dna = this.mutateBest();
      }
      if (!dna) {
        this.exhausted = true;
        break;
      }
      this.seen.add(dna);
      out.push(dna);
    }
    return out;
  }

  private mutateBest(): number[] | undefined {
    const radix = this.constraints.space.radix;
    let parent = this.population[this.rng.int(this.population.length)]!;
    for (let s = 1; s < this.settings.sampleSize; s++) {
      const c = this.population[this.rng.int(this.population.length)]!;
      if (c.reward > parent.reward) parent = c;
    }
    for (let t = 0; t < 100; t++) {
      const child = parent.dna.slice();
      const layer = this.rng.int(radix.length);
      const r = radix[layer] as number;
      if (r < 2) continue;
      child[layer] = (child[layer]! + 1 + this.rng.int(r - 1)) % r;
      if (!this.seen.has(child) && this.constraints.feasible(child)) return child;
    }
    // the neighbourhood is used up: fall back to a random feasible unseen model
    return this.constraints.sample(this.rng, (d) => !this.seen.has(d));
  }

  tell(dna: Dna, reward: number): void {
    this.population.push({ dna, reward });
    if (this.population.length > this.settings.population) this.population.shift();
  }

  done(): boolean {
    return this.exhausted;
  }
}
