/** Robust summary statistics of timing samples (ms). */

export interface SampleSummary {
  readonly median_ms: number;
  readonly mean_ms: number;
  readonly p90_ms: number;
  readonly iqr_ms: number;
  readonly min_ms: number;
  readonly samples: number;
}

/** Linear-interpolated quantile (q in [0,1]) of sorted values. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function summarize(samples: readonly number[]): SampleSummary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((x, y) => x + y, 0) / Math.max(1, s.length);
  return {
    median_ms: quantileSorted(s, 0.5),
    mean_ms: mean,
    p90_ms: quantileSorted(s, 0.9),
    iqr_ms: quantileSorted(s, 0.75) - quantileSorted(s, 0.25),
    min_ms: s[0] ?? NaN,
    samples: s.length,
  };
}

export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}
