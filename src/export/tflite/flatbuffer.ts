/**
 * A typed in-memory TFLite model (tensors, buffers, operators) and its serialisation to the TFLite flatbuffer
 * format with the `flatbuffers` Builder. Field slots follow export/tflite/schema.fbs (our subset of the public
 * TFLite schema, version 3): a field's slot is its position in the table.
 */
import { Builder, type Offset } from 'flatbuffers';
import { intVector, writeOptions } from './options-table.js';
import { type BuiltinOperator, TensorTypeCode, type TfliteTensorType } from './schema.js';

export interface QuantParams {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  /** axis the per-channel scales run along (0 when per-tensor) */
  readonly axis: number;
}

export interface TfliteTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: TfliteTensorType;
  /** little-endian raw bytes of a constant tensor */
  readonly data?: Uint8Array;
  readonly quant?: QuantParams;
}

export type TfliteActivation = 'none' | 'relu' | 'relu6';
export type TflitePadding = 'same' | 'valid';

export type TfliteOptions =
  | { readonly kind: 'conv2d'; padding: TflitePadding; strideW: number; strideH: number; act: TfliteActivation }
  | { readonly kind: 'depthwise'; padding: TflitePadding; strideW: number; strideH: number; depthMultiplier: number; act: TfliteActivation }
  | { readonly kind: 'pool2d'; padding: TflitePadding; strideW: number; strideH: number; filterW: number; filterH: number }
  | { readonly kind: 'fully_connected'; act: TfliteActivation }
  | { readonly kind: 'softmax'; beta: number }
  | { readonly kind: 'concatenation'; axis: number }
  | { readonly kind: 'add'; act: TfliteActivation }
  | { readonly kind: 'mul'; act: TfliteActivation }
  | { readonly kind: 'reshape'; newShape: readonly number[] }
  | { readonly kind: 'split'; numSplits: number }
  | { readonly kind: 'reducer'; keepDims: boolean };

export interface TfliteOperator {
  readonly op: BuiltinOperator;
  readonly version: number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly options?: TfliteOptions;
}

/** a named model-level metadata entry (Model.metadata), e.g. "TFLITE_METADATA" */
export interface TfliteMetadataEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

/** a SignatureDef: signature key and the subgraph's inputs/outputs by name */
export interface TfliteSignature {
  readonly key: string;
  readonly inputs: readonly { readonly name: string; readonly tensor: number }[];
  readonly outputs: readonly { readonly name: string; readonly tensor: number }[];
}

export interface TfliteModel {
  readonly description: string;
  readonly metadata?: readonly TfliteMetadataEntry[];
  readonly signature?: TfliteSignature;
  readonly tensors: readonly TfliteTensor[];
  readonly operators: readonly TfliteOperator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}

export function floatVector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i] as number);
  return b.endVector();
}

function longVector(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i] as number));
  return b.endVector();
}

function bytesVector(b: Builder, bytes: Uint8Array): Offset {
  // force_align: 16, as the public schema asks for buffer data: align the END of the bytes (the builder writes
  // back to front) so the vector data starts on a 16-byte boundary; createByteVector then adds no padding.
  b.prep(16, bytes.length);
  return b.createByteVector(bytes);
}

export function tableVector(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] as Offset);
  return b.endVector();
}

function writeQuant(b: Builder, q: QuantParams): Offset {
  const scale = floatVector(b, q.scale);
  const zp = longVector(b, q.zeroPoint);
  b.startObject(7);
  b.addFieldOffset(2, scale, 0);
  b.addFieldOffset(3, zp, 0);
  b.addFieldInt32(6, q.axis, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: TfliteTensor, bufferIndex: number): Offset {
  const shape = intVector(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quant ? writeQuant(b, t.quant) : 0;
  b.startObject(5);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, TensorTypeCode[t.type], null);
  b.addFieldInt32(2, bufferIndex, null);
  b.addFieldOffset(3, name, 0);
  if (quant) b.addFieldOffset(4, quant, 0);
  return b.endObject();
}

function writeSignature(b: Builder, sig: TfliteSignature): Offset {
  const maps = (list: TfliteSignature['inputs']): Offset => tableVector(b, list.map((t) => {
    const name = b.createString(t.name);
    b.startObject(2);
    b.addFieldOffset(0, name, 0);
    b.addFieldInt32(1, t.tensor, 0);
    return b.endObject();
  }));
  const inputs = maps(sig.inputs);
  const outputs = maps(sig.outputs);
  const key = b.createString(sig.key);
  b.startObject(5);  // SignatureDef: inputs, outputs, signature_key, (deprecated tag), subgraph_index
  b.addFieldOffset(0, inputs, 0);
  b.addFieldOffset(1, outputs, 0);
  b.addFieldOffset(2, key, 0);
  b.addFieldInt32(4, 0, 0);
  return b.endObject();
}

/** Serialise a model: one subgraph, buffer 0 empty, one buffer per constant tensor. */
export function serializeModel(model: TfliteModel): Uint8Array {
  const b = new Builder(1 << 16);

  // operator codes: one per distinct (op, version)
  const codeKey = (o: TfliteOperator): string => `${o.op}:${o.version}`;
  const codeIndex = new Map<string, number>();
  const codes: TfliteOperator[] = [];
  for (const o of model.operators) {
    if (!codeIndex.has(codeKey(o))) {
      codeIndex.set(codeKey(o), codes.length);
      codes.push(o);
    }
  }
  const codeOffsets = codes.map((o) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(o.op, 127), null);
    b.addFieldInt32(2, o.version, null);
    b.addFieldInt32(3, o.op, null);
    return b.endObject();
  });

  const bufferOffsets: Offset[] = [];
  b.startObject(1);
  bufferOffsets.push(b.endObject());
  const bufferOf: number[] = model.tensors.map((t) => {
    if (!t.data) return 0;
    const data = bytesVector(b, t.data);
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    bufferOffsets.push(b.endObject());
    return bufferOffsets.length - 1;
  });

  const tensorOffsets = model.tensors.map((t, i) => writeTensor(b, t, bufferOf[i] as number));
  const opOffsets = model.operators.map((o) => {
    const inputs = intVector(b, o.inputs);
    const outputs = intVector(b, o.outputs);
    const opts = o.options ? writeOptions(b, o.options) : undefined;
    b.startObject(5);  // builtin_options is a union: type in slot 3, table in slot 4
    b.addFieldInt32(0, codeIndex.get(codeKey(o)) as number, null);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (opts) {
      b.addFieldInt8(3, opts[0], null);
      b.addFieldOffset(4, opts[1], 0);
    }
    return b.endObject();
  });

  const tensors = tableVector(b, tensorOffsets);
  const sgInputs = intVector(b, model.inputs);
  const sgOutputs = intVector(b, model.outputs);
  const operators = tableVector(b, opOffsets);
  const sgName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, sgInputs, 0);
  b.addFieldOffset(2, sgOutputs, 0);
  b.addFieldOffset(3, operators, 0);
  b.addFieldOffset(4, sgName, 0);
  const subgraph = b.endObject();

  // metadata entries: each one's bytes in a buffer of its own, Model.metadata = [{name, buffer}]
  const metadataOffsets = (model.metadata ?? []).map((m) => {
    const data = bytesVector(b, m.data);
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    bufferOffsets.push(b.endObject());
    const name = b.createString(m.name);
    b.startObject(2);
    b.addFieldOffset(0, name, 0);
    b.addFieldInt32(1, bufferOffsets.length - 1, 0);
    return b.endObject();
  });
  const signature = model.signature ? writeSignature(b, model.signature) : null;

  const opCodes = tableVector(b, codeOffsets);
  const subgraphs = tableVector(b, [subgraph]);
  const description = b.createString(model.description);
  const buffers = tableVector(b, bufferOffsets);
  const metadata = metadataOffsets.length > 0 ? tableVector(b, metadataOffsets) : null;
  const signatures = signature !== null ? tableVector(b, [signature]) : null;
  b.startObject(8);  // Model: version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata, signature_defs
  b.addFieldInt32(0, 3, null);
  b.addFieldOffset(1, opCodes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffers, 0);
  if (metadata !== null) b.addFieldOffset(6, metadata, 0);
  if (signatures !== null) b.addFieldOffset(7, signatures, 0);
  const root = b.endObject();
  b.finish(root, 'TFL3');
  return b.asUint8Array().slice();
}
