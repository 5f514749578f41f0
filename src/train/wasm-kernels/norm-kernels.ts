/**
 * Kernels beyond convolutions that dominate a wasm training step (see docs/wasm-kernels.md for the profile):
 *  - LayernasBatchNormGrad: all five FusedBatchNorm input gradients in two passes (used by ./gradients.ts)
 *  - LayernasRelu6Grad: dy masked by 0 < x <= 6 in one pass (used by ./gradients.ts)
 *  - FusedBatchNorm (forward) with per-channel statistics: one pass (the stock kernel is several times slower)
 *  - Identity / same-dtype Cast: share the input buffer (ref-counted, as the cpu backend does) instead of copying
 *  - Sum / Mean over the leading axes of a tensor (per-channel reductions of NHWC): one pass instead of
 *    tfjs-wasm's transpose + reduce; any other reduction goes to the stock kernel
 */
import * as tf from '@tensorflow/tfjs';
import { LayernasError } from '../../core/errors.js';
import { heapOf, kernelsFor, wasmBackendOf } from './kernels.js';
import type { WasmModule } from './wasm-api.js';

export const BATCHNORM_GRAD_KERNEL = 'LayernasBatchNormGrad';
export const RELU6_GRAD_KERNEL = 'LayernasRelu6Grad';
export const BROADCAST_LEADING_KERNEL = 'LayernasBroadcastLeading';
export const MUL_SCALED_KERNEL = 'LayernasMulScaled';

function offsetOf(backend: ReturnType<typeof wasmBackendOf>, t: tf.TensorInfo, kernelName: string): number {
  if (t.dtype !== 'float32') {
    throw new LayernasError('TRAINER_FAILED', `${kernelName}: expected float32 input, got ${t.dtype}`, { kernelName });
  }
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function makeBatchNormGrad(mod: WasmModule): tf.KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = wasmBackendOf(b, BATCHNORM_GRAD_KERNEL);
    const { x, dy, mean, variance, scale } = inputs as unknown as Record<'x' | 'dy' | 'mean' | 'variance', tf.TensorInfo> & { scale?: tf.TensorInfo };
    const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const C = mean.shape[0] ?? 0;
    const P = size(x.shape) / Math.max(1, C);
    const outs = [backend.makeOutput([...x.shape], 'float32'), ...[0, 1, 2, 3].map(() => backend.makeOutput([C], 'float32'))];
    const o = outs.map((t) => offsetOf(backend, t, BATCHNORM_GRAD_KERNEL));
    kernelsFor(backend, mod).batchnorm_grad(offsetOf(backend, x, BATCHNORM_GRAD_KERNEL), offsetOf(backend, dy, BATCHNORM_GRAD_KERNEL),
      offsetOf(backend, mean, BATCHNORM_GRAD_KERNEL), offsetOf(backend, variance, BATCHNORM_GRAD_KERNEL),
      scale ? offsetOf(backend, scale, BATCHNORM_GRAD_KERNEL) : 0, eps, P, C, o[0]!, o[1]!, o[2]!, o[3]!, o[4]!);
    return outs;
  };
}

export function makeRelu6Grad(mod: WasmModule): tf.KernelFunc {
  return ({ inputs, backend: b }) => {
    const backend = wasmBackendOf(b, RELU6_GRAD_KERNEL);
    const { dy, x } = inputs as unknown as Record<'dy' | 'x', tf.TensorInfo>;
    const out = backend.makeOutput([...x.shape], 'float32');
    kernelsFor(backend, mod).relu6_grad(offsetOf(backend, dy, RELU6_GRAD_KERNEL), offsetOf(backend, x, RELU6_GRAD_KERNEL),
      offsetOf(backend, out, RELU6_GRAD_KERNEL), size(x.shape));
    return out;
  };
}

/** out[p, c] = v[c] * scale with out of shape attrs.outShape (gradient of a leading-axes Sum / Mean). */
export function makeBroadcastLeading(mod: WasmModule): tf.KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = wasmBackendOf(b, BROADCAST_LEADING_KERNEL);
    const { v } = inputs as unknown as { v: tf.TensorInfo };
    const { outShape, scale } = attrs as unknown as { outShape: number[]; scale: number };
    const C = size(v.shape);
    const out = backend.makeOutput([...outShape], 'float32');
    kernelsFor(backend, mod).broadcast_leading(offsetOf(backend, v, BROADCAST_LEADING_KERNEL),
      offsetOf(backend, out, BROADCAST_LEADING_KERNEL), size(outShape) / Math.max(1, C), C, scale);
    return out;
  };
}

/** a * b * scale for same-shape float32 tensors (gradient of Square). */
export function makeMulScaled(mod: WasmModule): tf.KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = wasmBackendOf(b, MUL_SCALED_KERNEL);
    const { a, b: bb } = inputs as unknown as Record<'a' | 'b', tf.TensorInfo>;
    const out = backend.makeOutput([...a.shape], 'float32');
    kernelsFor(backend, mod).mul_scaled(offsetOf(backend, a, MUL_SCALED_KERNEL), offsetOf(backend, bb, MUL_SCALED_KERNEL),
      offsetOf(backend, out, MUL_SCALED_KERNEL), size(a.shape), (attrs as unknown as { scale: number }).scale);
    return out;
  };
}

/** Sum or Mean: our kernel when the reduced axes are exactly the leading ones (0..k-1), else the stock kernel. */
export function makeLeadingReduce(mod: WasmModule, kernelName: 'Sum' | 'Mean', stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = wasmBackendOf(args.backend, kernelName);
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, [...x.shape]).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return stock.kernelFunc(args);
    const P = size(x.shape.slice(0, axes.length));
    const rest = x.shape.slice(axes.length);
    const outShape = keepDims ? [...axes.map(() => 1), ...rest] : [...rest];
    const out = backend.makeOutput(outShape, 'float32');
    kernelsFor(backend, mod).reduce_leading(offsetOf(backend, x, kernelName), offsetOf(backend, out, kernelName), P,
      size(rest), kernelName === 'Mean' ? 1 / P : 1);
    return out;
  };
}

/** FusedBatchNorm with rank-1 per-channel mean/variance/scale/offset: our one-pass kernel; else the stock kernel. */
export function makeBatchNormForward(mod: WasmModule, stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = wasmBackendOf(args.backend, tf.FusedBatchNorm);
    const { x, mean, variance, scale, offset } = args.inputs as unknown as Record<'x' | 'mean' | 'variance', tf.TensorInfo> &
      { scale?: tf.TensorInfo; offset?: tf.TensorInfo };
    const C = x.shape[x.shape.length - 1] ?? 0;
    const perChannel = (t: tf.TensorInfo | undefined): boolean =>
      t === undefined || (t.shape.length === 1 && t.shape[0] === C && t.dtype === 'float32');
    if (x.dtype !== 'float32' || mean === undefined || variance === undefined || !perChannel(mean) || !perChannel(variance) ||
      !perChannel(scale) || !perChannel(offset)) return stock.kernelFunc(args);
    const eps = (args.attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const out = backend.makeOutput([...x.shape], 'float32');
    const heap = heapOf(backend);
    const ab = heap.malloc(Math.max(16, 8 * C)) >>> 0;
    try {
      const p = (t: tf.TensorInfo | undefined): number => (t === undefined ? 0 : offsetOf(backend, t, tf.FusedBatchNorm));
      kernelsFor(backend, mod).batchnorm_forward(p(x), p(mean), p(variance), p(scale), p(offset), eps,
        size(x.shape) / Math.max(1, C), C, p(out), ab);
    } finally {
      heap.free(ab);
    }
    return out;
  };
}

/** Cast to the same dtype shares the buffer (tfjs-wasm copies); real conversions go to the stock kernel. */
export function makeSharedCast(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = wasmBackendOf(args.backend, tf.Cast);
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: string };
    if (dtype !== x.dtype || x.dtype === 'string') return stock.kernelFunc(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** Identity without a copy: the output shares the input's heap buffer (reference counted by the backend). */
export function makeSharedIdentity(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const backend = wasmBackendOf(args.backend, tf.Identity);
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock.kernelFunc(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}
