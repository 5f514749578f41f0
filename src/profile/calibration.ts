/**
 * Calibration of a one-block table against whole networks measured on the same target in the same session.
 *
 * A block timed alone is not exactly the block inside a network: alone, its weights and input stay in cache between
 * runs; inside a network they are evicted by the other layers, and the runtime may fuse or split differently at the
 * model's edges. The error is systematic per kind of operator (on this machine: 7x7 depthwise blocks are timed 5-15%
 * slower alone than in a network, small FBNet blocks faster). So, like nn-Meter's per-kernel predictors, we fit one
 * scale per operator kind, plus a non-negative intercept and a cost per weight, on N measured networks:
 *
 *     measured(net) ~ intercept + sum over layers of scale[kind(layer)] * oneBlock(layer)
 *                   + perWeight * sum over layers of weights(layer)
 *
 * by least squares on the relative error, with a ridge pull of every scale towards 1 (a kind seen in few networks
 * keeps its one-block figure). The weight term prices what a one-block timing cannot see: timed alone, a block's
 * weights stay in cache from run to run; inside a network every layer's weights stream in again on each inference,
 * so a network with more weights runs slower than the sum of its blocks (on this machine it took FBNet's TFLite tables
 * from 88-90% to 95% of calibration networks within +-10% left out of the fit; bench/calibration-variants.ts). The
 * intercept and the weight cost are kept non-negative (a term that would go negative is dropped and the rest refitted).
 * The table then stores scale * oneBlock + perWeight * weights as each entry's median (the one-block figure is kept in
 * the entry's note), so the predictor stays a plain sum over the shape walk.
 */

/** Operator kind of a table key: the block string without channels, stride and input shape (`ir_k5_e6_relu`). */
export function operatorKind(key: string): string {
  const block = key.split('@')[0] ?? key;
  return block.split('_').filter((t) => !/^c\d+$/.test(t) && !/^s\d+$/.test(t)).join('_');
}

export interface CalibrationNetwork {
  /** the network's layers as (table key, one-block ms, trainable parameters: src/arch/shapes.ts walkShapes) */
  readonly layers: readonly { readonly key: string; readonly ms: number; readonly params: number }[];
  /** the fixed parts the table already has (e.g. invoke overhead) */
  readonly fixedMs: number;
  readonly measuredMs: number;
}

export interface CalibrationFit {
  readonly scales: Readonly<Record<string, number>>;
  readonly interceptMs: number;
  /** ms per million weights of a layer (>= 0) */
  readonly msPerMillionWeights: number;
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
    let weightsM = 0;
    for (const l of n.layers) {
      const i = kinds.indexOf(operatorKind(l.key));
      x[i] = (x[i] as number) + l.ms;
      weightsM += l.params / 1e6;
    }
    return { x, extra: [1, weightsM], y: n.measuredMs - n.fixedMs, measured: n.measuredMs, fixed: n.fixedMs };
  });
  /** fit the kind scales plus the extra terms flagged in `use` (intercept, weight cost); unused extras are 0 */
  const fit = (use: readonly boolean[]): { scales: number[]; extra: number[] } => {
    const active = use.flatMap((u, j) => (u ? [j] : []));
    const dim = kinds.length + active.length;
    const a = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
    const b = new Array<number>(dim).fill(0);
    for (const r of rows) {
      const f = [...r.x, ...active.map((j) => r.extra[j] as number)];
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
    const beta = solve(a, b);
    const extra = use.map(() => 0);
    active.forEach((j, k) => { extra[j] = beta[kinds.length + k] as number; });
    return { scales: beta.slice(0, kinds.length), extra };
  };
  // active set: drop the most negative extra term and refit until none is negative
  const use = [true, true];
  let beta = rows.length > 0 ? fit(use) : { scales: kinds.map(() => 1), extra: [0, 0] };
  while (rows.length > 0 && beta.extra.some((e) => e < 0)) {
    const worst = beta.extra.reduce((wi, e, i) => (e < (beta.extra[wi] as number) ? i : wi), 0);
    use[worst] = false;
    beta = fit(use);
  }
  const scales: Record<string, number> = {};
  kinds.forEach((k, i) => { scales[k] = Math.min(maxScale, Math.max(1 / maxScale, beta.scales[i] as number)); });
  const interceptMs = Math.max(0, beta.extra[0] as number);
  const msPerMillionWeights = Math.max(0, beta.extra[1] as number);
  const predict = (r: (typeof rows)[number], s: (k: number) => number, extra: readonly number[]): number =>
    r.fixed + r.x.reduce((acc, v, i) => acc + v * s(i), 0) + r.extra.reduce((acc, v, j) => acc + v * (extra[j] as number), 0);
  return {
    scales,
    interceptMs,
    msPerMillionWeights,
    errorsBefore: rows.map((r) => (predict(r, () => 1, [0, 0]) - r.measured) / r.measured),
    errorsAfter: rows.map((r) => (predict(r, (i) => scales[kinds[i] as string] as number, [interceptMs, msPerMillionWeights]) - r.measured) / r.measured),
  };
}
