/**
 * Bias correction for int8 weights (Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias
 * Correction", ICCV 2019, the empirical variant): rounding a layer's weights to int8 moves the mean of each output
 * channel by E[conv(x, W_q - W)], the same sign for every image; through a deep network of depthwise layers these shifts
 * add up. The int8 export therefore writes, for every conv / depthwise / fully connected layer, the bias
 *
 *     b' = b - E[conv(x, W_q - W)]
 *
 * where W_q is the weight as the export rounds it (src/export/tflite/quantize.ts: per output channel for conv and
 * depthwise, per tensor for FC) and the expectation is over the calibration images and every output position, with x
 * the float network's input to that layer (the reference forward pass, src/graph/reference.ts). The mean is exact
 * for the linear part, padding included: per tap (kh, kw) and input channel, the mean of the input the tap reads.
 * Float files keep the trained biases; only the int8 models (TFLite and ONNX QDQ) are written from the corrected graph.
 */
import type { Conv2dOp, DepthwiseConv2dOp, FullyConnectedOp, Graph, Tensor } from '../../graph/ir.js';
import { samePadding } from '../../graph/kernels.js';
import { runReference } from '../../graph/reference.js';
import { roundedSymmetric } from './quantize.js';

/**
 * calibration images the correction averages over at most: design's default calibration (64). On eleven trained
 * design runs (bench/int8-bias-correction.ts) 64 images raised the int8 file's test agreement on 10 of 11, 32 images
 * on 8 and lowered it on 2: the estimate needs the images. The reference forward pass takes ~0.7 s per 224x224
 * MobileNetV2 image, ~0.06 s per 32x32 FBNet network.
 */
export const BIAS_CORRECTION_IMAGES = 64;

type LinearOp = Conv2dOp | DepthwiseConv2dOp | FullyConnectedOp;

const isLinear = (op: Graph['ops'][number]): op is LinearOp => op.type === 'conv2d' || op.type === 'depthwise_conv2d' || op.type === 'fully_connected';

/** the axis the int8 export rounds a layer's weight along (src/export/tflite/emit.ts): per output channel, FC per tensor */
const weightAxis = (op: LinearOp): number => (op.type === 'conv2d' ? 0 : op.type === 'depthwise_conv2d' ? 3 : -1);

/** W as the int8 export rounds it, minus W */
function roundingError(w: Tensor, op: LinearOp): Float32Array {
  const data = w.data as Float32Array;
  const rounded = roundedSymmetric(data, w.shape, weightAxis(op));
  return Float32Array.from(data, (v, i) => (rounded[i] as number) - v);
}

/** `graph` with every conv / depthwise / FC weight as the int8 export rounds it (activations stay float) */
export function withInt8RoundedWeights(graph: Graph): Graph {
  const tensors = [...graph.tensors];
  for (const op of graph.ops.filter(isLinear)) {
    const w = tensors[op.inputs[1] as number] as Tensor;
    if (w.data) tensors[w.id] = { ...w, data: roundedSymmetric(w.data, w.shape, weightAxis(op)) };
  }
  return { ...graph, tensors };
}

/**
 * Sum over output positions of what tap (kh, kw) reads of input channel c: tapSums[(kh * kw_ + kw) * C + c] (zero
 * where the tap falls in the padding), and the number of output positions.
 */
function addTapSums(x: Float32Array, shape: readonly number[], kh: number, kw: number, stride: number, padding: 'same' | 'valid', into: Float64Array): number {
  const [, H, W, C] = shape as [number, number, number, number];
  const { out: Ho, before: pt } = samePadding(H, kh, stride, padding);
  const { out: Wo, before: pl } = samePadding(W, kw, stride, padding);
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) {
      for (let i = 0; i < kh; i++) {
        const ih = oh * stride + i - pt;
        if (ih < 0 || ih >= H) continue;
        for (let j = 0; j < kw; j++) {
          const iw = ow * stride + j - pl;
          if (iw < 0 || iw >= W) continue;
          const src = (ih * W + iw) * C;
          const dst = (i * kw + j) * C;
          for (let c = 0; c < C; c++) into[dst + c] = (into[dst + c] as number) + (x[src + c] as number);
        }
      }
    }
  }
  return Ho * Wo;
}

/** The graph with every conv / depthwise / FC bias corrected for int8 weight rounding over `samples` (see above). */
export function biasCorrectedForInt8(graph: Graph, samples: readonly Float32Array[]): Graph {
  const linear = graph.ops.filter(isLinear);
  const sums = new Map<LinearOp, { taps: Float64Array; positions: number }>();
  for (const sample of samples) {
    const { tensors } = runReference(graph, [sample], { collect: true });
    for (const op of linear) {
      const xId = op.inputs[0] as number;
      const x = tensors?.get(xId);
      if (!x) continue;
      const shape = (graph.tensors[xId] as Tensor).shape;
      const w = (graph.tensors[op.inputs[1] as number] as Tensor).shape;
      const acc = sums.get(op) ?? { taps: new Float64Array(op.type === 'fully_connected' ? x.length : (w[1] as number) * (w[2] as number) * (shape[3] as number)), positions: 0 };
      sums.set(op, acc);
      if (op.type === 'fully_connected') {
        for (let i = 0; i < x.length; i++) acc.taps[i] = (acc.taps[i] as number) + (x[i] as number);
        acc.positions += 1;
      } else acc.positions += addTapSums(x, shape, w[1] as number, w[2] as number, op.stride, op.padding, acc.taps);
    }
  }
  const tensors = [...graph.tensors];
  for (const [op, { taps, positions }] of sums) {
    const wT = graph.tensors[op.inputs[1] as number] as Tensor;
    const bId = op.inputs[2] as number;
    const bT = graph.tensors[bId] as Tensor;
    if (!wT.data || !bT.data || positions === 0) continue;
    const dW = roundingError(wT, op);
    const shift = new Float64Array(bT.data.length);
    if (op.type === 'fully_connected') {
      const I = taps.length;
      for (let o = 0; o < shift.length; o++) for (let i = 0; i < I; i++) shift[o] = (shift[o] as number) + (dW[o * I + i] as number) * (taps[i] as number);
    } else if (op.type === 'depthwise_conv2d') {
      // W [1, kh, kw, C]: tap t of channel c at t * C + c, as the tap sums
      const C = shift.length;
      for (let k = 0; k < dW.length; k++) shift[k % C] = (shift[k % C] as number) + (dW[k] as number) * (taps[k] as number);
    } else {
      // W [O, kh, kw, C/g]; output channel o reads input channels of its group
      const [O, kh, kw, Cg] = wT.shape as [number, number, number, number];
      const C = Cg * op.groups;
      const perGroup = O / op.groups;
      for (let o = 0; o < O; o++) {
        const c0 = Math.floor(o / perGroup) * Cg;
        for (let t = 0; t < kh * kw; t++) for (let c = 0; c < Cg; c++) shift[o] = (shift[o] as number) + (dW[(o * kh * kw + t) * Cg + c] as number) * (taps[t * C + c0 + c] as number);
      }
    }
    tensors[bId] = { ...bT, data: Float32Array.from(bT.data as Float32Array, (b, o) => b - (shift[o] as number) / positions) };
  }
  return { ...graph, tensors };
}
