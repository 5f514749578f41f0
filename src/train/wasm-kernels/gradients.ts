/**
 * Gradient overrides that route two expensive tfjs gradients to single wasm kernels (./norm-kernels.ts) when the
 * active backend is wasm; on any other backend, or for shapes the kernels do not cover, the original tfjs
 * gradient runs unchanged. Gradients are global in tfjs, hence the explicit fallback.
 *
 *  - FusedBatchNorm: tfjs builds ~15 ops including a full-size Tile per BN layer; ours is one two-pass kernel.
 *  - Relu6: tfjs builds LessEqual, Step, Multiply, Cast, Multiply; ours is one pass.
 *  - Mean / Sum over leading axes (tf.moments of NHWC): tfjs builds ones(x.shape), Multiply, RealDiv; ours is one
 *    broadcast pass.
 *  - Square: tfjs builds Cast, Multiply, Multiply; ours is one pass.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BATCHNORM_GRAD_KERNEL, BROADCAST_LEADING_KERNEL, MUL_SCALED_KERNEL, RELU6_GRAD_KERNEL } from './norm-kernels.js';

type GradFunc = tf.GradConfig['gradFunc'];

const originals = new Map<string, tf.GradConfig>();

function onWasm(): boolean {
  return tf.engine().backend instanceof BackendWasm;
}

function allFloat32(ts: readonly (tf.Tensor | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === 'float32');
}

function batchNormGrad(original: GradFunc): GradFunc {
  return (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const g = Array.isArray(dy) ? dy[0] : dy;
    const C = mean.shape[0];
    const fits = onWasm() && g !== undefined && mean.rank === 1 && variance.rank === 1 && variance.shape[0] === C &&
      (scale === undefined || (scale.rank === 1 && scale.shape[0] === C)) && x.shape[x.rank - 1] === C &&
      allFloat32([x, g, mean, variance, scale]);
    if (!fits) return original(dy, saved, attrs);
    const inputs: tf.NamedTensorMap = scale ? { x, dy: g, mean, variance, scale } : { x, dy: g, mean, variance };
    const [dx, dmean, dvar, dscale, doffset] = tf.engine().runKernel(BATCHNORM_GRAD_KERNEL, inputs,
      { varianceEpsilon: (attrs as { varianceEpsilon: number }).varianceEpsilon }) as tf.Tensor[];
    return {
      x: () => dx as tf.Tensor, mean: () => dmean as tf.Tensor, variance: () => dvar as tf.Tensor,
      scale: () => dscale as tf.Tensor, offset: () => doffset as tf.Tensor,
    };
  };
}

function relu6Grad(original: GradFunc): GradFunc {
  return (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const g = Array.isArray(dy) ? dy[0] : dy;
    if (!onWasm() || g === undefined || !allFloat32([x, g])) return original(dy, saved, attrs);
    const dx = tf.engine().runKernel(RELU6_GRAD_KERNEL, { dy: g, x }, {}) as tf.Tensor;
    return { x: () => dx };
  };
}

function leadingReduceGrad(kernelName: 'Mean' | 'Sum') {
  return (original: GradFunc): GradFunc => (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const g = Array.isArray(dy) ? dy[0] : dy;
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.rank && axes.every((a, i) => a === i);
    if (!onWasm() || g === undefined || !leading || !allFloat32([x, g])) return original(dy, saved, attrs);
    const P = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const dx = tf.engine().runKernel(BROADCAST_LEADING_KERNEL, { v: g },
      { outShape: x.shape, scale: kernelName === 'Mean' ? 1 / P : 1 }) as tf.Tensor;
    return { x: () => dx };
  };
}

function squareGrad(original: GradFunc): GradFunc {
  return (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const g = Array.isArray(dy) ? dy[0] : dy;
    if (!onWasm() || g === undefined || !allFloat32([x, g]) || !tf.util.arraysEqual(x.shape, g.shape)) return original(dy, saved, attrs);
    const dx = tf.engine().runKernel(MUL_SCALED_KERNEL, { a: g, b: x }, { scale: 2 }) as tf.Tensor;
    return { x: () => dx };
  };
}

function override(kernelName: string, make: (original: GradFunc) => GradFunc): void {
  const current = tf.getGradient(kernelName);
  if (current === undefined) return;
  const original = originals.get(kernelName) ?? current;
  originals.set(kernelName, original);
  tf.registerGradient({ ...original, gradFunc: make(original.gradFunc) });
}

export function installGradientOverrides(): void {
  override(tf.FusedBatchNorm, batchNormGrad);
  override(tf.Relu6, relu6Grad);
  override(tf.Mean, leadingReduceGrad('Mean'));
  override(tf.Sum, leadingReduceGrad('Sum'));
  override(tf.Square, squareGrad);
}

export function uninstallGradientOverrides(): void {
  for (const config of originals.values()) tf.registerGradient(config);
  originals.clear();
}
