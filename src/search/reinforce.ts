/**
 * REINFORCE with an independent softmax policy per layer (as in the NAS-Bench-201 baselines): logits += lr * (reward -
 * baseline) * grad log p(dna), with an exponential moving-average baseline. Samples that break a constraint or were
 * already evaluated are redrawn, so only feasible, new models are proposed.
 */
import type { Rng } from '../core/rng.js';
import type { Dna } from '../space/types.js';
import { SeenSet, type Constraints } from './constraints.js';
import type { SearchAlgorithm } from './types.js';

export interface ReinforceSettings {
  readonly learningRate: number;
  /** EMA decay of the reward baseline */
  readonly baselineDecay: number;
}

/** Best of a small sweep on NB201 over lr in {0.01, 0.02, 0.05, 0.1, 0.2} (rewards in accuracy points). */
export const DEFAULT_REINFORCE: ReinforceSettings = { learningRate: 0.02, baselineDecay: 0.9 };

export class Reinforce implements SearchAlgorithm {
  readonly name = 'reinforce';
  private readonly seen = new SeenSet();
  private readonly logits: number[][];
  private baseline: number | undefined;
  private exhausted = false;
  constructor(private readonly constraints: Constraints, private readonly rng: Rng, private readonly settings: ReinforceSettings = DEFAULT_REINFORCE) {
    this.logits = constraints.space.radix.map((r) => new Array<number>(r).fill(0));
  }

  /** softmax of each layer's logits, cached between tells (same values as recomputing; sampling draws many times) */
  private cache: (number[] | undefined)[] = [];

  private probs(layer: number): number[] {
    const hit = this.cache[layer];
    if (hit) return hit;
    const p = this.softmax(layer);
    this.cache[layer] = p;
    return p;
  }

  private softmax(layer: number): number[] {
    const l = this.logits[layer]!;
    const m = Math.max(...l);
    const e = l.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }

  private samplePolicy(): number[] {
    return this.logits.map((_, layer) => this.rng.weighted(this.probs(layer)));
  }

  ask(max: number): Dna[] {
    const out: Dna[] = [];
    while (out.length < max && !this.exhausted) {
      let dna: number[] | undefined;
      for (let t = 0; t < 200 && !dna; t++) {
        const d = this.samplePolicy();
        if (!this.seen.has(d) && this.constraints.feasible(d)) dna = d;
      }
      dna ??= this.constraints.sample(this.rng, (d) => !this.seen.has(d));
      if (!dna) {
        this.exhausted = true;
        break;
      }
      this.seen.add(dna);
      out.push(dna);
    }
    return out;
  }

  tell(dna: Dna, reward: number): void {
    if (!Number.isFinite(reward)) return;
    if (this.baseline === undefined) this.baseline = reward;
    const advantage = reward - this.baseline;
    for (let layer = 0; layer < dna.length; layer++) {
      const p = this.probs(layer);
      const l = this.logits[layer]!;
      for (let o = 0; o < l.length; o++) l[o] = l[o]! + this.settings.learningRate * advantage * ((o === dna[layer] ? 1 : 0) - p[o]!);
    }
    this.baseline = this.settings.baselineDecay * this.baseline + (1 - this.settings.baselineDecay) * reward;
    this.cache = [];
  }

  done(): boolean {
    return this.exhausted;
  }
}
