/**
 * Format dispatch by a typed map: each export format turns the graph into in-memory model files (nothing is written
 * here). Which runtime loads a format's files is the platform registry's business (src/platform/). A format that cannot express an op throws
 * 'EXPORT_UNSUPPORTED' before any file of the export is written.
 */
import type { Graph } from '../graph/ir.js';
import { writeOnnx } from './onnx/onnx-writer.js';
import { writeTfjs } from './tfjs/tfjs-writer.js';
import { planActivationParams } from './tflite/calibration.js';
import type { ValueRange } from './tflite/quantize.js';
import { buildTflite, dequantizeTensor, quantizeTensor, type QuantParams } from './tflite/index.js';

export const EXPORT_FORMATS = ['tflite', 'onnx', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** formats that also get an int8 model with --int8 */
export const INT8_FORMATS: readonly ExportFormat[] = ['tflite', 'onnx'];

export interface Int8Request {
  /** calibration inputs, NHWC float32, one per sample */
  readonly calibration: readonly Float32Array[];
  /** where they came from, for the manifest */
  readonly description: string;
  /** int8 model input/output type ('float' keeps float32 I/O with quantize/dequantize inside) */
  readonly io: 'float' | 'int8';
}

export interface FormatOptions {
  /** int8 request with the activation ranges calibrated once for every int8 format */
  readonly int8?: Int8Request & { readonly ranges: ReadonlyMap<number, ValueRange> };
  readonly onProgress?: (message: string) => void;
}

export interface PlannedModel {
  readonly format: ExportFormat;
  readonly precision: 'float32' | 'int8';
  /** the file a runtime loads, relative to the export directory */
  readonly path: string;
  readonly files: readonly { readonly path: string; readonly bytes: Uint8Array }[];
  readonly quantization?: { readonly inputs: readonly QuantParams[]; readonly outputs: readonly QuantParams[]; readonly calibration: string };
  readonly notes: readonly string[];
  /** int8 I/O models: float input -> model input */
  readonly prepareInput?: (x: Float32Array) => Int8Array;
  /** int8 I/O models: model output -> float values */
  readonly readOutput?: (y: Float32Array | Int8Array | Uint8Array | Int32Array) => Float32Array;
}

type FormatWriter = (graph: Graph, options: FormatOptions) => PlannedModel[];

function tfliteModels(graph: Graph, options: FormatOptions): PlannedModel[] {
  const float = buildTflite(graph);
  const models: PlannedModel[] = [{
    format: 'tflite', precision: 'float32', path: 'model_float32.tflite', files: [{ path: 'model_float32.tflite', bytes: float.bytes }], notes: [],
  }];
  const q = options.int8;
  if (q) {
    const int8 = buildTflite(graph, { quantization: { calibration: q.calibration, ranges: q.ranges, io: q.io } });
    const inP = int8.inputParams[0];
    const outP = int8.outputParams[0];
    models.push({
      format: 'tflite', precision: 'int8', path: 'model_int8.tflite', files: [{ path: 'model_int8.tflite', bytes: int8.bytes }],
      quantization: { inputs: int8.inputParams, outputs: int8.outputParams, calibration: q.description },
      notes: [`int8 post-training quantization: per-channel weights, per-tensor activations, int32 bias; ${q.io} input/output`],
      ...(q.io === 'int8' && inP && outP ? {
        prepareInput: (x: Float32Array) => quantizeTensor(x, inP),
        readOutput: (y) => dequantizeTensor(y as Int8Array, outP),
      } : {}),
    });
  }
  return models;
}

const FORMAT_WRITERS: Readonly<Record<ExportFormat, FormatWriter>> = {
  tflite: tfliteModels,
  onnx: (graph, options) => {
    const models: PlannedModel[] = [{
      format: 'onnx', precision: 'float32', path: 'model.onnx', files: [{ path: 'model.onnx', bytes: writeOnnx(graph) }],
      notes: ['opset 17, IR version 8; NHWC interface, NCHW inside (Transpose at input and rank-4 outputs)'],
    }];
    const q = options.int8;
    if (q) {
      // the same calibration and per-tensor activation parameters as the int8 TFLite model
      const activations = planActivationParams(graph, q.ranges);
      const bytes = writeOnnx(graph, { int8Activations: activations });
      const paramsOf = (id: number): QuantParams => activations.get(id) as QuantParams;
      models.push({
        format: 'onnx', precision: 'int8', path: 'model_int8.onnx', files: [{ path: 'model_int8.onnx', bytes }],
        quantization: { inputs: graph.inputs.map(paramsOf), outputs: graph.outputs.map(paramsOf), calibration: q.description },
        notes: ['int8 QDQ (QuantizeLinear/DequantizeLinear): per-channel int8 weights, int32 bias, per-tensor int8 activations; float32 input/output'],
      });
    }
    return models;
  },
  tfjs: (graph) => {
    const files = writeTfjs(graph).map((f) => ({ path: `tfjs/${f.name}`, bytes: f.bytes }));
    return [{ format: 'tfjs', precision: 'float32', path: 'tfjs/model.json', files, notes: ['TF.js layers format: load with tf.loadLayersModel'] }];
  },
};

/** every model of the requested formats, in memory */
export function planModels(graph: Graph, formats: readonly ExportFormat[], options: FormatOptions): PlannedModel[] {
  return formats.flatMap((f) => FORMAT_WRITERS[f](graph, options));
}
