/**
 * Incremental construction of a Graph (src/graph/ir.ts): tensors get dense ids in creation order,
 * ops are appended in topological order by construction. Used by the lowering and by tests.
 */
import { LayernasError } from '../core/errors.js';
import type { FusedActivation, Graph, GraphOp, Tensor } from './ir.js';
import { samePadding } from './kernels.js';

export type ActRef = number;

export class GraphBuilder {
  private readonly tensors: Tensor[] = [];
  private readonly ops: GraphOp[] = [];
  private readonly names = new Set<string>();
  private readonly graphInputs: number[] = [];
  private readonly graphOutputs: number[] = [];

  constructor(private readonly name: string) {}

  shape(id: number): readonly number[] {
    const t = this.tensors[id];
    if (!t) throw new LayernasError('MODEL_INVALID', `graph '${this.name}': unknown tensor id ${id}`);
    return t.shape;
  }

  private uniqueName(base: string): string {
    let n = base;
    for (let k = 1; this.names.has(n); k++) n = `${base}_${k}`;
    this.names.add(n);
    return n;
  }

  tensor(name: string, shape: readonly number[], data?: Float32Array): number {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data && data.length !== size) {
      throw new LayernasError('WEIGHTS_INVALID', `constant '${name}' has ${data.length} values, shape [${shape}] needs ${size}`, { name, shape });
    }
    const id = this.tensors.length;
    this.tensors.push(data ? { id, name: this.uniqueName(name), shape: [...shape], data } : { id, name: this.uniqueName(name), shape: [...shape] });
    return id;
  }

  input(name: string, shape: readonly number[]): number {
    const id = this.tensor(name, shape);
    this.graphInputs.push(id);
    return id;
  }

  /** mark `id` as a graph output, optionally renaming the tensor (e.g. 'logits') */
  output(id: number, name?: string): void {
    const t = this.tensors[id];
    if (!t) throw new LayernasError('MODEL_INVALID', `graph '${this.name}': unknown tensor id ${id}`);
    if (name !== undefined && name !== t.name) {
      if (this.names.has(name)) throw new LayernasError('MODEL_INVALID', `graph '${this.name}': tensor name '${name}' already used`);
      this.names.delete(t.name);
      this.names.add(name);
      this.tensors[id] = { ...t, name };
    }
    this.graphOutputs.push(id);
  }

  op(op: GraphOp): void {
    this.ops.push(op);
  }

  /** NHWC conv / depthwise conv with OHWI / [1,kh,kw,C] weights; returns the output tensor id */
  conv(origin: string, x: number, weight: Float32Array, wShape: readonly [number, number, number, number], bias: Float32Array,
    opts: { stride: number; groups: number; act: FusedActivation; depthwise?: boolean; name?: string }): number {
    const [, H, W, C] = this.shape(x) as [number, number, number, number];
    const [o, kh, kw, last] = wShape;
    const out = opts.depthwise ? last : o;
    if (opts.depthwise ? o !== 1 || last !== C : last * opts.groups !== C) {
      throw new LayernasError('WEIGHTS_INVALID', `${origin}: weight [${wShape}] does not fit input channels ${C}`, { origin });
    }
    const y = this.tensor(opts.name ?? `${origin}.out`, [1, samePadding(H, kh, opts.stride, 'same').out, samePadding(W, kw, opts.stride, 'same').out, out]);
    const w = this.tensor(`${origin}.weight`, wShape, weight);
    const b = this.tensor(`${origin}.bias`, [out], bias);
    if (opts.depthwise) {
      this.op({ type: 'depthwise_conv2d', inputs: [x, w, b], outputs: [y], origin, stride: opts.stride, padding: 'same', act: opts.act });
    } else {
      this.op({ type: 'conv2d', inputs: [x, w, b], outputs: [y], origin, stride: opts.stride, padding: 'same', groups: opts.groups, act: opts.act });
    }
    return y;
  }

  fc(origin: string, x: number, weight: Float32Array, O: number, bias: Float32Array, act: FusedActivation): number {
    const I = this.shape(x)[this.shape(x).length - 1] as number;
    const y = this.tensor(`${origin}.out`, [1, O]);
    const w = this.tensor(`${origin}.weight`, [O, I], weight);
    const b = this.tensor(`${origin}.bias`, [O], bias);
    this.op({ type: 'fully_connected', inputs: [x, w, b], outputs: [y], origin, act });
    return y;
  }

  unary(origin: string, type: 'relu' | 'relu6' | 'hard_swish' | 'logistic' | 'hard_sigmoid', x: number): number {
    const y = this.tensor(`${origin}.${type}`, this.shape(x));
    this.op({ type, inputs: [x], outputs: [y], origin });
    return y;
  }

  binary(origin: string, type: 'add' | 'mul', a: number, b: number, act: FusedActivation = 'none'): number {
    const sa = this.shape(a);
    const sb = this.shape(b);
    if (sa.length !== sb.length) throw new LayernasError('MODEL_INVALID', `${origin}: ${type} of ranks ${sa.length} and ${sb.length}`);
    const shape = sa.map((d, i) => {
      const e = sb[i] as number;
      if (d !== e && d !== 1 && e !== 1) throw new LayernasError('MODEL_INVALID', `${origin}: cannot broadcast [${sa}] with [${sb}]`);
      return Math.max(d, e);
    });
    const y = this.tensor(`${origin}.${type}`, shape);
    this.op({ type, inputs: [a, b], outputs: [y], origin, act });
    return y;
  }

  pool(origin: string, type: 'avg_pool2d' | 'max_pool2d', x: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
    const [, H, W, C] = this.shape(x) as [number, number, number, number];
    const y = this.tensor(`${origin}.pool`, [1, samePadding(H, kernel, stride, padding).out, samePadding(W, kernel, stride, padding).out, C]);
    this.op({ type, inputs: [x], outputs: [y], origin, kernel, stride, padding });
    return y;
  }

  globalAvgPool(origin: string, x: number): number {
    const C = this.shape(x)[3] as number;
    const y = this.tensor(`${origin}.gap`, [1, 1, 1, C]);
    this.op({ type: 'global_avg_pool', inputs: [x], outputs: [y], origin });
    return y;
  }

  reshape(origin: string, x: number, shape: readonly number[]): number {
    const y = this.tensor(`${origin}.reshape`, shape);
    this.op({ type: 'reshape', inputs: [x], outputs: [y], origin });
    return y;
  }

  softmax(origin: string, x: number): number {
    const y = this.tensor(`${origin}.softmax`, this.shape(x));
    this.op({ type: 'softmax', inputs: [x], outputs: [y], origin });
    return y;
  }

  zerosLike(origin: string, x: number): number {
    const y = this.tensor(`${origin}.zeros`, this.shape(x));
    this.op({ type: 'zeros_like', inputs: [x], outputs: [y], origin });
    return y;
  }

  build(): Graph {
    if (this.graphInputs.length === 0 || this.graphOutputs.length === 0) {
      throw new LayernasError('MODEL_INVALID', `graph '${this.name}' needs at least one input and one output`);
    }
    return pruneDeadOps({ name: this.name, tensors: this.tensors, ops: this.ops, inputs: this.graphInputs, outputs: this.graphOutputs });
  }
}

/**
 * Drop ops whose results never reach a graph output (e.g. an NB201 cell node feeding only 'none' edges) and the
 * tensors only they use; tensor ids are renumbered densely (tensors[id].id === id).
 */
export function pruneDeadOps(graph: Graph): Graph {
  const live = new Set<number>([...graph.outputs, ...graph.inputs]);
  const keep: GraphOp[] = [];
  for (let i = graph.ops.length - 1; i >= 0; i--) {
    const op = graph.ops[i] as GraphOp;
    if (!op.outputs.some((o) => live.has(o))) continue;
    keep.push(op);
    for (const t of op.inputs) live.add(t);
  }
  keep.reverse();
  const newId = new Map<number, number>();
  const tensors: Tensor[] = [];
  for (const t of graph.tensors) {
    if (!live.has(t.id)) continue;
    newId.set(t.id, tensors.length);
    tensors.push({ ...t, id: tensors.length });
  }
  const map = (ids: readonly number[]): number[] => ids.map((id) => newId.get(id) as number);
  return {
    name: graph.name,
    tensors,
    ops: keep.map((op) => ({ ...op, inputs: map(op.inputs), outputs: map(op.outputs) })),
    inputs: map(graph.inputs),
    outputs: map(graph.outputs),
  };
}
