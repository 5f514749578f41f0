/**
 * int8 post-training quantization arithmetic (TFLite's int8 scheme):
 * - weights: symmetric per-channel int8 in [-127, 127], zero point 0 (conv along axis 0 of OHWI, depthwise along
 *   axis 3 of [1,kh,kw,C]); fully-connected weights per-tensor (TFLite 2.9 FC kernels take one weight scale);
 * - biases: int32, scale = input scale × weight scale of the channel, zero point 0;
 * - activations: asymmetric per-tensor int8 from a calibrated [min, max] that always contains 0.
 */
import type { QuantParams } from './flatbuffer.js';

export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

/** smallest range width we quantize with, so constant-zero tensors still get a positive scale */
const MIN_RANGE = 1e-6;

/** Asymmetric int8 parameters for an activation range (range widened to contain 0, as TFLite requires). */
export function activationParams(range: ValueRange): QuantParams {
  const min = Math.min(0, range.min);
  let max = Math.max(0, range.max);
  if (max - min < MIN_RANGE) max = min + MIN_RANGE;
  const scale = (max - min) / 255;
  const zp = Math.max(-128, Math.min(127, Math.round(-128 - min / scale)));
  return { scale: [scale], zeroPoint: [zp], axis: 0 };
}

/** Fixed output parameters TFLite's int8 LOGISTIC and SOFTMAX kernels require (values in [0, 1)). */
export const UNIT_INTERVAL_PARAMS: QuantParams = { scale: [1 / 256], zeroPoint: [-128], axis: 0 };

export interface QuantizedWeights {
  readonly values: Int8Array;
  readonly params: QuantParams;
}

/** element i of a row-major `shape` -> its index along `axis` (axis = -1: always 0) */
function channelIndexer(shape: readonly number[], axis: number): (i: number) => number {
  if (axis < 0) return () => 0;
  const channels = shape[axis] as number;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return (i) => Math.floor(i / inner) % channels;
}

/**
 * Symmetric int8 quantization of `data` (row-major `shape`) with one scale per index of `axis`
 * (axis = -1: one scale for the whole tensor).
 */
export function quantizeSymmetric(data: Float32Array, shape: readonly number[], axis: number): QuantizedWeights {
  const channels = axis < 0 ? 1 : (shape[axis] as number);
  const channelOf = channelIndexer(shape, axis);
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < data.length; i++) {
    const c = channelOf(i);
    const v = Math.abs(data[i] as number);
    if (v > (maxAbs[c] as number)) maxAbs[c] = v;
  }
  const scales = Array.from(maxAbs, (m) => (m > 0 ? m / 127 : 1));
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const q = Math.round((data[i] as number) / (scales[channelOf(i)] as number));
    values[i] = Math.max(-127, Math.min(127, q));
  }
  return { values, params: { scale: scales, zeroPoint: scales.map(() => 0), axis: Math.max(0, axis) } };
}

/** `data` as symmetric int8 quantization along `axis` leaves it: the int8 values times their scales (quantizeSymmetric) */
export function roundedSymmetric(data: Float32Array, shape: readonly number[], axis: number): Float32Array {
  const q = quantizeSymmetric(data, shape, axis);
  const channelOf = channelIndexer(shape, axis);
  return Float32Array.from(q.values, (v, i) => v * (q.params.scale[channelOf(i)] as number));
}

/** int32 bias with scale inputScale × weightScale[c] per output channel. */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: readonly number[]): { values: Int32Array; params: QuantParams } {
  const scales = Array.from(bias, (_, c) => inputScale * (weightScales.length === 1 ? weightScales[0] as number : weightScales[c] as number));
  const values = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const q = Math.round((bias[c] as number) / (scales[c] as number));
    values[c] = Math.max(-2147483647, Math.min(2147483647, q));
  }
  // per-tensor weights → per-tensor bias: TFLite reads a single scale from legacy params only when there is one
  const stored = weightScales.length === 1 ? scales.slice(0, 1) : scales;
  return { values, params: { scale: stored, zeroPoint: stored.map(() => 0), axis: 0 } };
}

/** Asymmetric per-tensor int8 quantization of a constant operand (e.g. an ADD/MUL constant). */
export function quantizeConstant(data: Float32Array): QuantizedWeights {
  let min = 0;
  let max = 0;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // an all-zero constant (zeros_like's × 0) gets scale 1: a tiny scale would put ADD/MUL rescale factors out of
  // the range XNNPack's int8 kernels accept
  const params = min === 0 && max === 0 ? { scale: [1], zeroPoint: [0], axis: 0 } : activationParams({ min, max });
  const scale = params.scale[0] as number;
  const zp = params.zeroPoint[0] as number;
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = Math.max(-128, Math.min(127, Math.round((data[i] as number) / scale) + zp));
  return { values, params };
}

/** int8 value of real `v` under per-tensor `params` */
export function quantizeValue(v: number, params: QuantParams): number {
  const q = Math.round(v / (params.scale[0] as number)) + (params.zeroPoint[0] as number);
  return Math.max(-128, Math.min(127, q));
}

/** Float input → int8 under per-tensor params (for feeding an int8-input model). */
export function quantizeTensor(data: Float32Array, params: QuantParams): Int8Array {
  const out = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = quantizeValue(data[i] as number, params);
  return out;
}

/** int8 → float under per-tensor params (for reading an int8-output model). */
export function dequantizeTensor(data: Int8Array, params: QuantParams): Float32Array {
  const s = params.scale[0] as number;
  const zp = params.zeroPoint[0] as number;
  return Float32Array.from(data, (q) => (q - zp) * s);
}
