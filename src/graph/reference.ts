/**
 * Reference forward pass over the graph IR (src/graph/ir.ts): the ground truth every exported format is compared with,
 * and the source of activation ranges for int8 calibration (`collect: true` returns every intermediate tensor).
 */
import { LayernasError } from '../core/errors.js';
import type { Graph, GraphOp, Tensor } from './ir.js';
import {
  applyAct, broadcastBinary, conv2d, depthwiseConv2d, fullyConnected, globalAvgPool, hardSigmoid, pool2d,
  softmaxLastAxis, type Shape4,
} from './kernels.js';

export interface ReferenceOptions {
  /** keep every tensor computed (and constants) in `tensors`, keyed by tensor id */
  readonly collect?: boolean;
}

export interface ReferenceResult {
  /** one per graph output, in graph.outputs order */
  readonly outputs: Float32Array[];
  /** every tensor value by id when `collect` was set (inputs, intermediates, outputs) */
  readonly tensors?: ReadonlyMap<number, Float32Array>;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function nhwc(t: Tensor): Shape4 {
  if (t.shape.length !== 4) throw new LayernasError('EXPORT_UNSUPPORTED', `tensor '${t.name}' must be NHWC, has shape [${t.shape}]`);
  return { h: t.shape[1] as number, w: t.shape[2] as number, c: t.shape[3] as number };
}

class Evaluator {
  private readonly values = new Map<number, Float32Array>();
  constructor(private readonly graph: Graph) {}

  tensor(id: number): Tensor {
    const t = this.graph.tensors[id];
    if (!t || t.id !== id) throw new LayernasError('MODEL_INVALID', `graph '${this.graph.name}': tensor id ${id} is not at index ${id}`);
    return t;
  }

  value(id: number): Float32Array {
    const v = this.values.get(id) ?? this.tensor(id).data;
    if (!v) throw new LayernasError('MODEL_INVALID', `graph '${this.graph.name}': tensor '${this.tensor(id).name}' is read before it is computed`);
    return v;
  }

  set(id: number, v: Float32Array): void {
    const t = this.tensor(id);
    if (v.length !== size(t.shape)) {
      throw new LayernasError('MODEL_INVALID', `graph '${this.graph.name}': tensor '${t.name}' has shape [${t.shape}] but its op produced ${v.length} values`);
    }
    this.values.set(id, v);
  }

  in(op: GraphOp, k: number): { v: Float32Array; t: Tensor } {
    const id = op.inputs[k];
    if (id === undefined) throw new LayernasError('MODEL_INVALID', `op ${op.type} (${op.origin}) lacks input ${k}`);
    return { v: this.value(id), t: this.tensor(id) };
  }

  out(op: GraphOp): number {
    const id = op.outputs[0];
    if (id === undefined) throw new LayernasError('MODEL_INVALID', `op ${op.type} (${op.origin}) has no output`);
    return id;
  }

  step(op: GraphOp): void {
    const outId = this.out(op);
    const x = this.in(op, 0);
    switch (op.type) {
      case 'conv2d': {
        const w = this.in(op, 1);
        const b = this.in(op, 2);
        this.set(outId, conv2d(x.v, nhwc(x.t), w.v, w.t.shape, b.v, op.stride, op.padding, op.groups, op.act).y);
        return;
      }
      case 'depthwise_conv2d': {
        const w = this.in(op, 1);
        const b = this.in(op, 2);
        this.set(outId, depthwiseConv2d(x.v, nhwc(x.t), w.v, w.t.shape, b.v, op.stride, op.padding, op.act).y);
        return;
      }
      case 'fully_connected': {
        const w = this.in(op, 1);
        const b = this.in(op, 2);
        const [O, I] = w.t.shape as [number, number];
        this.set(outId, fullyConnected(x.v, w.v, O, I, b.v, op.act));
        return;
      }
      case 'add':
      case 'mul': {
        const y = this.in(op, 1);
        const act = op.act;
        const f = op.type === 'add' ? (a: number, c: number) => applyAct(a + c, act) : (a: number, c: number) => applyAct(a * c, act);
        this.set(outId, broadcastBinary(x.v, x.t.shape, y.v, y.t.shape, this.tensor(outId).shape, f));
        return;
      }
      case 'relu': this.set(outId, x.v.map((v) => applyAct(v, 'relu'))); return;
      case 'relu6': this.set(outId, x.v.map((v) => applyAct(v, 'relu6'))); return;
      case 'hard_swish': this.set(outId, x.v.map((v) => v * hardSigmoid(v))); return;
      case 'hard_sigmoid': this.set(outId, x.v.map(hardSigmoid)); return;
      case 'logistic': this.set(outId, x.v.map((v) => 1 / (1 + Math.exp(-v)))); return;
      case 'avg_pool2d':
      case 'max_pool2d':
        this.set(outId, pool2d(x.v, nhwc(x.t), op.type === 'avg_pool2d' ? 'avg' : 'max', op.kernel, op.stride, op.padding).y);
        return;
      case 'global_avg_pool': this.set(outId, globalAvgPool(x.v, nhwc(x.t))); return;
      case 'reshape': this.set(outId, x.v); return;
      case 'softmax': this.set(outId, softmaxLastAxis(x.v, x.t.shape[x.t.shape.length - 1] as number)); return;
      case 'zeros_like': this.set(outId, new Float32Array(x.v.length)); return;
    }
  }

  collected(): Map<number, Float32Array> {
    const all = new Map(this.values);
    for (const t of this.graph.tensors) if (t.data && !all.has(t.id)) all.set(t.id, t.data);
    return all;
  }
}

/** Run `graph` on `inputs` (one Float32Array per graph input, NHWC, batch 1). */
export function runReference(graph: Graph, inputs: Float32Array | readonly Float32Array[], options: ReferenceOptions = {}): ReferenceResult {
  const list = inputs instanceof Float32Array ? [inputs] : inputs;
  if (list.length !== graph.inputs.length) {
    throw new LayernasError('USAGE', `graph '${graph.name}' has ${graph.inputs.length} input(s), got ${list.length}`);
  }
  const ev = new Evaluator(graph);
  graph.inputs.forEach((id, i) => ev.set(id, list[i] as Float32Array));
  for (const op of graph.ops) ev.step(op);
  const outputs = graph.outputs.map((id) => ev.value(id));
  return options.collect ? { outputs, tensors: ev.collected() } : { outputs };
}
