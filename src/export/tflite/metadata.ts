/**
 * TFLite model metadata in the standard format Android Studio's model binding and the TFLite Support library read:
 * a `ModelMetadata` flatbuffer (file identifier "M001", export/tflite/metadata_schema.fbs is our subset of the public
 * schema, version 1.0.0 fields only) stored in a model buffer referenced by Model.metadata under the name
 * "TFLITE_METADATA". Associated files (labels.txt) are packed after the model flatbuffer as an uncompressed zip,
 * as the metadata populator does. A second metadata entry "layernas_arch" holds the network string, so `cost` and
 * `verify` know the architecture of a .tflite we wrote.
 */
import { Builder, type Offset } from 'flatbuffers';
import { floatVector, tableVector } from './flatbuffer.js';

export const TFLITE_METADATA_NAME = 'TFLITE_METADATA';
export const LAYERNAS_ARCH_NAME = 'layernas_arch';
export const METADATA_PARSER_VERSION = '1.0.0';

/** codes of the unions / enums we use (metadata schema) */
const ContentPropertiesType = { FeatureProperties: 1, ImageProperties: 2 } as const;
const ProcessUnitOptionsType = { NormalizationOptions: 1 } as const;
const ColorSpace = { RGB: 1, GRAYSCALE: 2 } as const;
const AssociatedFileType = { TENSOR_AXIS_LABELS: 2 } as const;

export interface TfliteMetadataInfo {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly author: string;
  readonly license?: string;
  readonly input: {
    readonly name: string;
    readonly description: string;
    readonly colorSpace: 'RGB' | 'GRAYSCALE';
    readonly width: number;
    readonly height: number;
    /** (pixel - mean) / std per channel gives the model input */
    readonly mean: readonly number[];
    readonly std: readonly number[];
    /** range of the model input after normalization */
    readonly min: number;
    readonly max: number;
  };
  readonly output: {
    readonly name: string;
    readonly description: string;
    /** associated labels file packed into the model (one label per line, in class order) */
    readonly labelsFile?: { readonly name: string; readonly description: string };
  };
}

function tableOf(b: Builder, fields: number, fill: () => void): Offset {
  b.startObject(fields);
  fill();
  return b.endObject();
}

/** ModelMetadata flatbuffer bytes ("M001"). */
export function buildModelMetadata(info: TfliteMetadataInfo): Uint8Array {
  const b = new Builder(1024);
  // input tensor: image properties, normalization, stats
  const inName = b.createString(info.input.name);
  const inDesc = b.createString(info.input.description);
  const size = tableOf(b, 2, () => { b.addFieldInt32(0, info.input.width, 0); b.addFieldInt32(1, info.input.height, 0); });
  const image = tableOf(b, 2, () => { b.addFieldInt8(0, ColorSpace[info.input.colorSpace], 0); b.addFieldOffset(1, size, 0); });
  const inContent = tableOf(b, 3, () => { b.addFieldInt8(0, ContentPropertiesType.ImageProperties, 0); b.addFieldOffset(1, image, 0); });
  const mean = floatVector(b, info.input.mean);
  const std = floatVector(b, info.input.std);
  const norm = tableOf(b, 2, () => { b.addFieldOffset(0, mean, 0); b.addFieldOffset(1, std, 0); });
  const unit = tableOf(b, 2, () => { b.addFieldInt8(0, ProcessUnitOptionsType.NormalizationOptions, 0); b.addFieldOffset(1, norm, 0); });
  const units = tableVector(b, [unit]);
  const maxV = floatVector(b, [info.input.max]);
  const minV = floatVector(b, [info.input.min]);
  const stats = tableOf(b, 2, () => { b.addFieldOffset(0, maxV, 0); b.addFieldOffset(1, minV, 0); });
  const inMeta = tableOf(b, 7, () => {
    b.addFieldOffset(0, inName, 0); b.addFieldOffset(1, inDesc, 0); b.addFieldOffset(3, inContent, 0);
    b.addFieldOffset(4, units, 0); b.addFieldOffset(5, stats, 0);
  });
  // output tensor: feature vector, labels file
  const outName = b.createString(info.output.name);
  const outDesc = b.createString(info.output.description);
  const feature = tableOf(b, 0, () => undefined);
  const outContent = tableOf(b, 3, () => { b.addFieldInt8(0, ContentPropertiesType.FeatureProperties, 0); b.addFieldOffset(1, feature, 0); });
  let outFiles: Offset | null = null;
  if (info.output.labelsFile) {
    const fName = b.createString(info.output.labelsFile.name);
    const fDesc = b.createString(info.output.labelsFile.description);
    const file = tableOf(b, 4, () => { b.addFieldOffset(0, fName, 0); b.addFieldOffset(1, fDesc, 0); b.addFieldInt8(2, AssociatedFileType.TENSOR_AXIS_LABELS, 0); });
    outFiles = tableVector(b, [file]);
  }
  const outMeta = tableOf(b, 7, () => {
    b.addFieldOffset(0, outName, 0); b.addFieldOffset(1, outDesc, 0); b.addFieldOffset(3, outContent, 0);
    if (outFiles !== null) b.addFieldOffset(6, outFiles, 0);
  });
  const inputs = tableVector(b, [inMeta]);
  const outputs = tableVector(b, [outMeta]);
  const sgName = b.createString(info.name);
  const subgraph = tableOf(b, 7, () => { b.addFieldOffset(0, sgName, 0); b.addFieldOffset(2, inputs, 0); b.addFieldOffset(3, outputs, 0); });
  const subgraphs = tableVector(b, [subgraph]);
  const name = b.createString(info.name);
  const description = b.createString(info.description);
  const version = b.createString(info.version);
  const author = b.createString(info.author);
  const license = info.license ? b.createString(info.license) : null;
  const parser = b.createString(METADATA_PARSER_VERSION);
  const root = tableOf(b, 8, () => {
    b.addFieldOffset(0, name, 0); b.addFieldOffset(1, description, 0); b.addFieldOffset(2, version, 0);
    b.addFieldOffset(3, subgraphs, 0); b.addFieldOffset(4, author, 0);
    if (license !== null) b.addFieldOffset(5, license, 0);
    b.addFieldOffset(7, parser, 0);
  });
  b.finish(root, 'M001');
  return b.asUint8Array().slice();
}
