/**
 * Weight preparation for the lowering: batch-norm folding and PyTorch → IR layout changes.
 * BN (inference): y = gamma * (x - mean) / sqrt(var + eps) + beta, eps = 1e-5 (src/arch/spec.ts).
 */
import { LayernasError } from '../core/errors.js';
import type { WeightMap, WeightTensor } from '../arch/weights.js';

export const BN_EPS = 1e-5;

export function getTensor(weights: WeightMap, name: string): WeightTensor {
  const t = weights.get(name);
  if (!t) throw new LayernasError('WEIGHTS_INVALID', `weights lack tensor '${name}'`, { tensor: name });
  return t;
}

/** per-channel scale and shift of an inference BN with prefix `p` (p.weight, p.bias, p.running_mean, p.running_var) */
export function bnAffine(weights: WeightMap, p: string): { scale: Float64Array; shift: Float64Array } {
  const gamma = getTensor(weights, `${p}.weight`).data;
  const beta = getTensor(weights, `${p}.bias`).data;
  const mean = getTensor(weights, `${p}.running_mean`).data;
  const variance = getTensor(weights, `${p}.running_var`).data;
  const n = gamma.length;
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const v = variance[c] as number;
    if (!(v >= 0)) throw new LayernasError('WEIGHTS_INVALID', `'${p}.running_var'[${c}] = ${v} is negative or NaN`, { tensor: `${p}.running_var`, index: c });
    scale[c] = (gamma[c] as number) / Math.sqrt(v + BN_EPS);
    shift[c] = (beta[c] as number) - (mean[c] as number) * (scale[c] as number);
  }
  return { scale, shift };
}

export interface FoldedConv {
  /** IR layout: OHWI [O, kh, kw, I/groups] for dense/grouped, [1, kh, kw, C] for depthwise */
  readonly weight: Float32Array;
  readonly shape: [number, number, number, number];
  readonly bias: Float32Array;
}

/**
 * Conv `module` (weight OIHW [O, I/g, kh, kw], optional bias, optional `module.bn`) folded to one conv with bias,
 * laid out for the IR (depthwise: [1, kh, kw, C]).
 */
export function foldConv(weights: WeightMap, module: string, opts: { bias: boolean; bn: boolean; depthwise: boolean }): FoldedConv {
  const w = getTensor(weights, `${module}.weight`);
  const [O, Ig, kh, kw] = w.shape as [number, number, number, number];
  const bias = opts.bias ? getTensor(weights, `${module}.bias`).data : undefined;
  const bn = opts.bn ? bnAffine(weights, `${module}.bn`) : undefined;
  const scale = (o: number): number => (bn ? (bn.scale[o] as number) : 1);
  const outBias = new Float32Array(O);
  for (let o = 0; o < O; o++) outBias[o] = (bias ? (bias[o] as number) : 0) * scale(o) + (bn ? (bn.shift[o] as number) : 0);
  const out = new Float32Array(w.data.length);
  if (opts.depthwise) {
    if (Ig !== 1) throw new LayernasError('WEIGHTS_INVALID', `depthwise '${module}.weight' must be [C, 1, kh, kw], is [${w.shape}]`, { tensor: `${module}.weight` });
    for (let c = 0; c < O; c++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      out[(y * kw + x) * O + c] = (w.data[(c * kh + y) * kw + x] as number) * scale(c);
    }
    return { weight: out, shape: [1, kh, kw, O], bias: outBias };
  }
  for (let o = 0; o < O; o++) for (let i = 0; i < Ig; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    out[((o * kh + y) * kw + x) * Ig + i] = (w.data[((o * Ig + i) * kh + y) * kw + x] as number) * scale(o);
  }
  return { weight: out, shape: [O, kh, kw, Ig], bias: outBias };
}
