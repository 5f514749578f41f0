/**
 * LayerNAS (Fan et al. 2023), layer by layer from a base model:
 *   for layer i = 0..L-1: take the kept candidates of layer i-1, make every child that changes layer i, drop children
 *   whose cheapest/dearest completion of layers > i can no longer reach every target range, evaluate the rest
 *   (a child identical to an evaluated model reuses its reward at no trial cost), bucket them by cost and keep the
 *   best K per bucket.
 * Buckets are equal-width over the whole range of costs the surviving children of the layer have (not only
 * [cheapest, budget]); with two bucket costs the table is 2-D (H x H cells). The final answer (chosen by the study)
 * is the best evaluated model inside every constraint.
 */
import type { CostModel } from '../cost/types.js';
import { dnaKey, type Dna } from '../space/types.js';
import type { Constraints } from './constraints.js';
import type { SearchAlgorithm } from './types.js';

export interface LayerNasSettings {
  /** buckets per bucketed cost (H); with two costs the table has H x H cells */
  readonly buckets: number;
  /** candidates kept per bucket (K) */
  readonly keep: number;
  /** option of every layer before it is searched */
  readonly base: readonly number[];
  /** costs to bucket by (0, 1 or 2); none = one bucket */
  readonly bucketCosts: readonly CostModel[];
}

interface Candidate {
  readonly dna: number[];
  readonly key: string;
  readonly costs: number[];
  reward: number;
}

export class LayerNas implements SearchAlgorithm {
  readonly name = 'layernas';
  private readonly rewards = new Map<string, number>();
  private layer = -1;
  private children: Candidate[] = [];
  private kept: Candidate[] = [];
  private queue: Candidate[] = [];
  private readonly awaiting = new Set<string>();
  private finished = false;
  private lastBuckets: { bucket: string; best: Candidate }[] = [];

  constructor(private readonly constraints: Constraints, private readonly settings: LayerNasSettings) {
    const base = settings.base.slice();
    this.children = [this.candidate(base)];
    this.queue = [...this.children];
  }

  private candidate(dna: number[]): Candidate {
    return { dna, key: dnaKey(dna), costs: this.settings.bucketCosts.map((c) => c.cost(dna)), reward: -Infinity };
  }

  ask(max: number): Dna[] {
    for (;;) {
      if (this.queue.length > 0) {
        const out = this.queue.splice(0, Math.max(0, max));
        for (const c of out) this.awaiting.add(c.key);
        return out.map((c) => c.dna);
      }
      if (this.awaiting.size > 0 || this.finished) return [];
      this.advance();
    }
  }

  tell(dna: Dna, reward: number): void {
    const key = dnaKey(dna);
    this.rewards.set(key, reward);
    this.awaiting.delete(key);
  }

  done(): boolean {
    return this.finished && this.queue.length === 0 && this.awaiting.size === 0;
  }

  /** Finish the current layer (bucket + keep), then make the children of the next one. */
  private advance(): void {
    for (const c of this.children) c.reward = this.rewards.get(c.key) ?? -Infinity;
    this.kept = this.select(this.children);
    this.layer++;
    const L = this.constraints.space.radix.length;
    if (this.layer >= L || this.kept.length === 0) {
      this.finished = true;
      return;
    }
    const i = this.layer;
    const seen = new Set<string>();
    this.children = [];
    for (const parent of this.kept) {
      for (let o = 0; o < (this.constraints.space.radix[i] as number); o++) {
        const dna = parent.dna.slice();
        dna[i] = o;
        const key = dnaKey(dna);
        if (seen.has(key)) continue;
        seen.add(key);
        if (!this.constraints.reachable(dna, i + 1)) continue;
        const child = this.candidate(dna);
        this.children.push(child);
        if (!this.rewards.has(key)) this.queue.push(child);
      }
    }
  }

  private bucketKey(c: Candidate, lo: number[], hi: number[]): string {
    const H = this.settings.buckets;
    return c.costs
      .map((v, j) => {
        const span = (hi[j] as number) - (lo[j] as number);
        return span > 0 ? Math.min(H - 1, Math.floor(((v - (lo[j] as number)) / span) * H)) : 0;
      })
      .join(',');
  }

  private select(cands: Candidate[]): Candidate[] {
    const nc = this.settings.bucketCosts.length;
    const lo = Array.from({ length: nc }, (_, j) => Math.min(...cands.map((c) => c.costs[j] as number)));
    const hi = Array.from({ length: nc }, (_, j) => Math.max(...cands.map((c) => c.costs[j] as number)));
    const groups = new Map<string, Candidate[]>();
    for (const c of cands) {
      if (!Number.isFinite(c.reward)) continue;
      const k = this.bucketKey(c, lo, hi);
      const g = groups.get(k);
      if (g) g.push(c);
      else groups.set(k, [c]);
    }
    const kept: Candidate[] = [];
    this.lastBuckets = [];
    const byNumber = (a: string, b: string): number => {
      const x = a.split(',').map(Number);
      const y = b.split(',').map(Number);
      for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return (x[j] as number) - (y[j] as number);
      return 0;
    };
    for (const k of [...groups.keys()].sort(byNumber)) {
      const g = groups.get(k)!.sort((a, b) => b.reward - a.reward || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      kept.push(...g.slice(0, this.settings.keep));
      this.lastBuckets.push({ bucket: k, best: g[0]! });
    }
    return kept;
  }

  summary(): Record<string, unknown> {
    return {
      layer: this.layer,
      buckets: this.lastBuckets.map((b) => ({ bucket: b.bucket, dna: b.best.dna, reward: b.best.reward, costs: b.best.costs })),
    };
  }
}
