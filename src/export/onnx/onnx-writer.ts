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
import type { QuantParams } from '../tflite/index.js';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, nchwShape, OnnxBuilder, permute } from './onnx-builder.js';
import { encodeModel, float32Tensor, OnnxDataType, type OnnxAttribute, type OnnxModel, type OnnxTensor } from './onnx-proto.js';

export { permute } from './onnx-builder.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export interface OnnxWriteOptions {
  /** int8 QDQ: per-tensor parameters of activation tensors (by IR tensor id), e.g. from TFLite calibration */
  readonly int8Activations?: ReadonlyMap<number, QuantParams>;
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * 'nhwc' (default): the model's rank-4 inputs/outputs are NHWC like the TFLite file, with Transposes at the edges.
   * 'nchw': rank-4 inputs/outputs are NCHW and no edge Transposes are written (one-block models for profiling, whose
   * edges are internal tensors of a real network).
   */
  readonly interface?: 'nhwc' | 'nchw';
  /** calibration probe (float models only): the outputs are the min and max of every activation tensor */
  readonly probe?: boolean;
  /** inputs/outputs get a named dynamic batch dimension ("batch") instead of 1 */
  readonly dynamicBatch?: boolean;
}

const ints = (name: string, value: readonly number[]): OnnxAttribute => ({ name, kind: 'ints', value });
const int = (name: string, value: number): OnnxAttribute => ({ name, kind: 'int', value });
const float = (name: string, value: number): OnnxAttribute => ({ name, kind: 'float', value });

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

/** weight + bias of conv / gemm: float initializers, or int8 weight + int32 bias behind DequantizeLinear (QDQ) */
function weightAndBias(b: OnnxBuilder, op: GraphOp, xId: number, wName: string, wDims: readonly number[], w: Float32Array,
  bName: string, bias: Float32Array): { wn: string; bn: string } {
  const inParams = b.quant?.get(xId);
  if (!b.quant || !inParams) return { wn: b.constFloat(wName, wDims, w), bn: b.constFloat(bName, [bias.length], bias) };
  const qw = b.int8Weight(op.origin, wName, wDims, w);
  return { wn: qw.name, bn: b.int32Bias(op.origin, bName, bias, inParams.scale[0] as number, qw.scales) };
}

/** lower one op; with int8 parameters for its output, the result passes through QuantizeLinear → DequantizeLinear */
function lowerOpQdq(b: OnnxBuilder, op: GraphOp): void {
  const outId = op.outputs[0] as number;
  const p = b.quant?.get(outId);
  if (!p) return lowerOp(b, op);
  const final = b.name(outId);
  const pre = b.fresh(`${final}_float`);
  b.bind(outId, pre);
  lowerOp(b, op);
  b.qdq(op.origin, pre, final, p);
  b.bind(outId, final);
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
      const { wn, bn } = weightAndBias(b, op, xId, w.t.name, oihw.shape, oihw.data, bias.t.name, bias.data);
      withAct(b, op.act, op, out, (target) => b.node('Conv', op.origin, [xn, wn, bn], [target],
        [...spatialAttrs(x, kh, kw, op.stride, op.padding), int('group', group), ints('dilations', [1, 1])]));
      return;
    }
    case 'fully_connected': {
      const w = constData(b, op.inputs[1], op);
      const bias = constData(b, op.inputs[2], op);
      let a = xn;
      if (x.shape.length === 4) a = toRank2(b, op, x, xn);
      const { wn, bn } = weightAndBias(b, op, xId, w.t.name, w.t.shape, w.data, bias.t.name, bias.data);
      const gemmOut = outT.shape.length === 4 ? b.fresh(`${out}_2d`) : out;
      withAct(b, op.act, op, gemmOut, (target) => b.node('Gemm', op.origin, [a, wn, bn], [target], [int('transB', 1)]));
      if (outT.shape.length === 4) b.node('Reshape', op.origin, [gemmOut, b.reshapeTarget(nchwShape(outT.shape))], [out]);
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
      const shape = b.dynamicBatch ? b.fresh(`${out}_shape`) : b.shapeConst(nchwShape(x.shape));
      if (b.dynamicBatch) b.node('Shape', op.origin, [xn], [shape]);
      b.node('ConstantOfShape', op.origin, [shape], [out], [{ name: 'value', kind: 'tensor', value: zero }]);
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
  b.node('Reshape', op.origin, [src, b.reshapeTarget([1, H * W * C])], [flat]);
  return flat;
}

function lowerReshape(b: OnnxBuilder, op: GraphOp, x: Tensor, xn: string, outT: Tensor, out: string): void {
  const src = x.shape.length === 4 ? toRank2(b, op, x, xn) : xn;
  if (outT.shape.length !== 4) {
    b.node('Reshape', op.origin, [src, b.reshapeTarget(outT.shape)], [out]);
    return;
  }
  const [, H, W] = outT.shape as [number, number, number, number];
  if (H * W === 1) {
    b.node('Reshape', op.origin, [src, b.reshapeTarget(nchwShape(outT.shape))], [out]);
    return;
  }
  const nhwc = b.fresh(`${out}_nhwc`);
  b.node('Reshape', op.origin, [src, b.reshapeTarget(outT.shape)], [nhwc]);
  b.node('Transpose', op.origin, [nhwc], [out], [ints('perm', NHWC_TO_NCHW)]);
}

/** a calibration probe: graph tensor `id` reduced to scalar outputs `min` and `max` */
export interface OnnxProbe {
  readonly id: number;
  readonly min: string;
  readonly max: string;
}

function buildOnnx(graph: Graph, options: OnnxWriteOptions): { model: OnnxModel; probes: OnnxProbe[] } {
  const b = new OnnxBuilder(graph, options.int8Activations);
  b.dynamicBatch = options.dynamicBatch ?? false;
  const batched = (s: readonly number[]): number[] => (b.dynamicBatch && s.length > 0 ? [-1, ...s.slice(1)] : [...s]);
  const nhwc = (options.interface ?? 'nhwc') === 'nhwc';
  const nchwShape = (s: readonly number[]): number[] => (s.length === 4 ? [s[0], s[3], s[1], s[2]] as number[] : [...s]);
  const inputs = graph.inputs.map((id) => {
    const t = b.tensor(id);
    const external = b.unique(t.name);
    if (t.shape.length === 4 && !nhwc) {
      const p = b.quant?.get(id);
      if (p) {
        const inner = b.unique(`${t.name}_q`);
        b.qdq('input', external, inner, p);
        b.bind(id, inner);
      } else {
        b.bind(id, external);
      }
      return { name: external, elemType: OnnxDataType.FLOAT, shape: batched(nchwShape(t.shape)) };
    }
    if (t.shape.length === 4) {
      const inner = b.unique(`${t.name}_nchw`);
      const p = b.quant?.get(id);
      const transposed = p ? b.fresh(`${t.name}_nchw_float`) : inner;
      b.node('Transpose', 'input', [external], [transposed], [ints('perm', NHWC_TO_NCHW)]);
      if (p) b.qdq('input', transposed, inner, p);
      b.bind(id, inner);
    } else {
      b.bind(id, external);
    }
    return { name: external, elemType: OnnxDataType.FLOAT, shape: batched(t.shape) };
  });
  const outputNames = new Map<number, string>();
  for (const id of graph.outputs) {
    const t = b.tensor(id);
    if (t.shape.length === 4 && nhwc) {
      outputNames.set(id, b.unique(t.name));
      b.bind(id, b.unique(`${t.name}_nchw`));
    } else {
      outputNames.set(id, b.name(id));
    }
  }
  for (const op of graph.ops) lowerOpQdq(b, op);
  const outputs = graph.outputs.map((id) => {
    const t = b.tensor(id);
    const name = outputNames.get(id) as string;
    if (t.shape.length === 4 && nhwc) b.node('Transpose', 'output', [b.name(id)], [name], [ints('perm', NCHW_TO_NHWC)]);
    return { name, elemType: OnnxDataType.FLOAT, shape: batched(t.shape.length === 4 && !nhwc ? nchwShape(t.shape) : t.shape) };
  });
  const probes: OnnxProbe[] = [];
  if (options.probe) {
    // every activation (inputs' internal copies, intermediates, outputs) reduced to its min and max inside the graph
    const seen = new Set<string>();
    for (const [id, name] of [...b.bound(), ...outputNames]) {
      if (b.tensor(id).data || seen.has(name) || inputs.some((i) => i.name === name)) continue;
      seen.add(name);
      const min = b.fresh(`${name}/probe_min`);
      const max = b.fresh(`${name}/probe_max`);
      b.node('ReduceMin', 'probe', [name], [min], [int('keepdims', 0)]);
      b.node('ReduceMax', 'probe', [name], [max], [int('keepdims', 0)]);
      probes.push({ id, min, max });
    }
    outputs.splice(0, outputs.length, ...probes.flatMap((p) => [p.min, p.max].map((n) => ({ name: n, elemType: OnnxDataType.FLOAT, shape: [] as number[] }))));
  }
  const model: OnnxModel = {
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
    metadata: { layout: nhwc ? 'NHWC interface, NCHW inside' : 'NCHW interface and inside', ...(options.metadata ?? {}) },
  };
  return { model, probes };
}

export function onnxModelOf(graph: Graph, options: OnnxWriteOptions = {}): OnnxModel {
  return buildOnnx(graph, options).model;
}

/** A float model whose outputs are the min and max of every activation tensor of `graph` (calibration). */
export function onnxProbeModel(graph: Graph): { bytes: Uint8Array; probes: readonly OnnxProbe[] } {
  const { model, probes } = buildOnnx(graph, { probe: true });
  return { bytes: encodeModel(model), probes };
}

/** Serialise `graph` as an ONNX model file (bytes). */
export function writeOnnx(graph: Graph, options: OnnxWriteOptions = {}): Uint8Array {
  return encodeModel(onnxModelOf(graph, options));
}
