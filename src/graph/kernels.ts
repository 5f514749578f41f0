/**
 * Plain-TypeScript kernels of the reference forward pass (src/graph/reference.ts). NHWC, batch 1,
 * Float32 storage, float64 accumulation (JS numbers). Written for clarity and exactness, not speed.
 */
import type { FusedActivation } from './ir.js';

export function applyAct(v: number, act: FusedActivation): number {
  switch (act) {
    case 'none': return v;
    case 'relu': return v > 0 ? v : 0;
    case 'relu6': return v < 0 ? 0 : v > 6 ? 6 : v;
  }
}

/** TF SAME / VALID geometry of one spatial axis: output size and the padding before the first element. */
export function samePadding(inSize: number, kernel: number, stride: number, padding: 'same' | 'valid'): { out: number; before: number } {
  if (padding === 'valid') return { out: Math.floor((inSize - kernel) / stride) + 1, before: 0 };
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + kernel - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

export interface Shape4 { h: number; w: number; c: number }

/** conv with weights OHWI [O, kh, kw, I/groups] */
export function conv2d(x: Float32Array, xs: Shape4, w: Float32Array, wShape: readonly number[], bias: Float32Array,
  stride: number, padding: 'same' | 'valid', groups: number, act: FusedActivation): { y: Float32Array; ys: Shape4 } {
  const [O, kh, kw, Ig] = wShape as [number, number, number, number];
  const py = samePadding(xs.h, kh, stride, padding);
  const px = samePadding(xs.w, kw, stride, padding);
  const ys = { h: py.out, w: px.out, c: O };
  const y = new Float32Array(ys.h * ys.w * O);
  const Og = O / groups;
  // weights re-laid as [group][kh][kw][Ig][Og] so the innermost loop runs over contiguous output channels
  const wt = new Float64Array(w.length);
  for (let o = 0; o < O; o++) {
    const g = Math.floor(o / Og);
    const og = o - g * Og;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let i = 0; i < Ig; i++) {
      wt[(((g * kh + ky) * kw + kx) * Ig + i) * Og + og] = w[((o * kh + ky) * kw + kx) * Ig + i] as number;
    }
  }
  const acc = new Float64Array(O);
  for (let oy = 0; oy < ys.h; oy++) {
    for (let ox = 0; ox < ys.w; ox++) {
      for (let o = 0; o < O; o++) acc[o] = bias[o] as number;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * stride + ky - py.before;
        if (iy < 0 || iy >= xs.h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * stride + kx - px.before;
          if (ix < 0 || ix >= xs.w) continue;
          for (let g = 0; g < groups; g++) {
            const xBase = (iy * xs.w + ix) * xs.c + g * Ig;
            const oBase = g * Og;
            for (let i = 0; i < Ig; i++) {
              const xv = x[xBase + i] as number;
              if (xv === 0) continue;
              const wBase = (((g * kh + ky) * kw + kx) * Ig + i) * Og;
              for (let o = 0; o < Og; o++) acc[oBase + o] = (acc[oBase + o] as number) + xv * (wt[wBase + o] as number);
            }
          }
        }
      }
      const yBase = (oy * ys.w + ox) * O;
      for (let o = 0; o < O; o++) y[yBase + o] = applyAct(acc[o] as number, act);
    }
  }
  return { y, ys };
}

/** depthwise conv with weights [1, kh, kw, C] */
export function depthwiseConv2d(x: Float32Array, xs: Shape4, w: Float32Array, wShape: readonly number[], bias: Float32Array,
  stride: number, padding: 'same' | 'valid', act: FusedActivation): { y: Float32Array; ys: Shape4 } {
  const [, kh, kw, C] = wShape as [number, number, number, number];
  const py = samePadding(xs.h, kh, stride, padding);
  const px = samePadding(xs.w, kw, stride, padding);
  const ys = { h: py.out, w: px.out, c: C };
  const y = new Float32Array(ys.h * ys.w * C);
  const acc = new Float64Array(C);
  for (let oy = 0; oy < ys.h; oy++) {
    for (let ox = 0; ox < ys.w; ox++) {
      for (let c = 0; c < C; c++) acc[c] = bias[c] as number;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * stride + ky - py.before;
        if (iy < 0 || iy >= xs.h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * stride + kx - px.before;
          if (ix < 0 || ix >= xs.w) continue;
          const xBase = (iy * xs.w + ix) * C;
          const wBase = (ky * kw + kx) * C;
          for (let c = 0; c < C; c++) acc[c] = (acc[c] as number) + (x[xBase + c] as number) * (w[wBase + c] as number);
        }
      }
      const yBase = (oy * ys.w + ox) * C;
      for (let c = 0; c < C; c++) y[yBase + c] = applyAct(acc[c] as number, act);
    }
  }
  return { y, ys };
}

/** y[o] = act(sum_i x[i] * w[o, i] + b[o]) */
export function fullyConnected(x: Float32Array, w: Float32Array, O: number, I: number, bias: Float32Array, act: FusedActivation): Float32Array {
  const y = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    let acc = bias[o] as number;
    const base = o * I;
    for (let i = 0; i < I; i++) acc += (x[i] as number) * (w[base + i] as number);
    y[o] = applyAct(acc, act);
  }
  return y;
}

/** avg / max pool; SAME average excludes padded cells (TF semantics, = ONNX count_include_pad=0) */
export function pool2d(x: Float32Array, xs: Shape4, kind: 'avg' | 'max', kernel: number, stride: number,
  padding: 'same' | 'valid'): { y: Float32Array; ys: Shape4 } {
  const py = samePadding(xs.h, kernel, stride, padding);
  const px = samePadding(xs.w, kernel, stride, padding);
  const ys = { h: py.out, w: px.out, c: xs.c };
  const y = new Float32Array(ys.h * ys.w * xs.c);
  for (let oy = 0; oy < ys.h; oy++) {
    for (let ox = 0; ox < ys.w; ox++) {
      for (let c = 0; c < xs.c; c++) {
        let acc = kind === 'max' ? -Infinity : 0;
        let n = 0;
        for (let ky = 0; ky < kernel; ky++) {
          const iy = oy * stride + ky - py.before;
          if (iy < 0 || iy >= xs.h) continue;
          for (let kx = 0; kx < kernel; kx++) {
            const ix = ox * stride + kx - px.before;
            if (ix < 0 || ix >= xs.w) continue;
            const v = x[(iy * xs.w + ix) * xs.c + c] as number;
            acc = kind === 'max' ? Math.max(acc, v) : acc + v;
            n++;
          }
        }
        y[(oy * ys.w + ox) * xs.c + c] = kind === 'max' ? acc : acc / n;
      }
    }
  }
  return { y, ys };
}

export function globalAvgPool(x: Float32Array, xs: Shape4): Float32Array {
  const acc = new Float64Array(xs.c);
  const hw = xs.h * xs.w;
  for (let p = 0; p < hw; p++) for (let c = 0; c < xs.c; c++) acc[c] = (acc[c] as number) + (x[p * xs.c + c] as number);
  const y = new Float32Array(xs.c);
  for (let c = 0; c < xs.c; c++) y[c] = (acc[c] as number) / hw;
  return y;
}

/** numpy-style broadcasting of two tensors of equal rank */
export function broadcastBinary(a: Float32Array, as: readonly number[], b: Float32Array, bs: readonly number[],
  outShape: readonly number[], f: (x: number, y: number) => number): Float32Array {
  const rank = outShape.length;
  const n = outShape.reduce((p, q) => p * q, 1);
  const y = new Float32Array(n);
  const stridesOf = (s: readonly number[]): number[] => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let d = rank - 1; d >= 0; d--) {
      st[d] = (s[d] as number) === 1 ? 0 : acc;
      acc *= s[d] as number;
    }
    return st;
  };
  const sa = stridesOf(as);
  const sb = stridesOf(bs);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia += (idx[d] as number) * (sa[d] as number);
      ib += (idx[d] as number) * (sb[d] as number);
    }
    y[i] = f(a[ia] as number, b[ib] as number);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (outShape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return y;
}

export function softmaxLastAxis(x: Float32Array, last: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let base = 0; base < x.length; base += last) {
    let m = -Infinity;
    for (let i = 0; i < last; i++) m = Math.max(m, x[base + i] as number);
    let s = 0;
    for (let i = 0; i < last; i++) s += Math.exp((x[base + i] as number) - m);
    for (let i = 0; i < last; i++) y[base + i] = Math.exp((x[base + i] as number) - m) / s;
  }
  return y;
}

export function hardSigmoid(v: number): number {
  const t = v + 3;
  return (t < 0 ? 0 : t > 6 ? 6 : t) / 6;
}
