/**
 * LayerNAS (Fan et al. 2023), layer by layer from a base model, then polishing the leaders:
 *  1. Layer pass, for layer i = 0..L-1: take the kept candidates of layer i-1, make every child that changes layer i;
 *     a child that is over the budget (or degenerate) is replaced by its nearest trainable completion of layers > i
 *     (src/search/repair.ts), and dropped if it has none; evaluate the rest (a model already evaluated keeps its reward
 *     at no trial cost), bucket them by cost and keep the best K per bucket. Every trial is a feasible model, i.e. a
 *     possible answer.
 *  2. Polish (when `polish`): until the trial budget is spent, take the best evaluated model whose neighbourhood is
 *     not yet explored (the centre) and evaluate its one-layer moves in a seeded order, a move over the budget
 *     repaired on the other layers (so it can trade a dearer op here for a cheaper one elsewhere); the first move that
 *     beats the centre becomes the next centre (first improvement). Moves go out `polishBatch` at a time.
 * Buckets are equal-width over the whole range of costs the children of the layer have; with two bucket costs the
 * table is 2-D (H x H cells). The answer (chosen by the study) is the best evaluated model inside every constraint.
 */
import { Rng } from '../core/rng.js';
import type { CostModel } from '../cost/types.js';
import { dnaKey, type Dna } from '../space/types.js';
import type { Constraints } from './constraints.js';
import { nearestFeasible, nearestTrainable } from './repair.js';
import type { SearchAlgorithm } from './types.js';

export interface LayerNasSettings {
  /** buckets per bucketed cost (H); with two costs the table has H x H cells */
  readonly buckets: number;
  /** candidates kept per bucket (K) */
  readonly keep: number;
  /** option of every layer before it is searched (a trainable model) */
  readonly base: readonly number[];
  /** costs to bucket by (0, 1 or 2); none = one bucket */
  readonly bucketCosts: readonly CostModel[];
  /** after the layer pass, polish the leaders until the study's trial budget is spent (default true) */
  readonly polish?: boolean;
  /** seed of the polish phase's neighbour order (default 0) */
  readonly seed?: number;
  /**
   * polish proposals per round (default 1): a round is proposed only when the previous one is told, so results
   * depend on this value, never on the study's batch size (set it to the number of parallel workers)
   */
  readonly polishBatch?: number;
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
  private readonly evaluated: { dna: number[]; key: string; reward: number }[] = [];
  private layer = -1;
  private children: Candidate[] = [];
  private kept: Candidate[] = [];
  private queue: Candidate[] = [];
  private readonly awaiting = new Set<string>();
  private finished = false;
  private lastBuckets: { bucket: string; best: Candidate }[] = [];
  private polishing = false;
  private readonly expanded = new Set<string>();
  private center: { key: string; reward: number } | undefined;
  /** polish moves of the centre not yet turned into proposals: [layer, option] */
  private moves: [number, number][] = [];
  private centerDna: number[] = [];
  private readonly rng: Rng;
  private readonly primary: CostModel | undefined;

  constructor(private readonly constraints: Constraints, private readonly settings: LayerNasSettings) {
    this.rng = new Rng(((settings.seed ?? 0) ^ 0x1a7e5) >>> 0);
    this.primary = constraints.list[0]?.model ?? settings.bucketCosts[0];
    const base = nearestFeasible(constraints, settings.base, 0, this.primary) ?? settings.base.slice();
    this.children = [this.candidate(base)];
    this.queue = [...this.children];
  }

  private candidate(dna: number[]): Candidate {
    return { dna, key: dnaKey(dna), costs: this.settings.bucketCosts.map((c) => c.cost(dna)), reward: -Infinity };
  }

  ask(max: number): Dna[] {
    for (;;) {
      if (this.polishing) {
        if (this.awaiting.size > 0) return [];
        max = Math.min(max, Math.max(1, this.settings.polishBatch ?? 1));
        if (this.queue.length < max) this.fillFromMoves(max);
      }
      if (this.queue.length > 0) {
        const out = this.queue.splice(0, Math.max(0, max));
        for (const c of out) this.awaiting.add(c.key);
        return out.map((c) => c.dna);
      }
      if (this.awaiting.size > 0 || this.finished) return [];
      if (this.polishing) this.nextCenter();
      else this.advance();
    }
  }

  tell(dna: Dna, reward: number): void {
    const key = dnaKey(dna);
    if (!this.rewards.has(key)) this.evaluated.push({ dna: dna.slice(), key, reward });
    this.rewards.set(key, reward);
    this.awaiting.delete(key);
    // first improvement: a neighbour better than the centre ends the centre's turn (unasked neighbours are dropped)
    if (this.polishing && this.center && reward > this.center.reward) {
      this.queue = [];
      this.moves = [];
    }
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
      if (this.settings.polish ?? true) this.polishing = true;
      else this.finished = true;
      return;
    }
    const i = this.layer;
    const seen = new Set<string>();
    this.children = [];
    for (const parent of this.kept) {
      for (let o = 0; o < (this.constraints.space.radix[i] as number); o++) {
        const raw = parent.dna.slice();
        raw[i] = o;
        const dna = nearestFeasible(this.constraints, raw, i + 1, this.primary);
        if (!dna) continue;
        const key = dnaKey(dna);
        if (seen.has(key)) continue;
        seen.add(key);
        const child = this.candidate(dna);
        this.children.push(child);
        if (!this.rewards.has(key) && !this.awaiting.has(key)) this.queue.push(child);
      }
    }
  }

  /** Polish: the best evaluated model not yet expanded becomes the centre; queue its unseen trainable neighbours. */
  private nextCenter(): void {
    const radix = this.constraints.space.radix;
    for (;;) {
      let best: { dna: number[]; key: string; reward: number } | undefined;
      for (const e of this.evaluated) {
        if (this.expanded.has(e.key) || !Number.isFinite(e.reward)) continue;
        if (!best || e.reward > best.reward || (e.reward === best.reward && e.key < best.key)) best = e;
      }
      if (!best) {
        this.finished = true;
        return;
      }
      this.expanded.add(best.key);
      if (!this.constraints.feasible(best.dna)) continue;
      this.center = { key: best.key, reward: best.reward };
      const moves: [number, number][] = [];
      for (let l = 0; l < radix.length; l++) for (let o = 0; o < (radix[l] as number); o++) if (o !== best.dna[l]) moves.push([l, o]);
      this.rng.shuffle(moves);
      this.moves = moves;
      this.centerDna = best.dna;
      this.fillFromMoves(1);
      if (this.queue.length > 0) return;
    }
  }

  /** Turn pending moves of the centre into proposals (a move over the budget is repaired on the other layers). */
  private fillFromMoves(max: number): void {
    const radix = this.constraints.space.radix;
    while (this.queue.length < max && this.moves.length > 0) {
      const [l, o] = this.moves.shift()!;
      const raw = this.centerDna.slice();
      raw[l] = o;
      const others = radix.map((_, j) => j).filter((j) => j !== l);
      const dna = nearestTrainable(this.constraints, raw, others, this.primary);
      if (!dna) continue;
      const key = dnaKey(dna);
      if (this.rewards.has(key) || this.awaiting.has(key) || this.queue.some((q) => q.key === key)) continue;
      this.queue.push(this.candidate(dna));
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
      polished: this.expanded.size,
      buckets: this.lastBuckets.map((b) => ({ bucket: b.bucket, dna: b.best.dna, reward: b.best.reward, costs: b.best.costs })),
    };
  }
}
