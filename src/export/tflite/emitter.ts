/**
 * The TFLite model being written: tensors (activations, int8 weights/biases, constants), operators, and the map
 * from graph tensor ids to TFLite tensor indices. Used by emit.ts.
 */
import { LayernasError } from '../../core/errors.js';
import type { Graph, GraphOp, Tensor } from '../../graph/ir.js';
import type { QuantParams, TfliteOperator, TfliteOptions, TfliteTensor } from './flatbuffer.js';
import { quantizeBias, quantizeConstant, quantizeSymmetric } from './quantize.js';
import { type BuiltinOperator, opVersion } from './schema.js';

export interface Int8Plan {
  /** per-tensor int8 parameters of every activation tensor of the graph (from calibration) */
  readonly activations: ReadonlyMap<number, QuantParams>;
  /** 'float': float32 model input/output with QUANTIZE/DEQUANTIZE at the boundary; 'int8': int8 input/output */
  readonly io: 'float' | 'int8';
}

export const bytesOf = (a: Float32Array | Int8Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export class Emitter {
  readonly tensors: TfliteTensor[] = [];
  readonly operators: TfliteOperator[] = [];
  readonly inputs: number[] = [];
  readonly outputs: number[] = [];
  private readonly index = new Map<number, number>();
  /** graph outputs already written as float32 tensors inside an int8 model (e.g. a float SOFTMAX at the end) */
  readonly floatOutputs = new Map<number, number>();
  /** live ops reading each tensor */
  readonly consumers = new Map<number, GraphOp[]>();

  constructor(private readonly graph: Graph, private readonly plan: Int8Plan | undefined) {}

  get floatIo(): boolean {
    return this.plan?.io === 'float';
  }

  isGraphOutput(id: number): boolean {
    return this.graph.outputs.includes(id);
  }

  /** make graph tensor `id` the same TFLite tensor as graph tensor `as` (an op that moves no data) */
  alias(id: number, as: number): void {
    this.index.set(id, this.act(as));
  }

  get int8(): boolean {
    return this.plan !== undefined;
  }

  tensor(id: number): Tensor {
    const t = this.graph.tensors[id];
    if (!t || t.id !== id) throw new LayernasError('MODEL_INVALID', `graph '${this.graph.name}': no tensor with id ${id} at index ${id}`);
    return t;
  }

  qparams(id: number): QuantParams {
    const q = this.plan?.activations.get(id);
    if (!q) throw new LayernasError('EXPORT_UNSUPPORTED', `no int8 parameters for tensor '${this.tensor(id).name}'`, { tensor: id });
    return q;
  }

  add(t: TfliteTensor): number {
    this.tensors.push(t);
    return this.tensors.length - 1;
  }

  /** `int8Kernel`: the op runs on int8 tensors (default: whenever the model is int8) */
  op(op: BuiltinOperator, inputs: number[], outputs: number[], options?: TfliteOptions, int8Kernel = this.int8): void {
    this.operators.push({ op, version: opVersion(op, int8Kernel), inputs, outputs, ...(options ? { options } : {}) });
  }

  /** TFLite index of an activation tensor of the graph (created on first use) */
  act(id: number): number {
    const known = this.index.get(id);
    if (known !== undefined) return known;
    const t = this.tensor(id);
    if (t.data) throw new LayernasError('EXPORT_UNSUPPORTED', `tensor '${t.name}' is a constant where an activation is expected`);
    const i = this.add(this.int8
      ? { name: t.name, shape: t.shape, type: 'int8', quant: this.qparams(id) }
      : { name: t.name, shape: t.shape, type: 'float32' });
    this.index.set(id, i);
    return i;
  }

  /** an activation-like extra tensor (not in the graph), e.g. a hard-sigmoid intermediate */
  extra(name: string, shape: readonly number[], quant: QuantParams): number {
    return this.add(this.int8 ? { name, shape, type: 'int8', quant } : { name, shape, type: 'float32' });
  }

  weights(t: Tensor, shape: readonly number[], data: Float32Array, axis: number): { index: number; scales: readonly number[] } {
    if (!this.int8) return { index: this.add({ name: t.name, shape, type: 'float32', data: bytesOf(data) }), scales: [] };
    const q = quantizeSymmetric(data, shape, axis);
    return { index: this.add({ name: t.name, shape, type: 'int8', data: bytesOf(q.values), quant: q.params }), scales: q.params.scale };
  }

  bias(t: Tensor, data: Float32Array, inputId: number, weightScales: readonly number[]): number {
    if (!this.int8) return this.add({ name: t.name, shape: [data.length], type: 'float32', data: bytesOf(data) });
    const q = quantizeBias(data, this.qparams(inputId).scale[0] as number, weightScales);
    return this.add({ name: t.name, shape: [data.length], type: 'int32', data: bytesOf(q.values), quant: q.params });
  }

  /** a constant operand of ADD/MUL */
  constant(name: string, shape: readonly number[], data: Float32Array): number {
    if (!this.int8) return this.add({ name, shape, type: 'float32', data: bytesOf(data) });
    const q = quantizeConstant(data);
    return this.add({ name, shape, type: 'int8', data: bytesOf(q.values), quant: q.params });
  }

  int32Constant(name: string, values: readonly number[], shape: readonly number[] = [values.length]): number {
    return this.add({ name, shape, type: 'int32', data: bytesOf(Int32Array.from(values)) });
  }

  /** constant weight/bias input `k` of `op`, checked against the expected shape */
  param(op: GraphOp, k: number, expected: readonly number[]): { t: Tensor; data: Float32Array } {
    const t = this.tensor(op.inputs[k] as number);
    if (!t.data || t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i]) || t.data.length !== size(expected)) {
      throw new LayernasError('WEIGHTS_INVALID',
        `${op.origin} (${op.type}): parameter '${t.name}' has shape [${t.shape}]${t.data ? '' : ' and no data'}, expected [${expected}]`,
        { origin: op.origin, tensor: t.name, shape: t.shape, expected });
    }
    return { t, data: t.data };
  }
}

