/**
 * Numerical check of the layernas wasm SIMD gradient kernels against the tfjs cpu backend's kernels
 * (the reference implementation), on the real tfjs wasm backend.
 *
 * Error measure: max |ours - cpu| / max |cpu| over the whole output tensor (a scale-relative max error; an
 * element-wise ratio is meaningless for entries that cancel to ~0). Bound: 1e-4.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { installWasmGradientKernels } from '../../src/train/wasm-kernels/index.js';
import { Rng } from '../../src/core/rng.js';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number;
interface Case { n: number; h: number; w: number; cin: number; cout: number; k: number; kw?: number; s: number; pad: Pad; m: number }

const TOL = 1e-4;

function randn(rng: Rng, size: number): Float32Array {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = rng.normal();
  return a;
}

async function run(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, { shape: number[]; data: Float32Array }>,
  attrs: Record<string, unknown>): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.data, v.shape, 'float32');
  const out = tf.engine().runKernel(kernel, ts as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
  const data = (await out.data()) as Float32Array;
  const shape = out.shape;
  tf.dispose([out, ...Object.values(ts)]);
  return { shape, data };
}

function relErr(ours: Float32Array, ref: Float32Array): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((ours[i] ?? NaN) - (ref[i] ?? NaN)) || (Number.isNaN(ours[i]) ? Infinity : 0));
    maxRef = Math.max(maxRef, Math.abs(ref[i] ?? 0));
  }
  return maxDiff / Math.max(maxRef, 1e-6);
}

async function compare(kernel: string, inputs: Record<string, { shape: number[]; data: Float32Array }>,
  attrs: Record<string, unknown>, label: string): Promise<number> {
  const ref = await run('cpu', kernel, inputs, attrs);
  const ours = await run('wasm', kernel, inputs, attrs);
  assert.deepEqual(ours.shape, ref.shape, `${label}: shape`);
  const err = relErr(ours.data, ref.data);
  assert.ok(err <= TOL, `${label}: max rel err ${err.toExponential(2)} > ${TOL}`);
  return err;
}

function outSize(inp: number, k: number, s: number, pad: Pad): number {
  if (pad === 'same') return Math.ceil(inp / s);
  if (pad === 'valid') return Math.ceil((inp - k + 1) / s);
  return Math.floor((inp + 2 * pad - k) / s) + 1;
}

async function checkCase(c: Case, rng: Rng): Promise<void> {
  const kw = c.kw ?? c.k;
  const oh = outSize(c.h, c.k, c.s, c.pad);
  const ow = outSize(c.w, kw, c.s, c.pad);
  const xShape: Shape4 = [c.n, c.h, c.w, c.cin];
  const label = JSON.stringify(c);
  const strides: [number, number] = [c.s, c.s];
  const x = { shape: xShape, data: randn(rng, c.n * c.h * c.w * c.cin) };
  // dense conv
  const fShape: Shape4 = [c.k, kw, c.cin, c.cout];
  const dy = { shape: [c.n, oh, ow, c.cout], data: randn(rng, c.n * oh * ow * c.cout) };
  const filter = { shape: fShape, data: randn(rng, c.k * kw * c.cin * c.cout) };
  const common = { strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  await compare(tf.Conv2DBackpropFilter, { x, dy }, { ...common, filterShape: fShape }, `Conv2DBackpropFilter ${label}`);
  await compare(tf.Conv2DBackpropInput, { dy, filter }, { ...common, inputShape: xShape }, `Conv2DBackpropInput ${label}`);
  // depthwise (channel multiplier m)
  const dShape: Shape4 = [c.k, kw, c.cin, c.m];
  const ddy = { shape: [c.n, oh, ow, c.cin * c.m], data: randn(rng, c.n * oh * ow * c.cin * c.m) };
  const dfilter = { shape: dShape, data: randn(rng, c.k * kw * c.cin * c.m) };
  const dcommon = { strides, pad: c.pad, dilations: [1, 1], dimRoundingMode: undefined };
  await compare(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy: ddy }, { ...dcommon, filterShape: dShape },
    `DepthwiseConv2dNativeBackpropFilter ${label}`);
  await compare(tf.DepthwiseConv2dNativeBackpropInput, { dy: ddy, filter: dfilter }, { ...dcommon, inputShape: xShape },
    `DepthwiseConv2dNativeBackpropInput ${label}`);
}

const FIXED: Case[] = [
  // pointwise fast path (1x1, stride 1), channels multiple and not multiple of 4/8
  { n: 2, h: 8, w: 8, cin: 16, cout: 24, k: 1, s: 1, pad: 'same', m: 1 },
  { n: 3, h: 5, w: 7, cin: 13, cout: 11, k: 1, s: 1, pad: 'valid', m: 1 },
  // strided 1x1 (FBNet skip conv), odd sizes
  { n: 2, h: 9, w: 9, cin: 6, cout: 10, k: 1, s: 2, pad: 'same', m: 1 },
  // 3x3 / 5x5 / 7x7, stride 1 and 2, SAME / VALID / explicit padding
  { n: 2, h: 9, w: 11, cin: 5, cout: 7, k: 3, s: 1, pad: 'same', m: 1 },
  { n: 2, h: 9, w: 11, cin: 9, cout: 18, k: 3, s: 2, pad: 'same', m: 1 },
  { n: 1, h: 16, w: 16, cin: 32, cout: 16, k: 3, s: 2, pad: 'same', m: 1 },
  { n: 2, h: 13, w: 13, cin: 3, cout: 17, k: 5, s: 1, pad: 'valid', m: 1 },
  { n: 2, h: 12, w: 15, cin: 20, cout: 8, k: 5, s: 2, pad: 'same', m: 1 },
  { n: 1, h: 15, w: 14, cin: 7, cout: 9, k: 7, s: 1, pad: 'same', m: 1 },
  { n: 2, h: 17, w: 17, cin: 18, cout: 5, k: 7, s: 2, pad: 'valid', m: 1 },
  { n: 2, h: 10, w: 9, cin: 4, cout: 12, k: 3, s: 1, pad: 1, m: 1 },
  { n: 1, h: 11, w: 10, cin: 6, cout: 6, k: 5, s: 2, pad: 2, m: 1 },
  // kernel larger than the image (SAME), non-square kernel
  { n: 2, h: 3, w: 2, cin: 5, cout: 3, k: 5, s: 1, pad: 'same', m: 1 },
  { n: 2, h: 7, w: 8, cin: 8, cout: 8, k: 3, kw: 1, s: 1, pad: 'same', m: 1 },
  // channel multiplier > 1 (depthwise generic path)
  { n: 2, h: 7, w: 6, cin: 5, cout: 4, k: 3, s: 2, pad: 'same', m: 2 },
];

describe('layernas wasm gradient kernels vs tfjs cpu backend', () => {
  before(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    await installWasmGradientKernels();
    await tf.setBackend('wasm');
  });

  it('fixed cases: strides 1/2, kernels 1/3/5/7, SAME/VALID/explicit, odd sizes, odd channels', async () => {
    const rng = new Rng(6);
    for (const c of FIXED) await checkCase(c, rng);
  });

  it('40 random cases', async () => {
    const rng = new Rng(2024);
    for (let i = 0; i < 40; i++) {
      const k = rng.pick([1, 3, 5, 7]);
      const h = 1 + rng.int(14);
      const w = 1 + rng.int(14);
      const pad = rng.pick<Pad>(['same', 'same', 'valid', Math.floor(k / 2)]);
      const s = rng.pick([1, 2]);
      if (pad === 'valid' && (h < k || w < k)) continue;
      const c: Case = { n: 1 + rng.int(3), h, w, cin: 1 + rng.int(20), cout: 1 + rng.int(20), k, s, pad, m: rng.pick([1, 1, 1, 2]) };
      await checkCase(c, rng);
    }
  });

  it('BatchMatMul with one transposed operand (matMul gradients) matches the cpu backend', async () => {
    const rng = new Rng(11);
    const cases: [number[], number[], boolean, boolean][] = [
      [[1, 37, 13], [1, 37, 9], true, false], [[1, 300, 24], [1, 300, 40], true, false],
      [[1, 45, 19], [1, 7, 19], false, true], [[1, 260, 48], [1, 16, 48], false, true],
      [[3, 11, 5], [1, 11, 6], true, false], [[2, 6, 10], [2, 3, 10], false, true],
    ];
    for (const [sa, sb, transposeA, transposeB] of cases) {
      const a = { shape: sa, data: randn(rng, sa.reduce((x, y) => x * y, 1)) };
      const b = { shape: sb, data: randn(rng, sb.reduce((x, y) => x * y, 1)) };
      await compare(tf.BatchMatMul, { a, b }, { transposeA, transposeB }, `BatchMatMul ${JSON.stringify([sa, sb, transposeA, transposeB])}`);
    }
  });

  it('tf.grad through a MobileNet-style block with training batch norm matches the cpu backend', async () => {
    // exercises the conv kernels plus the step kernels: BN / Relu6 gradient overrides, leading-axes Sum/Mean, Identity.
    // (No BN directly on the loss: its gradient is a near-cancellation that float32 cannot resolve to 1e-4 on any backend.)
    const rng = new Rng(7);
    const mk = (shape: number[]): Float32Array => randn(rng, shape.reduce((a, b) => a * b, 1));
    const xs = mk([4, 12, 12, 3]);
    const shapes: number[][] = [[3, 3, 3, 8], [1, 1, 8, 24], [5, 5, 24, 1], [1, 1, 24, 12], [24], [24], [24], [24]];
    const params = shapes.map(mk);
    const grads = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xs, [4, 12, 12, 3]);
      const w = params.map((p, i) => tf.tensor(p, shapes[i]!));
      const bn = (h: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D => {
        const { mean, variance } = tf.moments(h, [0, 1, 2]);
        return tf.batchNorm(h, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-5) as tf.Tensor4D;
      };
      const f = (...v: tf.Tensor[]): tf.Scalar => {
        const [w0, w1, w2, w3, g1, b1, g2, b2] = v as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        let h = tf.relu6(tf.conv2d(x, w0, 1, 'same'));
        h = tf.relu6(bn(tf.conv2d(h, w1, 1, 'same'), g1, b1));
        h = tf.relu6(tf.depthwiseConv2d(h, w2, 2, 'same'));
        h = tf.relu6(bn(h, g2, b2));
        h = tf.conv2d(h, w3, 1, 'same');
        return tf.mean(tf.square(tf.sub(tf.mean(h, [1, 2]), 0.5)));
      };
      const g = tf.grads(f)(w);
      const out = await Promise.all(g.map(async (t) => (await t.data()) as Float32Array));
      tf.dispose([x, ...w, ...g]);
      return out;
    };
    const ref = await grads('cpu');
    const ours = await grads('wasm');
    ref.forEach((r, i) => {
      const err = relErr(ours[i]!, r);
      assert.ok(err <= TOL, `grad of parameter ${i} ${JSON.stringify(shapes[i])}: rel err ${err}`);
    });
  });
});
