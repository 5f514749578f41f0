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
 * from 85-90% to 90-97% of calibration networks within +-10% left out of the fit; bench/calibration-variants.ts). The
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

/** The general fit behind fitCalibration, open to other groupings and network-level terms (bench/calibration-variants.ts). */
export interface KindFitOptions extends CalibrationOptions {
  /** which scale a layer's one-block time gets (default: operatorKind of its key) */
  readonly kindOf?: (key: string) => string;
  /** network-level terms, each fitted with one coefficient (e.g. () => 1 for an intercept) */
  readonly extras?: readonly ((n: CalibrationNetwork) => number)[];
  /** keep every extra's coefficient >= 0: the most negative one is dropped (set to 0) and the rest refitted (default true) */
  readonly nonNegativeExtras?: boolean;
}

export interface KindFit {
  /** per kind, clipped to [1/maxScale, maxScale] */
  readonly scales: Readonly<Record<string, number>>;
  /** one coefficient per extra term */
  readonly extras: readonly number[];
  /** fixed + sum of scale x one-block + sum of coefficient x extra term */
  readonly predict: (n: CalibrationNetwork) => number;
}

export function fitKindScales(nets: readonly CalibrationNetwork[], options: KindFitOptions = {}): KindFit {
  const ridge = options.ridge ?? 0.5;
  const maxScale = options.maxScale ?? 2;
  const kindOf = options.kindOf ?? operatorKind;
  const terms = options.extras ?? [];
  const kinds = [...new Set(nets.flatMap((n) => n.layers.map((l) => kindOf(l.key))))].sort();
  const kindSums = (n: CalibrationNetwork): number[] => {
    const x = new Array<number>(kinds.length).fill(0);
    for (const l of n.layers) {
      const i = kinds.indexOf(kindOf(l.key));
      if (i >= 0) x[i] = (x[i] as number) + l.ms;
    }
    return x;
  };
  const rows = nets.map((n) => ({ x: kindSums(n), extra: terms.map((t) => t(n)), y: n.measuredMs - n.fixedMs, measured: n.measuredMs }));
  /** fit the kind scales plus the extra terms flagged in `use`; unused extras are 0 */
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
  const use = terms.map(() => true);
  let beta = rows.length > 0 ? fit(use) : { scales: kinds.map(() => 1), extra: terms.map(() => 0) };
  while (options.nonNegativeExtras !== false && rows.length > 0 && beta.extra.some((e) => e < 0)) {
    const worst = beta.extra.reduce((wi, e, i) => (e < (beta.extra[wi] as number) ? i : wi), 0);
    use[worst] = false;
    beta = fit(use);
  }
  const scaleList = beta.scales.map((v) => Math.min(maxScale, Math.max(1 / maxScale, v)));
  const scales: Record<string, number> = {};
  kinds.forEach((k, i) => { scales[k] = scaleList[i] as number; });
  const extras = beta.extra;
  const predict = (n: CalibrationNetwork): number =>
    n.fixedMs + kindSums(n).reduce((acc, v, i) => acc + v * (scaleList[i] as number), 0) + terms.reduce((acc, t, j) => acc + t(n) * (extras[j] as number), 0);
  return { scales, extras, predict };
}

/** Millions of weights a network's layers hold (streamed in on every inference). */
export function networkWeightsM(n: CalibrationNetwork): number {
  return n.layers.reduce((s, l) => s + l.params, 0) / 1e6;
}

export function fitCalibration(nets: readonly CalibrationNetwork[], options: CalibrationOptions = {}): CalibrationFit {
  const fit = fitKindScales(nets, { ...options, extras: [() => 1, networkWeightsM], nonNegativeExtras: true });
  const relError = (n: CalibrationNetwork, predicted: number): number => (predicted - n.measuredMs) / n.measuredMs;
  return {
    scales: fit.scales,
    interceptMs: fit.extras[0] as number,
    msPerMillionWeights: fit.extras[1] as number,
    errorsBefore: nets.map((n) => relError(n, n.fixedMs + n.layers.reduce((s, l) => s + l.ms, 0))),
    errorsAfter: nets.map((n) => relError(n, fit.predict(n))),
  };
}
