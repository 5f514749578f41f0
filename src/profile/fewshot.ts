/**
 * Few-shot latency transfer: a new device's latency for every network of a space, from the latencies of the same
 * networks on known (source) devices plus N networks measured on the new one.
 *
 * Model (src/profile/calibration.ts does the same per operator kind for the host): the new device's latency is one
 * source's latency, scaled, plus an intercept (the base model), plus ridge-shrunk corrections by every other source
 * and by the network's per-operator counts:
 *
 *     y(net) ~ a + b * x_base(net) + sum_s w_s * x_s(net) + sum_k c_k * count_k(net)
 *
 * fitted by least squares on the relative error (as the host calibration), with a ridge penalty lambda on the
 * corrections only, so with few measurements the fit stays a scaled copy of one source. Which source is the base and
 * how strong the shrinkage is are not settings: both are chosen by the exact leave-one-out relative error of the N
 * measurements (hat-matrix identity of a linear smoother), lambda from a fixed grid that includes "no corrections".
 *
 * Which networks to measure: a greedy D-optimal design (each next network maximises the information it adds,
 * x' M^-1 x, about the model's coefficients) over standardised per-operator counts and log source latencies, from a
 * seeded random pool of candidates and a seeded random first network; it spreads the N networks over cost and
 * operator mix and picks the extremes a fit needs.
 */
import { Rng } from '../core/rng.js';
import { LayernasError } from '../core/errors.js';
import { solve } from './calibration.js';
import { median } from './stats.js';

/** Column-major features of a universe of candidate networks. */
export interface FewShotFeatures {
  readonly sourceNames: readonly string[];
  /** sources[s][i]: latency of network i on source s (ms) */
  readonly sources: readonly Float64Array[];
  readonly countNames: readonly string[];
  /** counts[k][i]: how many layers (edges) of network i run operator kind k */
  readonly counts: readonly Float64Array[];
}

/** Ridge weights tried by the leave-one-out choice; Infinity = base model only (intercept + one scaled source). */
export const FEWSHOT_LAMBDAS: readonly number[] = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, Infinity];

/** errors of networks below this share of the median measured latency count relative to that floor (see fitFewShot) */
export const RELATIVE_FLOOR = 0.1;

export interface FewShotFit {
  readonly base: string;
  readonly lambda: number;
  readonly interceptMs: number;
  /** ms per ms of each source (the base's scale included) */
  readonly sourceWeights: Readonly<Record<string, number>>;
  /** ms per layer of each operator kind */
  readonly countWeights: Readonly<Record<string, number>>;
  /** leave-one-out relative errors (predicted - measured) / max(measured, floor) of the chosen model, one per measurement */
  readonly looErrors: readonly number[];
  /** root mean square of looErrors */
  readonly looRmse: number;
  readonly networks: number;
}

const mean = (v: ArrayLike<number>, idx?: readonly number[]): number => {
  let s = 0;
  const n = idx ? idx.length : v.length;
  for (let j = 0; j < n; j++) s += v[idx ? (idx[j] as number) : j] as number;
  return s / Math.max(1, n);
};
const std = (v: ArrayLike<number>, m: number, idx?: readonly number[]): number => {
  let s = 0;
  const n = idx ? idx.length : v.length;
  for (let j = 0; j < n; j++) s += ((v[idx ? (idx[j] as number) : j] as number) - m) ** 2;
  return Math.sqrt(s / Math.max(1, n));
};

function invert(a: readonly (readonly number[])[]): number[][] {
  const n = a.length;
  const cols = Array.from({ length: n }, (_, j) => solve(a.map((r) => [...r]), Array.from({ length: n }, (_, i) => (i === j ? 1 : 0))));
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i] as number));
}

/**
 * `n` networks to measure (indices into the universe): greedy D-optimal over standardised counts and log source
 * latencies, from a pool of `pool` random candidates (seeded), the first one at random.
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
  const raw = [...f.counts, ...f.sources.map((s) => s.map((v) => Math.log(Math.max(v, 1e-6))))];
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

interface Candidate {
  readonly score: number;
  readonly base: number;
  readonly lambda: number;
  readonly beta: number[];
  readonly loo: number[];
  /** indices of the correction columns (sources first, then counts) */
  readonly extras: number[];
}

/**
 * Weighted ridge on rows X (first `free` columns unpenalised), weights w; returns coefficients and the exact
 * leave-one-out residuals r_i / (1 - h_ii).
 */
function ridge(x: readonly number[][], y: readonly number[], w: readonly number[], free: number, lambda: number): { beta: number[]; loo: number[] } {
  const p = (x[0] as number[]).length;
  const a = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? (i >= free ? lambda : 0) + 1e-10 : 0)));
  const b = new Array<number>(p).fill(0);
  x.forEach((row, r) => {
    const wr = w[r] as number;
    for (let i = 0; i < p; i++) {
      b[i] = (b[i] as number) + wr * (row[i] as number) * (y[r] as number);
      const ai = a[i] as number[];
      for (let j = 0; j < p; j++) ai[j] = (ai[j] as number) + wr * (row[i] as number) * (row[j] as number);
    }
  });
  const ainv = invert(a);
  const beta = ainv.map((row) => row.reduce((s, v, j) => s + v * (b[j] as number), 0));
  const loo = x.map((row, r) => {
    const fit = row.reduce((s, v, j) => s + v * (beta[j] as number), 0);
    const h = (w[r] as number) * row.reduce((s, v, i) => s + v * (ainv[i] as number[]).reduce((t, u, j) => t + u * (row[j] as number), 0), 0);
    return ((y[r] as number) - fit) / Math.max(1 - h, 1e-9);
  });
  return { beta, loo };
}

/** Fit the new device from `measured[j]` = latency of network `chosen[j]` (see the file comment). */
export function fitFewShot(f: FewShotFeatures, chosen: readonly number[], measured: readonly number[], lambdas: readonly number[] = FEWSHOT_LAMBDAS, options: { readonly intercept?: boolean } = {}): FewShotFit {
  const withIntercept = options.intercept !== false;
  const head = withIntercept ? 1 : 0;
  if (chosen.length !== measured.length) throw new LayernasError('USAGE', `${chosen.length} networks but ${measured.length} measurements`);
  if (chosen.length < 3) throw new LayernasError('USAGE', `a few-shot fit needs at least 3 measured networks, got ${chosen.length}`, { networks: chosen.length });
  if (f.sources.length === 0) throw new LayernasError('USAGE', 'a few-shot fit needs at least one source device');
  const bad = measured.findIndex((v) => !(v > 0) || !Number.isFinite(v));
  if (bad >= 0) throw new LayernasError('USAGE', `measurement ${bad} is not a positive latency (${measured[bad]})`, { index: bad });
  const ym = mean(measured);
  const y = measured.map((v) => v / ym);
  // relative error, but not below a floor: a network far below the typical one (NB201 cells whose output is cut off
  // run in 0.005 ms on some devices) would otherwise decide the whole fit
  const floor = RELATIVE_FLOOR * median(y);
  const w = y.map((v) => 1 / Math.max(v, floor) ** 2);
  // standardised corrections (universe mean and sd, known for every network); base sources scaled to mean 1
  const stats = [...f.sources, ...f.counts].map((c) => {
    const m = mean(c);
    return { m, sd: std(c, m) };
  });
  const nSrc = f.sources.length;
  let best: Candidate | undefined;
  for (let s = 0; s < nSrc; s++) {
    const baseMean = (stats[s] as { m: number }).m;
    const usable = [...f.sources, ...f.counts].map((_, k) => k).filter((k) => k !== s && (stats[k] as { sd: number }).sd > 1e-12);
    for (const lambda of lambdas) {
      const extras = Number.isFinite(lambda) ? usable : [];
      // without an intercept the corrections are scaled, not centred (centring would bring an intercept back)
      const rows = chosen.map((i) => [...(withIntercept ? [1] : []), ((f.sources[s] as Float64Array)[i] as number) / baseMean, ...extras.map((k) => {
        const col = k < nSrc ? (f.sources[k] as Float64Array) : (f.counts[k - nSrc] as Float64Array);
        return ((col[i] as number) - (withIntercept ? (stats[k] as { m: number }).m : 0)) / (stats[k] as { sd: number }).sd;
      })]);
      const { beta, loo } = ridge(rows, y, w, head + 1, Number.isFinite(lambda) ? lambda : 0);
      const rel = loo.map((r, j) => -r / Math.max(y[j] as number, floor));
      const score = Math.sqrt(mean(rel.map((e) => e * e)));
      if (!best || score < best.score - 1e-12) best = { score, base: s, lambda, beta, loo: rel, extras };
    }
  }
  const c = best as Candidate;
  // back to raw units: y = ym * (b0 + b1 x_base / mean_base + sum_k g_k (x_k - m_k) / sd_k)
  let intercept = withIntercept ? ym * (c.beta[0] as number) : 0;
  const sourceWeights: Record<string, number> = Object.fromEntries(f.sourceNames.map((n) => [n, 0]));
  const countWeights: Record<string, number> = Object.fromEntries(f.countNames.map((n) => [n, 0]));
  sourceWeights[f.sourceNames[c.base] as string] = (ym * (c.beta[head] as number)) / (stats[c.base] as { m: number }).m;
  c.extras.forEach((k, j) => {
    const { m, sd } = stats[k] as { m: number; sd: number };
    const g = (ym * (c.beta[head + 1 + j] as number)) / sd;
    if (withIntercept) intercept -= g * m;
    if (k < nSrc) sourceWeights[f.sourceNames[k] as string] = g;
    else countWeights[f.countNames[k - nSrc] as string] = g;
  });
  return { base: f.sourceNames[c.base] as string, lambda: c.lambda, interceptMs: intercept, sourceWeights, countWeights, looErrors: c.loo, looRmse: c.score, networks: chosen.length };
}

/** The fit's latency of network i of the universe (never below 0). */
export function predictFewShot(fit: FewShotFit, f: FewShotFeatures, i: number): number {
  let v = fit.interceptMs;
  f.sourceNames.forEach((n, s) => { v += (fit.sourceWeights[n] ?? 0) * ((f.sources[s] as Float64Array)[i] as number); });
  f.countNames.forEach((n, k) => { v += (fit.countWeights[n] ?? 0) * ((f.counts[k] as Float64Array)[i] as number); });
  return Math.max(0, v);
}

/** Plain linear transfer (the baseline): ordinary least squares of measured on one source, intercept + scale. */
export function linearTransfer(source: Float64Array, chosen: readonly number[], measured: readonly number[]): { interceptMs: number; scale: number } {
  const x = chosen.map((i) => source[i] as number);
  const mx = mean(x);
  const my = mean(measured);
  let sxy = 0;
  let sxx = 0;
  x.forEach((v, j) => { sxy += (v - mx) * ((measured[j] as number) - my); sxx += (v - mx) ** 2; });
  const scale = sxx > 0 ? sxy / sxx : 0;
  return { interceptMs: my - scale * mx, scale };
}

/** Ranks 1..n, ties averaged. */
export function ranks(v: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => (v[a] as number) - (v[b] as number));
  const r = new Float64Array(v.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1] as number] === v[idx[i] as number]) j++;
    for (let k = i; k <= j; k++) r[idx[k] as number] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's rank correlation (Pearson on tie-averaged ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const ma = mean(ra);
  const mb = mean(rb);
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    const x = (ra[i] as number) - ma, y = (rb[i] as number) - mb;
    sab += x * y; saa += x * x; sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}
