/**
 * Numeric codes of the TFLite schema subset in export/tflite/schema.fbs, and the operator versions we
 * declare for TFLite 2.9 (the version a kernel registration must accept; taken from TFLite's op-version rules:
 * int8 variants of most builtins are version 2, CONV_2D/DEPTHWISE int8 per-channel 3, FULLY_CONNECTED int8 4).
 */

export type TfliteTensorType = 'float32' | 'int32' | 'uint8' | 'int64' | 'int8';

export const TensorTypeCode: Readonly<Record<TfliteTensorType, number>> = {
  float32: 0, int32: 2, uint8: 3, int64: 4, int8: 9,
};

export const PaddingCode = { same: 0, valid: 1 } as const;

export const ActivationCode = { none: 0, relu: 1, relu6: 3 } as const;

/** BuiltinOptions union member codes (public values). */
export const OptionsType = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
  SplitOptions: 35,
} as const;

export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  PAD: 34,
  MEAN: 40,
  SPLIT: 49,
  QUANTIZE: 114,
  HARD_SWISH: 117,
} as const;

export type BuiltinOperator = (typeof BuiltinOp)[keyof typeof BuiltinOp];

const INT8_VERSION: Readonly<Record<BuiltinOperator, number>> = {
  [BuiltinOp.ADD]: 2,
  [BuiltinOp.AVERAGE_POOL_2D]: 2,
  [BuiltinOp.CONCATENATION]: 2,
  [BuiltinOp.CONV_2D]: 3,
  [BuiltinOp.DEPTHWISE_CONV_2D]: 3,
  [BuiltinOp.DEQUANTIZE]: 2,
  [BuiltinOp.FULLY_CONNECTED]: 4,
  [BuiltinOp.LOGISTIC]: 2,
  [BuiltinOp.MAX_POOL_2D]: 2,
  [BuiltinOp.MUL]: 2,
  [BuiltinOp.RELU]: 2,
  [BuiltinOp.RELU6]: 2,
  [BuiltinOp.RESHAPE]: 1,
  [BuiltinOp.SOFTMAX]: 2,
  [BuiltinOp.PAD]: 2,
  [BuiltinOp.MEAN]: 2,
  [BuiltinOp.SPLIT]: 2,
  [BuiltinOp.QUANTIZE]: 2,
  [BuiltinOp.HARD_SWISH]: 1,
};

/** Operator version for TFLite 2.9: 1 for float32 kernels, the int8 version when the op runs on int8 tensors. */
export function opVersion(op: BuiltinOperator, int8: boolean): number {
  return int8 ? INT8_VERSION[op] : 1;
}
