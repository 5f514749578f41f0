/**
 * Typed, plain-data view of the ONNX messages layernas writes (export/onnx/onnx-subset.proto), and their encoding.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type OnnxDataTypeValue = (typeof OnnxDataType)[keyof typeof OnnxDataType];

export type OnnxAttribute =
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'tensor'; readonly value: OnnxTensor };

export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
  readonly docString?: string;
}

export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataTypeValue;
  readonly dims: readonly number[];
  /** little-endian element bytes, row-major */
  readonly raw: Uint8Array;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataTypeValue;
  readonly shape: readonly number[];
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly graphName: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** AttributeProto.AttributeType values */
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, ints: 7 } as const;

export function float32Tensor(name: string, dims: readonly number[], data: Float32Array): OnnxTensor {
  let raw: Uint8Array;
  if (LITTLE_ENDIAN) {
    raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } else {
    raw = new Uint8Array(data.length * 4);
    const view = new DataView(raw.buffer);
    data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  }
  return { name, dataType: OnnxDataType.FLOAT, dims, raw };
}

export function int64Tensor(name: string, dims: readonly number[], data: readonly number[]): OnnxTensor {
  const raw = new Uint8Array(data.length * 8);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dataType: OnnxDataType.INT64, dims, raw };
}

/** integer tensor (int8 / int32) from its typed array, little-endian */
export function rawTensor(name: string, dataType: OnnxDataTypeValue, dims: readonly number[], data: Int8Array | Int32Array): OnnxTensor {
  const raw = new Uint8Array(data.byteLength);
  const view = new DataView(raw.buffer);
  if (data instanceof Int8Array) raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else data.forEach((v, i) => view.setInt32(i * 4, v, true));
  return { name, dataType, dims, raw };
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  switch (a.kind) {
    case 'float': w.float(2, a.value); break;
    case 'int': w.int(3, a.value); break;
    case 'string': w.string(4, a.value); break;
    case 'ints': for (const v of a.value) w.int(8, v); break;
    case 'tensor': w.message(5, (t) => writeTensor(t, a.value)); break;
  }
  w.int(20, ATTR_TYPE[a.kind]);
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes) w.message(5, (m) => writeAttribute(m, a));
  if (n.docString) w.string(6, n.docString);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) => type.message(1, (tensor) => {
    tensor.int(1, v.elemType);
    tensor.message(2, (shape) => {
      // a negative dimension is the dynamic batch: dim_param "batch"
      for (const d of v.shape) shape.message(1, (dim) => (d < 0 ? dim.string(2, 'batch') : dim.int(1, d)));
    });
  }));
}

export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  w.string(6, m.docString);
  w.message(7, (g) => {
    for (const n of m.nodes) g.message(1, (x) => writeNode(x, n));
    g.string(2, m.graphName);
    for (const t of m.initializers) g.message(5, (x) => writeTensor(x, t));
    for (const v of m.inputs) g.message(11, (x) => writeValueInfo(x, v));
    for (const v of m.outputs) g.message(12, (x) => writeValueInfo(x, v));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, m.opsetVersion);
  });
  for (const [key, value] of Object.entries(m.metadata)) w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
}
