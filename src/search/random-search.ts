/** Random search: uniform over the feasible architectures, never the same one twice. */
import type { Rng } from '../core/rng.js';
import type { Dna } from '../space/types.js';
import { SeenSet, type Constraints } from './constraints.js';
import type { SearchAlgorithm } from './types.js';

export class RandomSearch implements SearchAlgorithm {
  readonly name = 'random';
  private readonly seen = new SeenSet();
  private exhausted = false;
  constructor(private readonly constraints: Constraints, private readonly rng: Rng) {}

  ask(max: number): Dna[] {
    const out: Dna[] = [];
    while (out.length < max && !this.exhausted) {
      const dna = this.constraints.sample(this.rng, (d) => !this.seen.has(d));
      if (!dna) {
        this.exhausted = true;
        break;
      }
      this.seen.add(dna);
      out.push(dna);
    }
    return out;
  }

  tell(): void {}

  done(): boolean {
    return this.exhausted;
  }
}
