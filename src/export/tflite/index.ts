/**
 * TFLite writer: graph IR (src/graph/ir.ts) → .tflite bytes, float32 or int8 post-training quantized.
 *
 *   writeTflite(graph)                                              float32
 *   writeTflite(graph, { quantization: { calibration, io } })       int8 (per-channel weights, per-tensor
 *                                                                   activations, int32 bias; io 'float' adds
 *                                                                   QUANTIZE/DEQUANTIZE at the boundary)
 *
 * Writing to disk (atomically) is the caller's job (src/core/write-atomic.ts).
 */
import type { Graph } from '../../graph/ir.js';
import { calibrate, type CalibrationOptions, planActivationParams } from './calibration.js';
import { emitModel } from './emit.js';
import { type QuantParams, serializeModel, type TfliteModel } from './flatbuffer.js';
import { buildModelMetadata, LAYERNAS_ARCH_NAME, TFLITE_METADATA_NAME, type TfliteMetadataInfo } from './metadata.js';
import type { ValueRange } from './quantize.js';
import { appendZip } from './zip-append.js';

export type { QuantParams } from './flatbuffer.js';
export { dequantizeTensor, quantizeTensor } from './quantize.js';

export interface TfliteQuantizationOptions extends CalibrationOptions {
  /** calibration inputs: one Float32Array (NHWC, batch 1) per sample for the graph's single input */
  readonly calibration: readonly Float32Array[];
  /** model input/output type: 'float' (default) keeps float32 I/O with QUANTIZE/DEQUANTIZE ops inside */
  readonly io?: 'float' | 'int8';
  /** activation ranges already calibrated (e.g. through ONNX Runtime); absent: the reference pass over `calibration` */
  readonly ranges?: ReadonlyMap<number, ValueRange>;
}

/** what a deployable file carries besides the graph (src/export/tflite/metadata.ts) */
export interface TfliteDeployInfo {
  /** standard TFLite metadata (normalization, labels file, description) */
  readonly metadata?: TfliteMetadataInfo;
  /** labels packed as the associated file named by metadata.output.labelsFile */
  readonly labels?: readonly string[];
  /** the network string, stored under "layernas_arch" */
  readonly arch?: string;
}

export interface TfliteWriteOptions {
  /** absent: float32 model */
  readonly quantization?: TfliteQuantizationOptions;
  readonly deploy?: TfliteDeployInfo;
}

/** SignatureDef "serving_default" + metadata entries + packed labels file */
function deployable(model: TfliteModel, deploy: TfliteDeployInfo | undefined): Uint8Array {
  const entries = [
    ...(deploy?.metadata ? [{ name: TFLITE_METADATA_NAME, data: buildModelMetadata(deploy.metadata) }] : []),
    ...(deploy?.arch ? [{ name: LAYERNAS_ARCH_NAME, data: new TextEncoder().encode(deploy.arch) }] : []),
  ];
  const io = (list: readonly number[]): { name: string; tensor: number }[] => list.map((t) => ({ name: model.tensors[t]?.name ?? `t${t}`, tensor: t }));
  const bytes = serializeModel({ ...model, metadata: entries, signature: { key: 'serving_default', inputs: io(model.inputs), outputs: io(model.outputs) } });
  const labelsFile = deploy?.metadata?.output.labelsFile;
  if (!labelsFile || !deploy?.labels) return bytes;
  return appendZip(bytes, [{ name: labelsFile.name, bytes: new TextEncoder().encode(`${deploy.labels.join('\n')}\n`) }]);
}

export interface TfliteExport {
  readonly bytes: Uint8Array;
  readonly precision: 'float32' | 'int8';
  /** int8 parameters of each graph input/output activation (for the manifest and for feeding int8 I/O) */
  readonly inputParams: readonly QuantParams[];
  readonly outputParams: readonly QuantParams[];
}

/** Build the .tflite model and report its quantization parameters. */
export function buildTflite(graph: Graph, options: TfliteWriteOptions = {}): TfliteExport {
  const q = options.quantization;
  if (!q) return { bytes: deployable(emitModel(graph), options.deploy), precision: 'float32', inputParams: [], outputParams: [] };
  const ranges = q.ranges ?? calibrate(graph, q.calibration, q.onProgress ? { onProgress: q.onProgress } : {});
  const activations = planActivationParams(graph, ranges);
  const model = emitModel(graph, { activations, io: q.io ?? 'float' });
  const paramsOf = (id: number): QuantParams => activations.get(id) as QuantParams;
  return {
    bytes: deployable(model, options.deploy),
    precision: 'int8',
    inputParams: graph.inputs.map(paramsOf),
    outputParams: graph.outputs.map(paramsOf),
  };
}

/** The .tflite bytes of `graph` (float32, or int8 when `quantization` is given). */
export function writeTflite(graph: Graph, options: TfliteWriteOptions = {}): Uint8Array {
  return buildTflite(graph, options).bytes;
}
