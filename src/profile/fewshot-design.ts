/**
 * Which networks a few-shot fit (src/profile/fewshot.ts) measures: a greedy D-optimal design (each next network
 * maximises the information it adds, x' M^-1 x, about a linear model's coefficients) over the fit's own corrections
 * (the sources' pooled per-stage parts where a source is a per-block table, else per-operator counts), standardised,
 * and log source latencies, from a seeded random pool of candidates and a seeded random first network; it
 * spreads the N networks over cost and operator mix and picks the extremes a fit needs.
 */
import { Rng } from '../core/rng.js';
import { LayernasError } from '../core/errors.js';
import type { FewShotFeatures } from './fewshot.js';

/** mean of v (or of v at the indices idx) */
export const mean = (v: ArrayLike<number>, idx?: readonly number[]): number => {
  let s = 0;
  const n = idx ? idx.length : v.length;
  for (let j = 0; j < n; j++) s += v[idx ? (idx[j] as number) : j] as number;
  return s / Math.max(1, n);
};
/** population standard deviation of v (or of v at idx) around m */
export const std = (v: ArrayLike<number>, m: number, idx?: readonly number[]): number => {
  let s = 0;
  const n = idx ? idx.length : v.length;
  for (let j = 0; j < n; j++) s += ((v[idx ? (idx[j] as number) : j] as number) - m) ** 2;
  return Math.sqrt(s / Math.max(1, n));
};

/**
 * The sources' per-stage parts pooled over the sources that have them: stage k's column is the mean over those sources
 * of (the source's latency in stage k) / (the source's mean latency over the universe), so a unit is "one mean network
 * of the sources". Empty when no source is a per-block table. These are the few-shot fit's corrections (fewshot.ts)
 * and what its networks are chosen to spread over.
 */
export function pooledStageParts(f: FewShotFeatures): { stage: string; values: Float64Array }[] {
  const parts = f.parts ?? [];
  const withParts = new Set(parts.map((p) => p.source));
  const size = f.sources[0]?.length ?? 0;
  const srcMean = f.sources.map((c) => mean(c));
  return [...new Set(parts.map((p) => p.stage))].map((stage) => {
    const v = new Float64Array(size);
    for (const p of parts) {
      if (p.stage !== stage) continue;
      const k = 1 / (withParts.size * (srcMean[p.source] as number));
      for (let i = 0; i < size; i++) v[i] = (v[i] as number) + k * (p.values[i] as number);
    }
    return { stage, values: v };
  });
}

/**
 * How far each pooled stage's correction may move, learnt from the sources (a prior from the known devices, as HELP
 * learns from them): the sources' share of stage k in their mean network, s_k, varies between the sources by a
 * coefficient of variation cv_k; a new device is taken to depart from the mix in stage k about as much as the sources
 * depart from each other there. Returned per pooledStageParts stage, in its order: the ridge weight 1 / cv_k^2 over
 * its geometric mean over the stages (lambda keeps its scale); all 1 with fewer than two sources with parts or no
 * disagreement at all. A stage on which the sources agree to a thousandth of their mean disagreement is held there.
 */
export function stagePriorWeights(f: FewShotFeatures): number[] {
  const parts = f.parts ?? [];
  const withParts = [...new Set(parts.map((p) => p.source))];
  const stages = [...new Set(parts.map((p) => p.stage))];
  const srcMean = f.sources.map((c) => mean(c));
  const cv2 = stages.map((stage) => {
    const share = withParts.map((s) => {
      const p = parts.find((q) => q.source === s && q.stage === stage);
      return p ? mean(p.values) / (srcMean[s] as number) : 0;
    });
    const m = mean(share);
    return m > 0 ? std(share, m) ** 2 / (m * m) : 0;
  });
  const typical = mean(cv2);
  if (withParts.length < 2 || !(typical > 0)) return stages.map(() => 1);
  const raw = cv2.map((v) => 1 / Math.max(v, 1e-3 * typical));
  const geo = Math.exp(mean(raw.map(Math.log)));
  return raw.map((r) => r / geo);
}

/**
 * `n` networks to measure (indices into the universe): greedy D-optimal over the fit's standardised corrections
 * (pooledStageParts, else counts) and log source latencies, from a pool of `pool` random candidates (seeded), the first one at random.
 */
export function chooseNetworks(f: FewShotFeatures, n: number, seed: number, pool = 1000): number[] {
  const size = f.sources[0]?.length ?? f.counts[0]?.length ?? 0;
  if (n > size) throw new LayernasError('USAGE', `cannot choose ${n} networks from ${size}`, { networks: n, size });
  const rng = new Rng(seed);
  const all = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j] as number, all[i] as number];
  }
  const cand = all.slice(0, Math.min(size, Math.max(pool, n)));
  const stages = pooledStageParts(f);
  const raw = [...(stages.length > 0 ? stages.map((p) => p.values) : f.counts), ...f.sources.map((s) => s.map((v) => Math.log(Math.max(v, 1e-6))))];
  const cols = raw.flatMap((c) => {
    const m = mean(c, cand);
    const sd = std(c, m, cand);
    return sd > 1e-12 ? [cand.map((i) => ((c[i] as number) - m) / sd)] : [];
  });
  const z = cand.map((_, r) => [1, ...cols.map((c) => c[r] as number)]);
  const p = (z[0] as number[]).length;
  // M^-1 of M = 1e-3 I + sum of chosen z z', kept by Sherman-Morrison updates
  let mi: number[][] = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1e3 : 0)));
  const chosen: number[] = [];
  const add = (r: number): void => {
    const x = z[r] as number[];
    const u = mi.map((row) => row.reduce((s, v, j) => s + v * (x[j] as number), 0));
    const d = 1 + x.reduce((s, v, j) => s + v * (u[j] as number), 0);
    mi = mi.map((row, i) => row.map((v, j) => v - ((u[i] as number) * (u[j] as number)) / d));
    chosen.push(r);
  };
  add(rng.int(cand.length));
  while (chosen.length < n) {
    let best = -1;
    let bestGain = -Infinity;
    for (let r = 0; r < cand.length; r++) {
      if (chosen.includes(r)) continue;
      const x = z[r] as number[];
      let g = 0;
      for (let i = 0; i < p; i++) {
        let s = 0;
        const row = mi[i] as number[];
        for (let j = 0; j < p; j++) s += (row[j] as number) * (x[j] as number);
        g += (x[i] as number) * s;
      }
      if (g > bestGain) {
        bestGain = g;
        best = r;
      }
    }
    add(best);
  }
  return chosen.map((r) => cand[r] as number);
}
