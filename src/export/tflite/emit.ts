/**
 * Graph IR → TFLite model (tensors, constant buffers, operators), float32 or int8.
 * Every IR op maps to TFLite builtins: fused RELU/RELU6 stay fused into CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, ADD and MUL; global average pool is AVERAGE_POOL_2D (float) or MEAN (int8); hard-sigmoid becomes ADD(+3, fused RELU6) → MUL(1/6); grouped convolution becomes
 * SPLIT → CONV_2D per group → CONCATENATION; zeros_like becomes MUL by a constant 0.
 */
import { LayernasError } from '../../core/errors.js';
import type { Conv2dOp, Graph, GraphOp, Tensor } from '../../graph/ir.js';
import type { QuantParams, TfliteModel, TfliteOperator, TfliteOptions, TfliteTensor } from './flatbuffer.js';
import { quantizeBias, quantizeConstant, quantizeSymmetric } from './quantize.js';
import { BuiltinOp, type BuiltinOperator, opVersion } from './schema.js';

export interface Int8Plan {
  /** per-tensor int8 parameters of every activation tensor of the graph (from calibration) */
  readonly activations: ReadonlyMap<number, QuantParams>;
  /** 'float': float32 model input/output with QUANTIZE/DEQUANTIZE at the boundary; 'int8': int8 input/output */
  readonly io: 'float' | 'int8';
}

const bytesOf = (a: Float32Array | Int8Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

class Emitter {
  readonly tensors: TfliteTensor[] = [];
  readonly operators: TfliteOperator[] = [];
  readonly inputs: number[] = [];
  readonly outputs: number[] = [];
  private readonly index = new Map<number, number>();

  constructor(private readonly graph: Graph, private readonly plan: Int8Plan | undefined) {}

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

  op(op: BuiltinOperator, inputs: number[], outputs: number[], options?: TfliteOptions): void {
    this.operators.push({ op, version: opVersion(op, this.int8), inputs, outputs, ...(options ? { options } : {}) });
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

function emitConv(e: Emitter, op: Conv2dOp): void {
  const x = e.tensor(op.inputs[0] as number);
  const w = e.tensor(op.inputs[1] as number);
  const [O, kh, kw] = w.shape as [number, number, number, number];
  const C = x.shape[3] as number;
  const g = op.groups;
  if (!Number.isInteger(g) || g < 1 || C % g !== 0 || O % g !== 0) {
    throw new LayernasError('EXPORT_UNSUPPORTED', `${op.origin}: groups=${g} does not divide ${C} input / ${O} output channels`);
  }
  const W = e.param(op, 1, [O, kh, kw, C / g]);
  const B = e.param(op, 2, [O]);
  const inputId = op.inputs[0] as number;
  const outputId = op.outputs[0] as number;
  const strides = { padding: op.padding, strideW: op.stride, strideH: op.stride, act: op.act } as const;
  if (g === 1) {
    const wq = e.weights(W.t, W.t.shape, W.data, 0);
    const b = e.bias(B.t, B.data, inputId, wq.scales);
    e.op(BuiltinOp.CONV_2D, [e.act(inputId), wq.index, b], [e.act(outputId)], { kind: 'conv2d', ...strides });
    return;
  }
  if (g === C && O === C) {
    // one input channel per group = depthwise: OHWI [C, kh, kw, 1] → [1, kh, kw, C]
    const dw = new Float32Array(W.data.length);
    for (let c = 0; c < C; c++) for (let k = 0; k < kh * kw; k++) dw[k * C + c] = W.data[c * kh * kw + k] as number;
    const wq = e.weights(W.t, [1, kh, kw, C], dw, 3);
    const b = e.bias(B.t, B.data, inputId, wq.scales);
    e.op(BuiltinOp.DEPTHWISE_CONV_2D, [e.act(inputId), wq.index, b], [e.act(outputId)], { kind: 'depthwise', depthMultiplier: 1, ...strides });
    return;
  }
  // general groups: SPLIT along channels, one CONV_2D per group, CONCATENATION (int8: pieces share in/out params)
  const out = e.tensor(outputId);
  const inQ = e.int8 ? e.qparams(inputId) : undefined;
  const outQ = e.int8 ? e.qparams(outputId) : undefined;
  const pieces = Array.from({ length: g }, (_, i) => e.extra(`${x.name}/group${i}`, [...x.shape.slice(0, 3), C / g], inQ as QuantParams));
  const axis = e.int32Constant(`${op.origin}/split_axis`, [3], []);
  e.op(BuiltinOp.SPLIT, [axis, e.act(inputId)], pieces, { kind: 'split', numSplits: g });
  const per = O / g;
  const wPer = per * kh * kw * (C / g);
  const convOuts = pieces.map((piece, i) => {
    const wt: Tensor = { ...W.t, name: `${W.t.name}/group${i}` };
    const wq = e.weights(wt, [per, kh, kw, C / g], W.data.slice(i * wPer, (i + 1) * wPer), 0);
    const b = e.bias({ ...B.t, name: `${B.t.name}/group${i}` }, B.data.slice(i * per, (i + 1) * per), inputId, wq.scales);
    const y = e.extra(`${out.name}/group${i}`, [...out.shape.slice(0, 3), per], outQ as QuantParams);
    e.op(BuiltinOp.CONV_2D, [piece, wq.index, b], [y], { kind: 'conv2d', ...strides });
    return y;
  });
  e.op(BuiltinOp.CONCATENATION, convOuts, [e.act(outputId)], { kind: 'concatenation', axis: 3 });
}

function emitOp(e: Emitter, op: GraphOp): void {
  const inputId = op.inputs[0] as number;
  const outputId = op.outputs[0] as number;
  switch (op.type) {
    case 'conv2d':
      return emitConv(e, op);
    case 'depthwise_conv2d': {
      const C = e.tensor(inputId).shape[3] as number;
      const wShape = e.tensor(op.inputs[1] as number).shape;
      const W = e.param(op, 1, [1, wShape[1] as number, wShape[2] as number, C]);
      const B = e.param(op, 2, [C]);
      const wq = e.weights(W.t, W.t.shape, W.data, 3);
      const b = e.bias(B.t, B.data, inputId, wq.scales);
      e.op(BuiltinOp.DEPTHWISE_CONV_2D, [e.act(inputId), wq.index, b], [e.act(outputId)],
        { kind: 'depthwise', padding: op.padding, strideW: op.stride, strideH: op.stride, depthMultiplier: 1, act: op.act });
      return;
    }
    case 'fully_connected': {
      const I = size(e.tensor(inputId).shape.slice(1));
      const O = e.tensor(op.inputs[1] as number).shape[0] as number;
      const W = e.param(op, 1, [O, I]);
      const B = e.param(op, 2, [O]);
      const wq = e.weights(W.t, W.t.shape, W.data, -1);
      const b = e.bias(B.t, B.data, inputId, wq.scales);
      e.op(BuiltinOp.FULLY_CONNECTED, [e.act(inputId), wq.index, b], [e.act(outputId)], { kind: 'fully_connected', act: op.act });
      return;
    }
    case 'add':
    case 'mul': {
      const operands = op.inputs.map((id) => {
        const t = e.tensor(id);
        return t.data ? e.constant(t.name, t.shape, t.data) : e.act(id);
      });
      e.op(op.type === 'add' ? BuiltinOp.ADD : BuiltinOp.MUL, operands, [e.act(outputId)], { kind: op.type, act: op.act });
      return;
    }
    case 'relu':
      return e.op(BuiltinOp.RELU, [e.act(inputId)], [e.act(outputId)]);
    case 'relu6':
      return e.op(BuiltinOp.RELU6, [e.act(inputId)], [e.act(outputId)]);
    case 'hard_swish':
      return e.op(BuiltinOp.HARD_SWISH, [e.act(inputId)], [e.act(outputId)]);
    case 'logistic':
      return e.op(BuiltinOp.LOGISTIC, [e.act(inputId)], [e.act(outputId)]);
    case 'hard_sigmoid': {
      // relu6(x + 3) / 6
      const shape = e.tensor(outputId).shape;
      const three = e.constant(`${op.origin}/three`, [1], Float32Array.of(3));
      const shifted = e.extra(`${op.origin}/relu6_x_plus_3`, shape, { scale: [6 / 255], zeroPoint: [-128], axis: 0 });
      e.op(BuiltinOp.ADD, [e.act(inputId), three], [shifted], { kind: 'add', act: 'relu6' });
      const sixth = e.constant(`${op.origin}/one_sixth`, [1], Float32Array.of(1 / 6));
      e.op(BuiltinOp.MUL, [shifted, sixth], [e.act(outputId)], { kind: 'mul', act: 'none' });
      return;
    }
    case 'avg_pool2d':
    case 'max_pool2d':
      return e.op(op.type === 'avg_pool2d' ? BuiltinOp.AVERAGE_POOL_2D : BuiltinOp.MAX_POOL_2D, [e.act(inputId)], [e.act(outputId)],
        { kind: 'pool2d', padding: op.padding, strideW: op.stride, strideH: op.stride, filterW: op.kernel, filterH: op.kernel });
    case 'global_avg_pool': {
      if (e.int8) {
        // int8: MEAN over H, W rescales to its own output range (AVERAGE_POOL_2D would have to keep the input's)
        const axes = e.int32Constant(`${op.origin}/axes`, [1, 2]);
        return e.op(BuiltinOp.MEAN, [e.act(inputId), axes], [e.act(outputId)], { kind: 'reducer', keepDims: true });
      }
      const [, H, W] = e.tensor(inputId).shape as [number, number, number, number];
      return e.op(BuiltinOp.AVERAGE_POOL_2D, [e.act(inputId)], [e.act(outputId)],
        { kind: 'pool2d', padding: 'valid', strideW: 1, strideH: 1, filterW: W, filterH: H });
    }
    case 'reshape': {
      const shape = e.tensor(outputId).shape;
      const shapeTensor = e.int32Constant(`${op.origin}/shape`, shape);
      return e.op(BuiltinOp.RESHAPE, [e.act(inputId), shapeTensor], [e.act(outputId)], { kind: 'reshape', newShape: shape });
    }
    case 'softmax':
      return e.op(BuiltinOp.SOFTMAX, [e.act(inputId)], [e.act(outputId)], { kind: 'softmax', beta: 1 });
    case 'zeros_like': {
      // x × 0 (a constant zeros tensor would make later ops run on constant inputs, which XNNPack 2.9 mishandles)
      const zero = e.constant(`${op.origin}/zero`, [1], Float32Array.of(0));
      return e.op(BuiltinOp.MUL, [e.act(inputId), zero], [e.act(outputId)], { kind: 'mul', act: 'none' });
    }
    default: {
      const unknown: { type: string; origin?: string } = op;
      throw new LayernasError('EXPORT_UNSUPPORTED', `TFLite export: op '${unknown.type}' (from ${unknown.origin ?? '?'}) has no TFLite equivalent`,
        { op: unknown.type, origin: unknown.origin, format: 'tflite' });
    }
  }
}

/**
 * The ops whose results reach a graph output, in order. Dead ops (e.g. a NAS cell node whose only consumer was a
 * 'none' edge) are dropped: TFLite would keep their unconsumed outputs, and XNNPack 2.9 crashes on such tensors.
 */
export function liveOps(graph: Graph): GraphOp[] {
  const needed = new Set<number>(graph.outputs);
  const live: GraphOp[] = [];
  for (let i = graph.ops.length - 1; i >= 0; i--) {
    const op = graph.ops[i] as GraphOp;
    if (!op.outputs.some((id) => needed.has(id))) continue;
    live.push(op);
    for (const id of op.inputs) needed.add(id);
  }
  return live.reverse();
}

/** Build the TFLite model description of `graph`: float32 when `plan` is undefined, int8 otherwise. */
export function emitModel(graph: Graph, plan?: Int8Plan): TfliteModel {
  const e = new Emitter(graph, plan);
  for (const id of graph.inputs) {
    const t = e.tensor(id);
    if (plan?.io === 'float') {
      const f = e.add({ name: t.name, shape: t.shape, type: 'float32' });
      e.op(BuiltinOp.QUANTIZE, [f], [e.act(id)]);
      e.inputs.push(f);
    } else {
      e.inputs.push(e.act(id));
    }
  }
  for (const op of liveOps(graph)) emitOp(e, op);
  for (const id of graph.outputs) {
    const t = e.tensor(id);
    if (plan?.io === 'float') {
      const f = e.add({ name: t.name, shape: t.shape, type: 'float32' });
      e.op(BuiltinOp.DEQUANTIZE, [e.act(id)], [f]);
      e.outputs.push(f);
    } else {
      e.outputs.push(e.act(id));
    }
  }
  return { description: `layernas ${graph.name}${plan ? ' int8' : ' float32'}`, tensors: e.tensors, operators: e.operators, inputs: e.inputs, outputs: e.outputs };
}
