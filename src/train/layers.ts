/**
 * Building blocks of in-process networks as plain functions over tf tensors (no tf.layers): conv (dense, grouped,
 * depthwise) with TF SAME padding, batch norm with train/eval modes (eps 1e-5, PyTorch running-stat update),
 * activations. Parameter names follow the weights-file convention `<module>.weight`, `<module>.bn.running_mean`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, Gate } from '../arch/spec.js';
import type { ParamStore } from './params.js';

export interface ForwardContext {
  readonly training: boolean;
  /** PyTorch-style momentum of the running statistics (0.1) */
  readonly bnMomentum: number;
  /**
   * training-mode BN gradient: 'fused' = tf.batchNorm on batch moments (one kernel on wasm with our gradient
   * kernels installed), 'custom' = hand-written gradient in a few tf ops (faster on the cpu backend); default 'fused'
   */
  readonly bnGradient?: 'fused' | 'custom';
  /**
   * 1x1 convs as 'matmul' (matrix products: fastest on the cpu backend, whose conv gradients are slow) or 'conv'
   * (tf.conv2d: XNNPack forward + our SIMD gradient kernels on wasm, where BatchMatMul is slow). Default 'conv'.
   */
  readonly pointwise?: 'matmul' | 'conv';
}

export type Forward = (x: tf.Tensor4D, ctx: ForwardContext) => tf.Tensor4D;

export const BN_EPS = 1e-5;

export function activate(x: tf.Tensor4D, act: Activation): tf.Tensor4D {
  switch (act) {
    case 'relu': return tf.relu(x);
    case 'relu6': return tf.relu6(x);
    case 'hswish': return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'none': return x;
  }
}

export function gate(x: tf.Tensor4D, g: Gate): tf.Tensor4D {
  switch (g) {
    case 'sigmoid': return tf.sigmoid(x);
    case 'hsigmoid': return tf.div(tf.relu6(tf.add(x, 3)), 6);
  }
}

/**
 * Training-mode batch norm with a hand-written gradient (fewer, larger ops than tfjs's generic batchNorm + moments
 * gradient). Returns y and the batch statistics (for the running averages).
 */
function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): { y: tf.Tensor4D; mean: tf.Tensor; variance: tf.Tensor } {
  const stats: { mean?: tf.Tensor; variance?: tf.Tensor } = {};
  const f = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const { mean, variance } = tf.moments(xi, [0, 1, 2]);
    // kept beyond customGrad's scope for the running statistics; disposed by the caller
    stats.mean = tf.keep(tf.clone(mean));
    stats.variance = tf.keep(tf.clone(variance));
    const rstd = tf.rsqrt(tf.add(variance, BN_EPS));
    const xhat = tf.mul(tf.sub(xi, mean), rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const d = dy as tf.Tensor;
        const [xh, rs, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const n = d.size / (d.shape[3] as number);
        const dbeta = tf.sum(d, [0, 1, 2]);
        const dgamma = tf.sum(tf.mul(d, xh), [0, 1, 2]);
        const dx = tf.mul(tf.sub(tf.sub(d, tf.div(dbeta, n)), tf.mul(xh, tf.div(dgamma, n))), tf.mul(gm, rs));
        return [dx, dgamma, dbeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = f(x, gamma, beta) as tf.Tensor4D;
  return { y, mean: stats.mean as tf.Tensor, variance: stats.variance as tf.Tensor };
}

function batchNormFused(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): { y: tf.Tensor4D; mean: tf.Tensor; variance: tf.Tensor } {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return { y: tf.batchNorm(x, mean, variance, beta, gamma, BN_EPS) as tf.Tensor4D, mean, variance };
}

/** Batch norm over channels; `name` is the BN module (e.g. `l3.expand.bn`). */
export function batchNorm(store: ParamStore, name: string, channels: number): Forward {
  const gamma = store.vector(`${name}.weight`, channels, 1) as tf.Variable<tf.Rank.R1>;
  const beta = store.vector(`${name}.bias`, channels, 0) as tf.Variable<tf.Rank.R1>;
  const runMean = store.vector(`${name}.running_mean`, channels, 0, false);
  const runVar = store.vector(`${name}.running_var`, channels, 1, false);
  return (x, ctx) => {
    if (!ctx.training) return tf.batchNorm(x, runMean, runVar, beta, gamma, BN_EPS) as tf.Tensor4D;
    const { y, mean, variance } = ctx.bnGradient === 'custom' ? batchNormTrain(x, gamma, beta) : batchNormFused(x, gamma, beta);
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    const m = ctx.bnMomentum;
    const unbiased = n > 1 ? n / (n - 1) : 1;
    // running statistics are buffers: updated from the batch statistics, outside the gradient
    tf.tidy(() => {
      runMean.assign(tf.add(tf.mul(runMean, 1 - m), tf.mul(mean, m)));
      runVar.assign(tf.add(tf.mul(runVar, 1 - m), tf.mul(variance, m * unbiased)));
    });
    if (ctx.bnGradient === 'custom') {
      mean.dispose();
      variance.dispose();
    }
    return y;
  };
}

export interface ConvOptions {
  readonly kernel: number;
  readonly stride: number;
  readonly inC: number;
  readonly outC: number;
  readonly groups: number;
  readonly bn: boolean;       // conv(no bias) + BN, else conv + bias
  readonly act: Activation;
  /** bias when there is no BN (default true; the NB201 reduction shortcut has neither) */
  readonly bias?: boolean;
  /** activation before the conv (NAS-Bench-201 ReLU-Conv-BN) */
  readonly preRelu?: boolean;
}

/**
 * 1x1 conv as a matrix product (its gradients are matrix products too, much faster than conv backprop kernels).
 * SAME padding with a 1x1 kernel never pads: stride 2 takes every other pixel from the top-left.
 */
function pointwise(x: tf.Tensor4D, w: tf.Tensor4D, stride: 1 | 2, groups: number): tf.Tensor4D {
  const xs = stride === 1 ? x : tf.stridedSlice(x, [0, 0, 0, 0], x.shape, [1, 2, 2, 1]) as tf.Tensor4D;
  const [n, h, wd, c] = xs.shape;
  const outC = w.shape[3];
  const flat = tf.reshape(xs, [n * h * wd, c]);
  const w2 = tf.reshape(w, [c / groups, outC]);
  let y: tf.Tensor2D;
  if (groups === 1) y = tf.matMul(flat, w2);
  else {
    const inG = c / groups, outG = outC / groups;
    const parts: tf.Tensor2D[] = [];
    for (let g = 0; g < groups; g++) {
      parts.push(tf.matMul(tf.slice(flat, [0, g * inG], [-1, inG]), tf.slice(w2, [0, g * outG], [-1, outG])));
    }
    y = tf.concat(parts, 1);
  }
  return tf.reshape(y, [n, h, wd, outC]);
}

/** Conv module `name`: weight `${name}.weight`, BN `${name}.bn.*` or bias `${name}.bias`. */
export function convModule(store: ParamStore, name: string, o: ConvOptions): Forward {
  const depthwise = o.groups === o.inC && o.groups === o.outC && o.groups > 1;
  const w = depthwise ? store.depthwiseWeight(`${name}.weight`, o.kernel, o.inC) : store.convWeight(`${name}.weight`, o.kernel, o.inC / o.groups, o.outC);
  const bias = o.bn || o.bias === false ? undefined : store.vector(`${name}.bias`, o.outC, 0);
  const bn = o.bn ? batchNorm(store, `${name}.bn`, o.outC) : undefined;
  const s = o.stride as 1 | 2;
  const conv = (x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D => {
    if (depthwise) return tf.depthwiseConv2d(x, w as tf.Tensor4D, s, 'same');
    if (o.kernel === 1 && ctx.pointwise === 'matmul') return pointwise(x, w as tf.Tensor4D, s, o.groups);
    if (o.groups === 1) return tf.conv2d(x, w as tf.Tensor4D, s, 'same');
    const inG = o.inC / o.groups, outG = o.outC / o.groups;
    const parts: tf.Tensor4D[] = [];
    for (let g = 0; g < o.groups; g++) {
      const xg = tf.slice(x, [0, 0, 0, g * inG], [-1, -1, -1, inG]);
      const wg = tf.slice(w as tf.Tensor4D, [0, 0, 0, g * outG], [-1, -1, -1, outG]);
      parts.push(tf.conv2d(xg, wg, s, 'same'));
    }
    return tf.concat(parts, 3);
  };
  return (x, ctx) => {
    const xin = o.preRelu ? tf.relu(x) : x;
    let y = conv(xin, ctx);
    if (bias) y = tf.add(y, bias);
    if (bn) y = bn(y, ctx);
    return activate(y, o.act);
  };
}

/** Fully connected on [N,1,1,C] (or [N,H,W,C] flattened) -> [N,1,1,out]. */
export function linearModule(store: ParamStore, name: string, inF: number, out: number, useBias: boolean, act: Activation): Forward {
  const w = store.linearWeight(`${name}.weight`, inF, out);
  const b = useBias ? store.vector(`${name}.bias`, out, 0) : undefined;
  return (x) => {
    let y: tf.Tensor2D = tf.matMul(tf.reshape(x, [x.shape[0], inF]), w as tf.Tensor2D);
    if (b) y = tf.add(y, b);
    return activate(tf.reshape(y, [x.shape[0], 1, 1, out]), act);
  };
}

export function globalAvgPool(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mean(x, [1, 2], true);
}

/** Average pool, SAME padding, padded cells excluded from the average (TF and PyTorch count_include_pad=False). */
export function avgPool(x: tf.Tensor4D, k: number, stride: number): tf.Tensor4D {
  return tf.avgPool(x, k, stride, 'same');
}
