/**
 * Calibration of a one-block table against whole networks measured on the same target in the same session.
 *
 * A block timed alone is not exactly the block inside a network: alone, its weights and input stay in cache between
 * runs; inside a network they are evicted by the other layers, and the runtime may fuse or split differently at the
 * model's edges. The error is systematic per kind of operator (on this machine: 7x7 depthwise blocks are timed 5-15%
 * slower alone than in a network, small FBNet blocks faster). So, like nn-Meter's per-kernel predictors, we fit one
 * scale per operator kind, plus a non-negative intercept, on N measured networks:
 *
 *     measured(net) ~ intercept + sum over layers of scale[kind(layer)] * oneBlock(layer)
 *
 * by least squares on the relative error, with a ridge pull of every scale towards 1 (a kind seen in few networks
 * keeps its one-block figure). The table then stores scale * oneBlock as each entry's median (the one-block figure is
 * kept in the entry's note), so the predictor stays a plain sum over the shape walk.
 */

/** Operator kind of a table key: the block string without channels, stride and input shape (`ir_k5_e6_relu`). */
export function operatorKind(key: string): string {
  const block = key.split('@')[0] ?? key;
  return block.split('_').filter((t) => !/^c\d+$/.test(t) && !/^s\d+$/.test(t)).join('_');
}

export interface CalibrationNetwork {
  /** the network's layers as (table key, one-block ms) */
  readonly layers: readonly { readonly key: string; readonly ms: number }[];
  /** the fixed parts the table already has (e.g. invoke overhead) */
  readonly fixedMs: number;
  readonly measuredMs: number;
}

export interface CalibrationFit {
  readonly scales: Readonly<Record<string, number>>;
  readonly interceptMs: number;
  /** relative errors (predicted - measured) / measured on the fitting networks, before and after */
  readonly errorsBefore: readonly number[];
  readonly errorsAfter: readonly number[];
}

/** Solve A x = b (A square, small) by Gaussian elimination with partial pivoting. */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let k = i + 1; k < n; k++) if (Math.abs((m[k] as number[])[i] as number) > Math.abs((m[p] as number[])[i] as number)) p = k;
    [m[i], m[p]] = [m[p] as number[], m[i] as number[]];
    const piv = (m[i] as number[])[i] as number;
    if (Math.abs(piv) < 1e-18) continue;
    for (let k = i + 1; k < n; k++) {
      const f = ((m[k] as number[])[i] as number) / piv;
      for (let j = i; j <= n; j++) (m[k] as number[])[j] = ((m[k] as number[])[j] as number) - f * ((m[i] as number[])[j] as number);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const row = m[i] as number[];
    let s = row[n] as number;
    for (let j = i + 1; j < n; j++) s -= (row[j] as number) * (x[j] as number);
    x[i] = Math.abs(row[i] as number) < 1e-18 ? 0 : s / (row[i] as number);
  }
  return x;
}

export interface CalibrationOptions {
  /** ridge weight pulling every scale towards 1 (relative-error units) */
  readonly ridge?: number;
  /** scales are clipped to [1/maxScale, maxScale] */
  readonly maxScale?: number;
}

export function fitCalibration(nets: readonly CalibrationNetwork[], options: CalibrationOptions = {}): CalibrationFit {
  const ridge = options.ridge ?? 0.5;
  const maxScale = options.maxScale ?? 2;
  const kinds = [...new Set(nets.flatMap((n) => n.layers.map((l) => operatorKind(l.key))))].sort();
  const rows = nets.map((n) => {
    const x = new Array<number>(kinds.length).fill(0);
    for (const l of n.layers) {
      const i = kinds.indexOf(operatorKind(l.key));
      x[i] = (x[i] as number) + l.ms;
    }
    return { x, y: n.measuredMs - n.fixedMs, measured: n.measuredMs, fixed: n.fixedMs };
  });
  const fit = (withIntercept: boolean): number[] => {
    const dim = kinds.length + (withIntercept ? 1 : 0);
    const a = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
    const b = new Array<number>(dim).fill(0);
    for (const r of rows) {
      const f = withIntercept ? [...r.x, 1] : r.x;
      const w = 1 / (r.measured * r.measured);
      for (let i = 0; i < dim; i++) {
        b[i] = (b[i] as number) + w * (f[i] as number) * r.y;
        for (let j = 0; j < dim; j++) (a[i] as number[])[j] = ((a[i] as number[])[j] as number) + w * (f[i] as number) * (f[j] as number);
      }
    }
    for (let i = 0; i < kinds.length; i++) {
      (a[i] as number[])[i] = ((a[i] as number[])[i] as number) + ridge;
      b[i] = (b[i] as number) + ridge;
    }
    return solve(a, b);
  };
  let beta = rows.length > 0 ? fit(true) : kinds.map(() => 1).concat([0]);
  if ((beta[kinds.length] as number) < 0) beta = [...fit(false), 0];
  const scales: Record<string, number> = {};
  kinds.forEach((k, i) => { scales[k] = Math.min(maxScale, Math.max(1 / maxScale, beta[i] as number)); });
  const interceptMs = Math.max(0, beta[kinds.length] as number);
  const predict = (r: (typeof rows)[number], s: (k: number) => number, c: number): number => r.fixed + c + r.x.reduce((acc, v, i) => acc + v * s(i), 0);
  return {
    scales,
    interceptMs,
    errorsBefore: rows.map((r) => (predict(r, () => 1, 0) - r.measured) / r.measured),
    errorsAfter: rows.map((r) => (predict(r, (i) => scales[kinds[i] as string] as number, interceptMs) - r.measured) / r.measured),
  };
}
