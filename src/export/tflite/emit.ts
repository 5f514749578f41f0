/**
 * Graph IR → TFLite model (tensors, constant buffers, operators), float32 or int8.
 * Every IR op maps to TFLite builtins: fused RELU/RELU6 stay fused into CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, ADD and MUL; global average pool is AVERAGE_POOL_2D (float) or MEAN (int8); hard-sigmoid becomes ADD(+3, fused RELU6) → MUL(1/6); grouped convolution becomes
 * SPLIT → CONV_2D per group → CONCATENATION; zeros_like becomes MUL by a constant 0.
 */
import { LayernasError } from '../../core/errors.js';
import type { Conv2dOp, Graph, GraphOp, Tensor } from '../../graph/ir.js';
import type { QuantParams, TfliteModel } from './flatbuffer.js';
import { Emitter, type Int8Plan, size } from './emitter.js';
import { BuiltinOp } from './schema.js';

export type { Int8Plan } from './emitter.js';

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
      // a flatten feeding only FULLY_CONNECTED (which flattens its input itself) is no op at all: one op and, in
      // int8, one XNNPack partition fewer (XNNPack 2.9 leaves int8 RESHAPE to TFLite's own kernels)
      const readers = e.consumers.get(outputId) ?? [];
      if (!e.isGraphOutput(outputId) && readers.length > 0 && readers.every((r) => r.type === 'fully_connected' && r.inputs[0] === outputId)) {
        return e.alias(outputId, inputId);
      }
      const shape = e.tensor(outputId).shape;
      const shapeTensor = e.int32Constant(`${op.origin}/shape`, shape);
      return e.op(BuiltinOp.RESHAPE, [e.act(inputId), shapeTensor], [e.act(outputId)], { kind: 'reshape', newShape: shape });
    }
    case 'softmax': {
      if (e.int8 && e.floatIo && e.isGraphOutput(outputId)) {
        // int8 model with float output: DEQUANTIZE, then SOFTMAX in float (XNNPack 2.9 has no int8 SOFTMAX, so an
        // int8 one would run on TFLite's own kernels in a partition of its own; float is also exact)
        const t = e.tensor(outputId);
        const logits = e.add({ name: `${t.name}/logits_float`, shape: e.tensor(inputId).shape, type: 'float32' });
        e.op(BuiltinOp.DEQUANTIZE, [e.act(inputId)], [logits]);
        const out = e.add({ name: t.name, shape: t.shape, type: 'float32' });
        e.op(BuiltinOp.SOFTMAX, [logits], [out], { kind: 'softmax', beta: 1 }, false);
        e.floatOutputs.set(outputId, out);
        return;
      }
      return e.op(BuiltinOp.SOFTMAX, [e.act(inputId)], [e.act(outputId)], { kind: 'softmax', beta: 1 });
    }
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
  const ops = liveOps(graph);
  for (const op of ops) {
    for (const id of op.inputs) e.consumers.set(id, [...(e.consumers.get(id) ?? []), op]);
  }
  for (const op of ops) emitOp(e, op);
  for (const id of graph.outputs) {
    const t = e.tensor(id);
    const done = e.floatOutputs.get(id);
    if (done !== undefined) {
      e.outputs.push(done);
    } else if (plan?.io === 'float') {
      const f = e.add({ name: t.name, shape: t.shape, type: 'float32' });
      e.op(BuiltinOp.DEQUANTIZE, [e.act(id)], [f]);
      e.outputs.push(f);
    } else {
      e.outputs.push(e.act(id));
    }
  }
  return { description: `layernas ${graph.name}${plan ? ' int8' : ' float32'}`, tensors: e.tensors, operators: e.operators, inputs: e.inputs, outputs: e.outputs };
}
