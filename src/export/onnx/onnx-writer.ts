/**
 * ONNX writer: graph IR → ONNX ModelProto bytes (opset 17, IR version 8, float32).
 *
 * Layout decision: the model INTERFACE is NHWC, like the TFLite and TF.js exports (one input tensor [1,H,W,C], outputs
 * as in the IR), so one input buffer feeds every format. INSIDE, the graph is NCHW (what ONNX Conv/Pool require):
 * a Transpose(0,3,1,2) follows the input, a Transpose(0,2,3,1) precedes every rank-4 output. Rank-2 outputs (logits,
 * probabilities) need none. Constant weights are transposed from the IR's TFLite layouts to ONNX's OIHW.
 */
import { LayernasError } from '../../core/errors.js';
import type { FusedActivation, Graph, GraphOp, Tensor } from '../../graph/ir.js';
import { samePadding } from '../../graph/kernels.js';
import {
  encodeModel, float32Tensor, int64Tensor, OnnxDataType, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor,
} from './onnx-proto.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface OnnxWriteOptions {
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

const ints = (name: string, value: readonly number[]): OnnxAttribute => ({ name, kind: 'ints', value });
const int = (name: string, value: number): OnnxAttribute => ({ name, kind: 'int', value });
const float = (name: string, value: number): OnnxAttribute => ({ name, kind: 'float', value });

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

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
const nchwShape = (s: readonly number[]): number[] => (s.length === 4 ? NHWC_TO_NCHW.map((p) => s[p] as number) : [...s]);

class OnnxBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Map<number, string>();
  private readonly used = new Set<string>();
  private readonly shared = new Map<string, string>();
  private counter = 0;

  constructor(private readonly graph: Graph) {}

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

  shapeConst(shape: readonly number[]): string {
    return this.sharedConst(`shape_${shape.join('x')}`, (n) => int64Tensor(n, [shape.length], shape));
  }
}

function spatialAttrs(x: Tensor, kh: number, kw: number, stride: number, padding: 'same' | 'valid'): OnnxAttribute[] {
  const [, H, W] = x.shape as [number, number, number, number];
  const py = samePadding(H, kh, stride, padding);
  const px = samePadding(W, kw, stride, padding);
  const padBottom = Math.max((py.out - 1) * stride + kh - H, 0) - py.before;
  const padRight = Math.max((px.out - 1) * stride + kw - W, 0) - px.before;
  const pads = padding === 'valid' ? [0, 0, 0, 0] : [py.before, px.before, padBottom, padRight];
  return [ints('kernel_shape', [kh, kw]), ints('strides', [stride, stride]), ints('pads', pads)];
}

function constData(b: OnnxBuilder, id: number | undefined, op: GraphOp): { t: Tensor; data: Float32Array } {
  if (id === undefined) throw new LayernasError('MODEL_INVALID', `op ${op.type} (${op.origin}) lacks an input`);
  const t = b.tensor(id);
  if (!t.data) throw new LayernasError('EXPORT_UNSUPPORTED', `ONNX export: ${op.type} (${op.origin}) needs constant weights, '${t.name}' is computed`);
  return { t, data: t.data };
}

/** output name for an op with a fused activation: intermediate when the activation needs its own node */
function withAct(b: OnnxBuilder, act: FusedActivation, op: GraphOp, out: string, emit: (target: string) => void): void {
  if (act === 'none') return emit(out);
  const pre = b.fresh(`${out}_preact`);
  emit(pre);
  b.act(act, op.origin, pre, out);
}

function lowerOp(b: OnnxBuilder, op: GraphOp): void {
  const xId = op.inputs[0] as number;
  const x = b.tensor(xId);
  const xn = b.name(xId);
  const outId = op.outputs[0] as number;
  const outT = b.tensor(outId);
  const out = b.name(outId);
  switch (op.type) {
    case 'conv2d':
    case 'depthwise_conv2d': {
      const w = constData(b, op.inputs[1], op);
      const bias = constData(b, op.inputs[2], op);
      const [, kh, kw, last] = w.t.shape as [number, number, number, number];
      const oihw = op.type === 'conv2d' ? permute(w.data, w.t.shape, [0, 3, 1, 2]) : permute(w.data, w.t.shape, [3, 0, 1, 2]);
      const group = op.type === 'conv2d' ? op.groups : last;
      const wn = b.constFloat(w.t.name, oihw.shape, oihw.data);
      const bn = b.constFloat(bias.t.name, bias.t.shape, bias.data);
      withAct(b, op.act, op, out, (target) => b.node('Conv', op.origin, [xn, wn, bn], [target],
        [...spatialAttrs(x, kh, kw, op.stride, op.padding), int('group', group), ints('dilations', [1, 1])]));
      return;
    }
    case 'fully_connected': {
      const w = constData(b, op.inputs[1], op);
      const bias = constData(b, op.inputs[2], op);
      let a = xn;
      if (x.shape.length === 4) a = toRank2(b, op, x, xn);
      const wn = b.constFloat(w.t.name, w.t.shape, w.data);
      const bn = b.constFloat(bias.t.name, bias.t.shape, bias.data);
      const gemmOut = outT.shape.length === 4 ? b.fresh(`${out}_2d`) : out;
      withAct(b, op.act, op, gemmOut, (target) => b.node('Gemm', op.origin, [a, wn, bn], [target], [int('transB', 1)]));
      if (outT.shape.length === 4) b.node('Reshape', op.origin, [gemmOut, b.shapeConst(nchwShape(outT.shape))], [out]);
      return;
    }
    case 'add':
    case 'mul': {
      const yId = op.inputs[1] as number;
      const y = b.tensor(yId);
      const operand = (t: Tensor, id: number): string => (t.data ? b.constOperand(t, t.data) : b.name(id));
      const opType = op.type === 'add' ? 'Add' : 'Mul';
      withAct(b, op.act, op, out, (target) => b.node(opType, op.origin, [operand(x, xId), operand(y, yId)], [target]));
      return;
    }
    case 'relu': b.act('relu', op.origin, xn, out); return;
    case 'relu6': b.act('relu6', op.origin, xn, out); return;
    case 'hard_swish': b.node('HardSwish', op.origin, [xn], [out]); return;
    case 'logistic': b.node('Sigmoid', op.origin, [xn], [out]); return;
    case 'hard_sigmoid': b.node('HardSigmoid', op.origin, [xn], [out], [float('alpha', 1 / 6), float('beta', 0.5)]); return;
    case 'avg_pool2d':
      b.node('AveragePool', op.origin, [xn], [out], [...spatialAttrs(x, op.kernel, op.kernel, op.stride, op.padding), int('count_include_pad', 0)]);
      return;
    case 'max_pool2d':
      b.node('MaxPool', op.origin, [xn], [out], spatialAttrs(x, op.kernel, op.kernel, op.stride, op.padding));
      return;
    case 'global_avg_pool': b.node('GlobalAveragePool', op.origin, [xn], [out]); return;
    case 'reshape': lowerReshape(b, op, x, xn, outT, out); return;
    case 'softmax': b.node('Softmax', op.origin, [xn], [out], [int('axis', x.shape.length === 4 ? 1 : -1)]); return;
    case 'zeros_like': {
      const zero: OnnxTensor = float32Tensor('value', [1], new Float32Array([0]));
      b.node('ConstantOfShape', op.origin, [b.shapeConst(nchwShape(x.shape))], [out], [{ name: 'value', kind: 'tensor', value: zero }]);
      return;
    }
  }
}

/** NCHW rank-4 activation → [1, H*W*C] in NHWC element order */
function toRank2(b: OnnxBuilder, op: GraphOp, x: Tensor, xn: string): string {
  const [, H, W, C] = x.shape as [number, number, number, number];
  let src = xn;
  if (H * W > 1) {
    src = b.fresh(`${xn}_nhwc`);
    b.node('Transpose', op.origin, [xn], [src], [ints('perm', NCHW_TO_NHWC)]);
  }
  const flat = b.fresh(`${xn}_flat`);
  b.node('Reshape', op.origin, [src, b.shapeConst([1, H * W * C])], [flat]);
  return flat;
}

function lowerReshape(b: OnnxBuilder, op: GraphOp, x: Tensor, xn: string, outT: Tensor, out: string): void {
  const src = x.shape.length === 4 ? toRank2(b, op, x, xn) : xn;
  if (outT.shape.length !== 4) {
    b.node('Reshape', op.origin, [src, b.shapeConst(outT.shape)], [out]);
    return;
  }
  const [, H, W] = outT.shape as [number, number, number, number];
  if (H * W === 1) {
    b.node('Reshape', op.origin, [src, b.shapeConst(nchwShape(outT.shape))], [out]);
    return;
  }
  const nhwc = b.fresh(`${out}_nhwc`);
  b.node('Reshape', op.origin, [src, b.shapeConst(outT.shape)], [nhwc]);
  b.node('Transpose', op.origin, [nhwc], [out], [ints('perm', NHWC_TO_NCHW)]);
}

export function onnxModelOf(graph: Graph, options: OnnxWriteOptions = {}): OnnxModel {
  const b = new OnnxBuilder(graph);
  const inputs = graph.inputs.map((id) => {
    const t = b.tensor(id);
    const external = b.unique(t.name);
    if (t.shape.length === 4) {
      const inner = b.unique(`${t.name}_nchw`);
      b.node('Transpose', 'input', [external], [inner], [ints('perm', NHWC_TO_NCHW)]);
      b.bind(id, inner);
    } else {
      b.bind(id, external);
    }
    return { name: external, elemType: OnnxDataType.FLOAT, shape: t.shape };
  });
  const outputNames = new Map<number, string>();
  for (const id of graph.outputs) {
    const t = b.tensor(id);
    if (t.shape.length === 4) {
      outputNames.set(id, b.unique(t.name));
      b.bind(id, b.unique(`${t.name}_nchw`));
    } else {
      outputNames.set(id, b.name(id));
    }
  }
  for (const op of graph.ops) lowerOp(b, op);
  const outputs = graph.outputs.map((id) => {
    const t = b.tensor(id);
    const name = outputNames.get(id) as string;
    if (t.shape.length === 4) b.node('Transpose', 'output', [b.name(id)], [name], [ints('perm', NCHW_TO_NHWC)]);
    return { name, elemType: OnnxDataType.FLOAT, shape: t.shape };
  });
  return {
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: 'layernas',
    producerVersion: options.producerVersion ?? '0.1.0',
    docString: options.docString ?? `layernas export of ${graph.name}; interface NHWC, graph NCHW inside`,
    graphName: graph.name,
    nodes: b.nodes,
    initializers: b.initializers,
    inputs,
    outputs,
    metadata: { layout: 'NHWC interface, NCHW inside', ...(options.metadata ?? {}) },
  };
}

/** Serialise `graph` as an ONNX model file (bytes). */
export function writeOnnx(graph: Graph, options: OnnxWriteOptions = {}): Uint8Array {
  return encodeModel(onnxModelOf(graph, options));
}
