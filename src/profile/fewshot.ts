/**
 * Few-shot latency transfer: a new device's latency for every network of a space, from the latencies of the same
 * networks on known (source) devices plus N networks measured on the new one (which N: src/profile/fewshot-design.ts).
 *
 * Model: a non-negative mix of the sources plus an intercept, with ridge-shrunk corrections:
 *
 *     y(net) ~ a + sum_s w_s * x_s(net) + sum_k d_k * P_k(net),   w_s >= 0
 *
 * where the corrections P_k are, when the sources are per-block tables, the sources' latency split by stage (stage =
 * the layers' output shape), pooled over the sources in units of each source's mean network (pooledStageParts): d_k
 * is then how much slower or faster (relative to the mix) the new device runs stage k, and the ridge pulls it towards
 * "no different". When no source has per-block parts (sources known per network only) the corrections are the
 * network's per-operator counts, standardised. Not both: with per-block sources the stage split already prices every
 * operator at its own shape, and ten measurements cannot carry nine more unknowns (bench/fewshot-transfer.ts: counts
 * on top of the stage parts lowered FBNet's mean rho at N = 10 from 0.927-0.929 to 0.901-0.918; docs/targets.md).
 *
 * Fitted by least squares on the relative error (errors of networks far below the typical one count relative to a
 * floor), with the ridge penalty lambda on the corrections only, each stage's weighted by how much the sources
 * themselves disagree on that stage (stagePriorWeights: a stage where the known devices differ is where a new one is
 * free to differ too). The non-negative mix keeps every source that helps and drops the ones that would enter with a
 * negative weight (two near-copies of one device fitted freely from ten points trade large opposite weights).
 * Lambda is not a setting: it is chosen by the exact leave-one-out relative error over the N measurements (each left
 * out in turn, the whole fit redone), from a fixed grid that includes "no corrections" (ties go to the simpler
 * model). The coefficients are the mean over that fit and its refits with each network (fold) left out, each refit
 * choosing its own lambda (fitFewShot). How the model was fixed: bench/fewshot-transfer.ts, docs/targets.md.
 */
import { LayernasError } from '../core/errors.js';
import { solve } from './calibration.js';
import { mean, pooledStageParts, stagePriorWeights, std } from './fewshot-design.js';
import { median } from './stats.js';

/** One stage's share of one source's latency, per network. */
export interface FewShotPart {
  /** index into FewShotFeatures.sources */
  readonly source: number;
  /** the stage (output shape of the stage's layers, e.g. "8x8x112") */
  readonly stage: string;
  readonly values: Float64Array;
}

/** Column-major features of a universe of candidate networks. */
export interface FewShotFeatures {
  readonly sourceNames: readonly string[];
  /** sources[s][i]: latency of network i on source s (ms) */
  readonly sources: readonly Float64Array[];
  /** per-stage parts of the sources that are per-block tables (none for sources known only per network) */
  readonly parts?: readonly FewShotPart[];
  readonly countNames: readonly string[];
  /** counts[k][i]: how many layers (edges) of network i run operator kind k */
  readonly counts: readonly Float64Array[];
}

/**
 * Ridge weights tried by the leave-one-out choice, simplest first; Infinity = no corrections (intercept + non-negative
 * source mix).
 */
export const FEWSHOT_LAMBDAS: readonly number[] = [Infinity, 10, 1, 1e-1, 1e-2];

/** errors of networks below this share of the median measured latency count relative to that floor (see fitFewShot) */
export const RELATIVE_FLOOR = 0.1;

/** more sources than this: the exact non-negative fit (every subset of sources) is too slow */
export const MAX_FEWSHOT_SOURCES = 10;

export interface FewShotFit {
  /** the source with the largest weight */
  readonly base: string;
  readonly lambda: number;
  readonly interceptMs: number;
  /** ms per ms of each source */
  readonly sourceWeights: Readonly<Record<string, number>>;
  /** ms per ms of a source's part in one stage (added to the source's weight for that stage's layers); one entry per FewShotFeatures.parts, in order */
  readonly partWeights: readonly { readonly source: string; readonly stage: string; readonly weight: number }[];
  /** ms per layer of each operator kind */
  readonly countWeights: Readonly<Record<string, number>>;
  /** leave-one-out relative errors (predicted - measured) / max(measured, floor) of the chosen model, one per measurement */
  readonly looErrors: readonly number[];
  /** root mean square of looErrors */
  readonly looRmse: number;
  readonly networks: number;
}

interface Design {
  /** rows[j]: [intercept?, sources..., corrections...] of measurement j */
  readonly rows: readonly number[][];
  readonly y: readonly number[];
  readonly w: readonly number[];
  readonly head: number;
  readonly nSrc: number;
  /** the ridge weight of each correction column, relative to lambda (stagePriorWeights; 1 for counts) */
  readonly penalty: readonly number[];
}

/**
 * Least squares sum_j w_j (y_j - x_j b)^2 + lambda sum_k penalty_k g_k^2 (g: the corrections) over the rows `use`,
 * source weights >= 0: the unconstrained optimum on every non-empty subset of sources, the best one whose source
 * weights are all >= 0 (exact over those subsets: the constrained optimum is the unconstrained one on its own support).
 */
function nonNegativeRidge(d: Design, use: readonly number[], lambda: number, nCorr: number): number[] {
  const p = d.head + d.nSrc + nCorr;
  let best: { obj: number; beta: number[] } | undefined;
  // at least one source enters (a mix of none is a constant, or counts only: not a transfer); when every subset wants
  // a negative weight (near-zero networks can tilt a relative fit), all sources enter unconstrained
  const full = (1 << d.nSrc) - 1;
  for (const mask of [...Array.from({ length: full }, (_, m) => m + 1), -1]) {
    if (mask === -1 && best) break;
    const free = mask === -1;
    const cols = Array.from({ length: p }, (_, c) => c).filter((c) => c < d.head || c >= d.head + d.nSrc || ((free ? full : mask) >> (c - d.head)) & 1);
    const a = cols.map((ci) => cols.map((cj) => (ci === cj && ci >= d.head + d.nSrc ? lambda * (d.penalty[ci - d.head - d.nSrc] as number) : 0) + (ci === cj ? 1e-10 : 0)));
    const b = new Array<number>(cols.length).fill(0);
    for (const r of use) {
      const x = d.rows[r] as number[];
      const wr = d.w[r] as number;
      cols.forEach((ci, i) => {
        b[i] = (b[i] as number) + wr * (x[ci] as number) * (d.y[r] as number);
        const ai = a[i] as number[];
        cols.forEach((cj, j) => { ai[j] = (ai[j] as number) + wr * (x[ci] as number) * (x[cj] as number); });
      });
    }
    const sol = solve(a, b);
    if (!free && cols.some((c, i) => c >= d.head && c < d.head + d.nSrc && (sol[i] as number) < 0)) continue;
    const beta = new Array<number>(p).fill(0);
    cols.forEach((c, i) => { beta[c] = sol[i] as number; });
    let obj = 0;
    for (const r of use) obj += (d.w[r] as number) * ((d.y[r] as number) - (d.rows[r] as number[]).reduce((s, v, j) => s + v * (beta[j] as number), 0)) ** 2;
    for (let c = d.head + d.nSrc; c < p; c++) obj += lambda * (d.penalty[c - d.head - d.nSrc] as number) * (beta[c] as number) ** 2;
    if (!best || obj < best.obj) best = { obj, beta };
  }
  return (best as { beta: number[] }).beta;
}

/** One fit on all of `chosen` (the lambda chosen by its own leave-one-out error). */
function fitOnce(f: FewShotFeatures, chosen: readonly number[], measured: readonly number[], lambdas: readonly number[], options: FewShotFitOptions): FewShotFit {
  const withIntercept = options.intercept !== false;
  const head = withIntercept ? 1 : 0;
  if (chosen.length !== measured.length) throw new LayernasError('USAGE', `${chosen.length} networks but ${measured.length} measurements`);
  if (chosen.length < 3) throw new LayernasError('USAGE', `a few-shot fit needs at least 3 measured networks, got ${chosen.length}`, { networks: chosen.length });
  if (f.sources.length === 0) throw new LayernasError('USAGE', 'a few-shot fit needs at least one source device');
  if (f.sources.length > MAX_FEWSHOT_SOURCES) throw new LayernasError('USAGE', `a few-shot fit takes at most ${MAX_FEWSHOT_SOURCES} sources, got ${f.sources.length}`, { sources: f.sources.length });
  const bad = measured.findIndex((v) => !(v > 0) || !Number.isFinite(v));
  if (bad >= 0) throw new LayernasError('USAGE', `measurement ${bad} is not a positive latency (${measured[bad]})`, { index: bad });
  const ym = mean(measured);
  const y = measured.map((v) => v / ym);
  // relative error, but not below a floor: a network far below the typical one (NB201 cells whose output is cut off
  // run in 0.005 ms on some devices) would otherwise decide the whole fit
  const floor = RELATIVE_FLOOR * median(y);
  const w = y.map((v) => 1 / Math.max(v, floor) ** 2);
  const parts = f.parts ?? [];
  const srcMean = f.sources.map((c) => mean(c));
  // corrections: the pooled stage parts (in units of a mean source network, centred, not scaled: the ridge then pulls
  // each stage's relative speed towards the mix's) or, without per-block sources, the counts standardised by the
  // universe's mean and sd (known for every network); constant ones dropped
  const stages = pooledStageParts(f);
  const byStage = stages.length > 0;
  const corrCols = byStage ? stages.map((p) => p.values) : f.counts;
  const corr = corrCols.map((c, k) => { const m = mean(c); const sd = std(c, m); return { k, m, sd, scale: byStage ? 1 : sd }; }).filter((c) => c.sd > 1e-12);
  const nSrc = f.sources.length;
  const prior = byStage ? stagePriorWeights(f) : [];
  const penalty = corr.map((c) => (byStage ? (prior[c.k] as number) : 1));
  // without an intercept the corrections are scaled, not centred (centring would bring an intercept back)
  const rows = chosen.map((i) => [
    ...(withIntercept ? [1] : []),
    ...f.sources.map((c, s) => (c[i] as number) / (srcMean[s] as number)),
    ...corr.map((c) => (((corrCols[c.k] as Float64Array)[i] as number) - (withIntercept ? c.m : 0)) / c.scale),
  ]);
  let best: { score: number; lambda: number; beta: number[]; loo: number[]; nCorr: number } | undefined;
  for (const lambda of lambdas) {
    const nCorr = Number.isFinite(lambda) ? corr.length : 0;
    if (!Number.isFinite(lambda) || nCorr > 0 || !best) {
      const d: Design = { rows: rows.map((r) => r.slice(0, head + nSrc + nCorr)), y, w, head, nSrc, penalty };
      const all = chosen.map((_, j) => j);
      const loo = all.map((j) => {
        const beta = nonNegativeRidge(d, all.filter((r) => r !== j), Number.isFinite(lambda) ? lambda : 0, nCorr);
        const fit = (d.rows[j] as number[]).reduce((s, v, c) => s + v * (beta[c] as number), 0);
        return (fit - (y[j] as number)) / Math.max(y[j] as number, floor);
      });
      const score = Math.sqrt(mean(loo.map((e) => e * e)));
      if (!best || score < best.score - 1e-12) best = { score, lambda, beta: nonNegativeRidge(d, all, Number.isFinite(lambda) ? lambda : 0, nCorr), loo, nCorr };
    }
  }
  const c = best as NonNullable<typeof best>;
  // back to raw units: y = ym * (b0 + sum_s b_s x_s / mean_s + sum_k g_k (x_k - m_k) / sd_k)
  let intercept = withIntercept ? ym * (c.beta[0] as number) : 0;
  const sourceWeights: Record<string, number> = {};
  f.sourceNames.forEach((n, s) => { sourceWeights[n] = (ym * (c.beta[head + s] as number)) / (srcMean[s] as number); });
  const countWeights: Record<string, number> = Object.fromEntries(f.countNames.map((n) => [n, 0]));
  const partWeights = parts.map((p) => ({ source: f.sourceNames[p.source] as string, stage: p.stage, weight: 0 }));
  const withParts = new Set(parts.map((p) => p.source)).size;
  corr.slice(0, c.nCorr).forEach((col, j) => {
    const g = (ym * (c.beta[head + nSrc + j] as number)) / col.scale;
    if (withIntercept) intercept -= g * col.m;
    if (byStage) {
      // back onto each source's part in that stage: pooled = sum over sources of part / (sources with parts x source mean)
      const stage = (stages[col.k] as { stage: string }).stage;
      parts.forEach((p, k) => {
        if (p.stage === stage) partWeights[k] = { ...(partWeights[k] as FewShotFit['partWeights'][number]), weight: g / (withParts * (srcMean[p.source] as number)) };
      });
    } else countWeights[f.countNames[col.k] as string] = g;
  });
  const base = f.sourceNames.reduce((a, n) => ((sourceWeights[n] ?? 0) > (sourceWeights[a] ?? 0) ? n : a), f.sourceNames[0] as string);
  return { base, lambda: c.lambda, interceptMs: intercept, sourceWeights, partWeights, countWeights, looErrors: c.loo, looRmse: c.score, networks: chosen.length };
}

export interface FewShotFitOptions {
  /** false: no intercept (the fixed part held at 0) */
  readonly intercept?: boolean;
  /**
   * how many of the measurements (the last ones) were taken where a search went, to pin the estimate there
   * (src/profile/fewshot-refine.ts); when any is, the fit is the one on all N, not the average over refits: a refit
   * that left one of the chosen networks out can choose no corrections and price the pinned corner as the sources do
   * (test/profile/fewshot-refine.test.ts: 4 of 10 refits did, and the winner's error went from 0.2% to 10%)
   */
  readonly pinned?: number;
}

/** at most this many refits in fitFewShot's average (folds of the measurements, each left out in turn) */
export const FEWSHOT_FOLDS = 10;

/**
 * Fit the new device from `measured[j]` = latency of network `chosen[j]` (see the file comment): the mean of the
 * coefficients of the fit on all N measurements and of its refits with each fold left out (N folds of one network up
 * to FEWSHOT_FOLDS, then that many folds; no refits below 4 networks or with options.pinned), every refit choosing its
 * own lambda. With ten points the leave-one-out choice of lambda turns on one or two networks; averaging over the
 * refits smooths that choice (FBNet mean rho at N = 10 over five sets of 20 draws: 0.928 -> 0.930 with the stage
 * prior; docs/targets.md, session 15). The leave-one-out errors reported are each network's error under the refit
 * that did not see it.
 */
export function fitFewShot(f: FewShotFeatures, chosen: readonly number[], measured: readonly number[], lambdas: readonly number[] = FEWSHOT_LAMBDAS, options: FewShotFitOptions = {}): FewShotFit {
  const all = fitOnce(f, chosen, measured, lambdas, options);
  const n = chosen.length;
  if (n < 4 || (options.pinned ?? 0) > 0) return all;
  const folds = Math.min(n, FEWSHOT_FOLDS);
  const fits = [all];
  const errors = new Array<number>(n).fill(0);
  const floor = RELATIVE_FLOOR * median(measured);
  for (let g = 0; g < folds; g++) {
    const keep = chosen.map((_, j) => j).filter((j) => j % folds !== g);
    const refit = fitOnce(f, keep.map((j) => chosen[j] as number), keep.map((j) => measured[j] as number), lambdas, options);
    fits.push(refit);
    chosen.forEach((i, j) => {
      if (j % folds === g) errors[j] = (predictFewShot(refit, f, i) - (measured[j] as number)) / Math.max(measured[j] as number, floor);
    });
  }
  const avg = (get: (fit: FewShotFit) => number): number => fits.reduce((a, fit) => a + get(fit), 0) / fits.length;
  const sourceWeights = Object.fromEntries(f.sourceNames.map((name) => [name, avg((fit) => fit.sourceWeights[name] ?? 0)]));
  const countWeights = Object.fromEntries(f.countNames.map((name) => [name, avg((fit) => fit.countWeights[name] ?? 0)]));
  const partWeights = all.partWeights.map((p, k) => ({ ...p, weight: avg((fit) => fit.partWeights[k]?.weight ?? 0) }));
  const base = f.sourceNames.reduce((a, name) => ((sourceWeights[name] ?? 0) > (sourceWeights[a] ?? 0) ? name : a), f.sourceNames[0] as string);
  return { ...all, base, interceptMs: avg((fit) => fit.interceptMs), sourceWeights, partWeights, countWeights, looErrors: errors, looRmse: Math.sqrt(mean(errors.map((e) => e * e))) };
}

/** The fit's latency of network i of the universe (never below 0). */
export function predictFewShot(fit: FewShotFit, f: FewShotFeatures, i: number): number {
  let v = fit.interceptMs;
  f.sourceNames.forEach((n, s) => { v += (fit.sourceWeights[n] ?? 0) * ((f.sources[s] as Float64Array)[i] as number); });
  (f.parts ?? []).forEach((p, k) => { v += (fit.partWeights[k]?.weight ?? 0) * (p.values[i] as number); });
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
