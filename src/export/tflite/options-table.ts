/**
 * The builtin_options table of a TFLite operator (field slots as in export/tflite/schema.fbs), and the int32
 * vector helper it shares with the model writer (flatbuffer.ts).
 */
import type { Builder, Offset } from 'flatbuffers';
import type { TfliteOptions } from './flatbuffer.js';
import { ActivationCode, OptionsType, PaddingCode } from './schema.js';

export function intVector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i] as number);
  return b.endVector();
}

/** builtin_options table for an operator; returns [union type code, table offset] */
export function writeOptions(b: Builder, o: TfliteOptions): [number, Offset] {
  switch (o.kind) {
    case 'conv2d':
      b.startObject(6);
      b.addFieldInt8(0, PaddingCode[o.padding], null);
      b.addFieldInt32(1, o.strideW, null);
      b.addFieldInt32(2, o.strideH, null);
      b.addFieldInt8(3, ActivationCode[o.act], null);
      b.addFieldInt32(4, 1, null);
      b.addFieldInt32(5, 1, null);
      return [OptionsType.Conv2DOptions, b.endObject()];
    case 'depthwise':
      b.startObject(7);
      b.addFieldInt8(0, PaddingCode[o.padding], null);
      b.addFieldInt32(1, o.strideW, null);
      b.addFieldInt32(2, o.strideH, null);
      b.addFieldInt32(3, o.depthMultiplier, null);
      b.addFieldInt8(4, ActivationCode[o.act], null);
      b.addFieldInt32(5, 1, null);
      b.addFieldInt32(6, 1, null);
      return [OptionsType.DepthwiseConv2DOptions, b.endObject()];
    case 'pool2d':
      b.startObject(6);
      b.addFieldInt8(0, PaddingCode[o.padding], null);
      b.addFieldInt32(1, o.strideW, null);
      b.addFieldInt32(2, o.strideH, null);
      b.addFieldInt32(3, o.filterW, null);
      b.addFieldInt32(4, o.filterH, null);
      b.addFieldInt8(5, ActivationCode.none, null);
      return [OptionsType.Pool2DOptions, b.endObject()];
    case 'fully_connected':
      b.startObject(3);
      b.addFieldInt8(0, ActivationCode[o.act], null);
      return [OptionsType.FullyConnectedOptions, b.endObject()];
    case 'softmax':
      b.startObject(1);
      b.addFieldFloat32(0, o.beta, null);
      return [OptionsType.SoftmaxOptions, b.endObject()];
    case 'concatenation':
      b.startObject(2);
      b.addFieldInt32(0, o.axis, null);
      b.addFieldInt8(1, ActivationCode.none, null);
      return [OptionsType.ConcatenationOptions, b.endObject()];
    case 'add':
      b.startObject(1);
      b.addFieldInt8(0, ActivationCode[o.act], null);
      return [OptionsType.AddOptions, b.endObject()];
    case 'mul':
      b.startObject(1);
      b.addFieldInt8(0, ActivationCode[o.act], null);
      return [OptionsType.MulOptions, b.endObject()];
    case 'reshape': {
      const shape = intVector(b, o.newShape);
      b.startObject(1);
      b.addFieldOffset(0, shape, 0);
      return [OptionsType.ReshapeOptions, b.endObject()];
    }
    case 'split':
      b.startObject(1);
      b.addFieldInt32(0, o.numSplits, null);
      return [OptionsType.SplitOptions, b.endObject()];
    case 'reducer':
      b.startObject(1);
      b.addFieldInt8(0, o.keepDims ? 1 : 0, null);
      return [OptionsType.ReducerOptions, b.endObject()];
  }
}
