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
import { buildTflite, dequantizeTensor, quantizeTensor, type QuantParams, type TfliteDeployInfo } from './tflite/index.js';

export const EXPORT_FORMATS = ['tflite', 'onnx', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** formats that also get an int8 model with --int8 */
export const INT8_FORMATS: readonly ExportFormat[] = ['tflite', 'onnx'];

/** what a format's model file is called: its extension (tfjs: the model.json of a layers model, beside its shards) */
const FILE_ENDINGS: Readonly<Record<ExportFormat, string>> = { tflite: '.tflite', onnx: '.onnx', tfjs: 'model.json' };

/** formats whose model is one self-contained file (what `verify` and the runtimes take as a model file) */
export const SINGLE_FILE_FORMATS: readonly ExportFormat[] = ['tflite', 'onnx'];

/** formats whose files may take NCHW input (ONNX models profiled as one block keep NCHW at their edges) */
export const NCHW_INPUT_FORMATS: readonly ExportFormat[] = ['onnx'];

/** the ending of a format's model file name, for messages */
export function fileEnding(format: ExportFormat): string {
  return FILE_ENDINGS[format];
}

/** does `file` hold a model of `format` (by its name)? */
export function isFileOfFormat(file: string, format: ExportFormat): boolean {
  return file.endsWith(FILE_ENDINGS[format]);
}

/** the export format of a model file by its name, or null */
export function formatOfFileName(file: string): ExportFormat | null {
  return EXPORT_FORMATS.find((f) => isFileOfFormat(file, f)) ?? null;
}

/** a single-file model (.tflite, .onnx) by its name */
export function isModelFile(file: string): boolean {
  return SINGLE_FILE_FORMATS.some((f) => isFileOfFormat(file, f));
}

export interface Int8Request {
  /** calibration inputs, NHWC float32, one per sample */
  readonly calibration: readonly Float32Array[];
  /** where they came from, for the manifest */
  readonly description: string;
  /** int8 model input/output type ('float' keeps float32 I/O with quantize/dequantize inside) */
  readonly io: 'float' | 'int8';
  /** formats that get an int8 model (default: every requested format of INT8_FORMATS) */
  readonly formats?: readonly ExportFormat[];
}

/** the int8 request when `format` is to get an int8 model */
function int8For(options: FormatOptions, format: ExportFormat): CalibratedInt8 | undefined {
  const q = options.int8;
  return q && (q.formats ?? INT8_FORMATS).includes(format) ? q : undefined;
}

/** an int8 request with the activation ranges calibrated once (src/export/index.ts) for every int8 format */
export type CalibratedInt8 = Int8Request & {
  readonly ranges: ReadonlyMap<number, ValueRange>;
  /** the graph int8 models are written from: the same ops and tensors, biases corrected for int8 weight rounding */
  readonly graph: Graph;
};

export interface FormatOptions {
  /** int8 request with the activation ranges calibrated once for every int8 format */
  readonly int8?: CalibratedInt8;
  /** deployable files: TFLite metadata + signature + labels, ONNX metadata_props + dynamic batch */
  readonly deploy?: { readonly tflite: TfliteDeployInfo; readonly onnxMetadata: Readonly<Record<string, string>> };
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
  const deploy = options.deploy ? { deploy: options.deploy.tflite } : {};
  const float = buildTflite(graph, deploy);
  const models: PlannedModel[] = [{
    format: 'tflite', precision: 'float32', path: 'model_float32.tflite', files: [{ path: 'model_float32.tflite', bytes: float.bytes }], notes: [],
  }];
  const q = int8For(options, 'tflite');
  if (q) {
    const int8 = buildTflite(q.graph, { ...deploy, quantization: { calibration: q.calibration, ranges: q.ranges, io: q.io } });
    const inP = int8.inputParams[0];
    const outP = int8.outputParams[0];
    models.push({
      format: 'tflite', precision: 'int8', path: 'model_int8.tflite', files: [{ path: 'model_int8.tflite', bytes: int8.bytes }],
      quantization: { inputs: int8.inputParams, outputs: int8.outputParams, calibration: q.description },
      notes: [`int8 post-training quantization: per-channel weights, per-tensor activations, int32 bias corrected for weight rounding; ${q.io} input/output`],
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
    const onnxDeploy = options.deploy ? { metadata: options.deploy.onnxMetadata, dynamicBatch: true } : {};
    const models: PlannedModel[] = [{
      format: 'onnx', precision: 'float32', path: 'model.onnx', files: [{ path: 'model.onnx', bytes: writeOnnx(graph, onnxDeploy) }],
      notes: [`opset 17, IR version 8; NHWC interface, NCHW inside (Transpose at input and rank-4 outputs)${options.deploy ? '; dynamic batch dimension "batch"' : ''}`],
    }];
    const q = int8For(options, 'onnx');
    if (q) {
      // the same calibration and per-tensor activation parameters as the int8 TFLite model
      const activations = planActivationParams(q.graph, q.ranges);
      const bytes = writeOnnx(q.graph, { ...onnxDeploy, int8Activations: activations });
      const paramsOf = (id: number): QuantParams => activations.get(id) as QuantParams;
      models.push({
        format: 'onnx', precision: 'int8', path: 'model_int8.onnx', files: [{ path: 'model_int8.onnx', bytes }],
        quantization: { inputs: graph.inputs.map(paramsOf), outputs: graph.outputs.map(paramsOf), calibration: q.description },
        notes: ['int8 QDQ (QuantizeLinear/DequantizeLinear): per-channel int8 weights, int32 bias corrected for weight rounding, per-tensor int8 activations; float32 input/output'],
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
