/**
 * OnnxBuilder: accumulates ONNX nodes and initializers while the writer (onnx-writer.ts) walks the graph IR;
 * names activation tensors (NCHW inside when rank 4), shares small constants, and inserts int8 QDQ pairs.
 */
import { LayernasError } from '../../core/errors.js';
import type { FusedActivation, Graph, Tensor } from '../../graph/ir.js';
import type { QuantParams } from '../tflite/index.js';
import { quantizeBias, quantizeSymmetric } from '../tflite/quantize.js';
import { float32Tensor, int64Tensor, rawTensor, OnnxDataType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** permute a row-major tensor: out[dims[perm]] (like numpy.transpose) */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const outShape = perm.map((p) => shape[p] as number);
  const rank = shape.length;
  if (rank === 4) return { data: permute4(data, shape, perm, outShape), shape: outShape };
  const inStrides = new Array<number>(rank);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) { inStrides[d] = acc; acc *= shape[d] as number; }
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < data.length; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (idx[d] as number) * (inStrides[perm[d] as number] as number);
    out[i] = data[src] as number;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (outShape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}

function permute4(data: Float32Array, shape: readonly number[], perm: readonly number[], outShape: readonly number[]): Float32Array {
  const st = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const [s0, s1, s2, s3] = perm.map((p) => st[p] as number) as [number, number, number, number];
  const [d0, d1, d2, d3] = outShape as [number, number, number, number];
  const out = new Float32Array(data.length);
  let i = 0;
  for (let a = 0; a < d0; a++) for (let b = 0; b < d1; b++) for (let c = 0; c < d2; c++) {
    const base = a * s0 + b * s1 + c * s2;
    for (let d = 0; d < d3; d++) out[i++] = data[base + d * s3] as number;
  }
  return out;
}

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];
export const nchwShape = (s: readonly number[]): number[] => (s.length === 4 ? NHWC_TO_NCHW.map((p) => s[p] as number) : [...s]);

export class OnnxBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Map<number, string>();
  private readonly used = new Set<string>();
  private readonly shared = new Map<string, string>();
  private counter = 0;

  /** true: the batch dimension is dynamic (Reshape targets copy it from their input: 0) */
  dynamicBatch = false;

  constructor(private readonly graph: Graph, readonly quant?: ReadonlyMap<number, QuantParams>) {}

  tensor(id: number): Tensor {
    const t = this.graph.tensors[id];
    if (!t) throw new LayernasError('MODEL_INVALID', `graph '${this.graph.name}': unknown tensor id ${id}`);
    return t;
  }

  unique(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** ONNX name of an activation tensor (NCHW when rank 4) */
  name(id: number): string {
    let n = this.names.get(id);
    if (n === undefined) {
      n = this.unique(this.tensor(id).name);
      this.names.set(id, n);
    }
    return n;
  }

  bind(id: number, name: string): void {
    this.names.set(id, name);
  }

  /** every graph tensor id with its ONNX value name so far */
  bound(): [number, string][] {
    return [...this.names];
  }

  fresh(base: string): string {
    return this.unique(base);
  }

  node(opType: string, origin: string, inputs: readonly string[], outputs: readonly string[], attributes: OnnxAttribute[] = []): void {
    this.nodes.push({ opType, name: this.unique(`${origin}/${opType}`), inputs, outputs, attributes, docString: origin });
  }

  constFloat(base: string, dims: readonly number[], data: Float32Array): string {
    const name = this.unique(base);
    this.initializers.push(float32Tensor(name, dims, data));
    return name;
  }

  /** shared small constants (clip bounds, shapes), created once */
  sharedConst(key: string, make: (name: string) => OnnxTensor): string {
    let name = this.shared.get(key);
    if (name === undefined) {
      name = this.unique(key);
      this.initializers.push(make(name));
      this.shared.set(key, name);
    }
    return name;
  }

  /** constant operand of an elementwise op, laid out to broadcast against NCHW activations */
  constOperand(t: Tensor, data: Float32Array): string {
    if (t.shape.length === 4) {
      const p = permute(data, t.shape, NHWC_TO_NCHW);
      return this.constFloat(t.name, p.shape, p.data);
    }
    if (t.shape.length === 1) return this.constFloat(t.name, [1, t.shape[0] as number, 1, 1], data);
    throw new LayernasError('EXPORT_UNSUPPORTED', `ONNX export: constant '${t.name}' of shape [${t.shape}] cannot be broadcast against an NCHW activation`);
  }

  act(act: FusedActivation, origin: string, input: string, output: string): void {
    if (act === 'relu') this.node('Relu', origin, [input], [output]);
    else if (act === 'relu6') this.node('Clip', origin, [input, this.scalar(0), this.scalar(6)], [output]);
    else this.node('Identity', origin, [input], [output]);
  }

  scalar(v: number): string {
    return this.sharedConst(`const_${v}`, (n) => float32Tensor(n, [], new Float32Array([v])));
  }

  /** target shape of a Reshape whose first dimension is the batch (0 = copy the input's when the batch is dynamic) */
  reshapeTarget(shape: readonly number[]): string {
    return this.shapeConst(this.dynamicBatch ? [0, ...shape.slice(1)] : shape);
  }
  shapeConst(shape: readonly number[]): string {
    return this.sharedConst(`shape_${shape.join('x')}`, (n) => int64Tensor(n, [shape.length], shape));
  }
  /** src → QuantizeLinear → DequantizeLinear → dst with per-tensor int8 parameters */
  qdq(origin: string, src: string, dst: string, p: QuantParams): void {
    const key = `${p.scale[0]}_${p.zeroPoint[0]}`;
    const scale = this.sharedConst(`q_scale_${key}`, (n) => float32Tensor(n, [], new Float32Array([p.scale[0] as number])));
    const zp = this.sharedConst(`q_zp_${key}`, (n) => rawTensor(n, OnnxDataType.INT8, [], new Int8Array([p.zeroPoint[0] as number])));
    const q = this.fresh(`${dst}_q`);
    this.node('QuantizeLinear', origin, [src, scale, zp], [q]);
    this.node('DequantizeLinear', origin, [q, scale, zp], [dst]);
  }

  /** float weight (ONNX layout, output channels on axis 0) as int8 per-channel initializer + DequantizeLinear */
  int8Weight(origin: string, base: string, dims: readonly number[], data: Float32Array): { name: string; scales: readonly number[] } {
    const q = quantizeSymmetric(data, dims, 0);
    const O = dims[0] as number;
    const values = this.unique(`${base}_int8`);
    this.initializers.push(rawTensor(values, OnnxDataType.INT8, dims, q.values));
    const scale = this.constFloat(`${base}_scale`, [O], Float32Array.from(q.params.scale));
    const zp = this.unique(`${base}_zp`);
    this.initializers.push(rawTensor(zp, OnnxDataType.INT8, [O], new Int8Array(O)));
    const name = this.fresh(base);
    this.node('DequantizeLinear', origin, [values, scale, zp], [name], [{ name: 'axis', kind: 'int', value: 0 }]);
    return { name, scales: q.params.scale };
  }

  /** float bias as int32 (scale = input scale × weight scale) + DequantizeLinear */
  int32Bias(origin: string, base: string, data: Float32Array, inputScale: number, weightScales: readonly number[]): string {
    const q = quantizeBias(data, inputScale, weightScales);
    const O = data.length;
    const scales = Float32Array.from({ length: O }, (_, c) => (q.params.scale.length === 1 ? q.params.scale[0] : q.params.scale[c]) as number);
    const values = this.unique(`${base}_int32`);
    this.initializers.push(rawTensor(values, OnnxDataType.INT32, [O], q.values));
    const scale = this.constFloat(`${base}_scale`, [O], scales);
    const zp = this.unique(`${base}_zp`);
    this.initializers.push(rawTensor(zp, OnnxDataType.INT32, [O], new Int32Array(O)));
    const name = this.fresh(base);
    this.node('DequantizeLinear', origin, [values, scale, zp], [name], [{ name: 'axis', kind: 'int', value: 0 }]);
    return name;
  }
}
