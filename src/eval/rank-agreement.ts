/**
 * How well does one score rank architectures like another? Kendall's tau-b, a bootstrap interval over architectures,
 * and the noise ceiling: the tau a perfect predictor of each architecture's expected accuracy would reach against
 * accuracies that carry training noise of a known size. Used by the proxy-vs-full benches (bench/train-kendall.ts,
 * bench/kendall-ceiling.ts).
 */
import { Rng } from '../core/rng.js';

/** Kendall's tau-b between two equally long score lists (pairs tied in both lists are skipped). */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`kendallTau: lists of ${a.length} and ${b.length} scores`);
  let concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign((a[i] as number) - (a[j] as number)), db = Math.sign((b[i] as number) - (b[j] as number));
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom === 0 ? 0 : (concordant - discordant) / denom;
}

/** The q-quantile (0..1) of an ascending list, nearest rank below (not interpolated: the bootstrap's printed bounds are taus that occurred). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Sample standard deviation (n - 1). */
function sampleSd(values: readonly number[]): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

/** 5th and 95th percentiles of tau over architectures resampled with replacement (fixed seed: same data, same interval). */
export function bootstrapInterval(a: readonly number[], b: readonly number[], resamples = 2000, seed = 1): [number, number] {
  const rng = new Rng(seed);
  const taus: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const idx = a.map(() => rng.int(a.length));
    taus.push(kendallTau(idx.map((k) => a[k] as number), idx.map((k) => b[k] as number)));
  }
  taus.sort((x, y) => x - y);
  return [quantile(taus, 0.05), quantile(taus, 0.95)];
}

/** Standard deviation of one run's score, from pairs of runs of the same architectures: sd(difference) / sqrt 2. */
export function runNoiseSd(pairs: readonly (readonly [number, number])[]): number {
  if (pairs.length < 2) throw new RangeError(`runNoiseSd needs at least 2 pairs, got ${pairs.length}`);
  return sampleSd(pairs.map(([x, y]) => x - y)) / Math.SQRT2;
}

export interface NoiseCeiling {
  /** observed spread of the scores across architectures (sample sd) */
  readonly observedSd: number;
  /** spread left for the architectures themselves: sqrt(observed² − noise²), 0 when the noise explains it all */
  readonly architectureSd: number;
  /** share of the observed variance that belongs to the architectures */
  readonly reliability: number;
  /** tau of a perfect predictor of the expected score against one noisy run: mean and 5th / 95th percentiles */
  readonly tauMean: number;
  readonly tau5: number;
  readonly tau95: number;
}

/**
 * Monte Carlo: n architectures with expected scores ~ N(0, architectureSd²), each measured once with N(0, noiseSd²)
 * added; tau between the expected and the measured scores, repeated `trials` times. The expected scores are what a
 * perfect proxy would predict, so this is the best tau any proxy can reach against one run of the full setting.
 */
export function noiseCeiling(observed: readonly number[], noiseSd: number, trials = 4000, seed = 1): NoiseCeiling {
  const n = observed.length;
  if (n < 3) throw new RangeError(`noiseCeiling needs at least 3 scores, got ${n}`);
  const observedSd = sampleSd(observed);
  const architectureSd = Math.sqrt(Math.max(0, observedSd ** 2 - noiseSd ** 2));
  const rng = new Rng(seed);
  const taus: number[] = [];
  for (let t = 0; t < trials; t++) {
    const truth = Array.from({ length: n }, () => architectureSd * rng.normal());
    taus.push(kendallTau(truth, truth.map((v) => v + noiseSd * rng.normal())));
  }
  taus.sort((x, y) => x - y);
  return {
    observedSd, architectureSd, reliability: architectureSd ** 2 / observedSd ** 2,
    tauMean: taus.reduce((s, v) => s + v, 0) / trials, tau5: quantile(taus, 0.05), tau95: quantile(taus, 0.95),
  };
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
  const ma = ra.reduce((s, v) => s + v, 0) / ra.length;
  const mb = rb.reduce((s, v) => s + v, 0) / rb.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    const x = (ra[i] as number) - ma, y = (rb[i] as number) - mb;
    sab += x * y; saa += x * x; sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}
