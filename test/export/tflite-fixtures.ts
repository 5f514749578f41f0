/**
 * Hand-made IR graphs for the TFLite writer tests (built directly against src/graph/ir.ts), with seeded
 * random weights, plus comparison helpers.
 */
import { Rng } from '../../src/core/rng.js';
import type { FusedActivation, Graph, GraphOp, Tensor } from '../../src/graph/ir.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class GraphBuilder {
  readonly tensors: Tensor[] = [];
  readonly ops: GraphOp[] = [];
  private readonly rng: Rng;
  constructor(readonly name: string, seed = 1) {
    this.rng = new Rng(seed);
  }
  tensor(name: string, shape: readonly number[], data?: Float32Array): number {
    const id = this.tensors.length;
    this.tensors.push(data ? { id, name, shape, data } : { id, name, shape });
    return id;
  }
  random(name: string, shape: readonly number[], std: number): number {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.tensor(name, shape, Float32Array.from({ length: n }, () => this.rng.normal() * std));
  }
  shape(id: number): readonly number[] {
    return (this.tensors[id] as Tensor).shape;
  }
  private out(name: string, shape: readonly number[]): number {
    return this.tensor(name, shape);
  }
  private spatial(x: number, k: number, stride: number, padding: 'same' | 'valid'): [number, number] {
    const [, h, w] = this.shape(x) as [number, number, number, number];
    const f = (n: number): number => (padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - k) / stride) + 1);
    return [f(h), f(w)];
  }
  conv(x: number, O: number, k: number, stride: number, act: FusedActivation, groups = 1, padding: 'same' | 'valid' = 'same'): number {
    const C = this.shape(x)[3] as number;
    const w = this.random(`conv${this.ops.length}/w`, [O, k, k, C / groups], Math.sqrt(2 / (k * k * C / groups)));
    const b = this.random(`conv${this.ops.length}/b`, [O], 0.1);
    const [h, ww] = this.spatial(x, k, stride, padding);
    const y = this.out(`conv${this.ops.length}/y`, [1, h, ww, O]);
    this.ops.push({ type: 'conv2d', inputs: [x, w, b], outputs: [y], origin: `l${this.ops.length}`, stride, padding, groups, act });
    return y;
  }
  dw(x: number, k: number, stride: number, act: FusedActivation): number {
    const C = this.shape(x)[3] as number;
    const w = this.random(`dw${this.ops.length}/w`, [1, k, k, C], Math.sqrt(2 / (k * k)));
    const b = this.random(`dw${this.ops.length}/b`, [C], 0.1);
    const [h, ww] = this.spatial(x, k, stride, 'same');
    const y = this.out(`dw${this.ops.length}/y`, [1, h, ww, C]);
    this.ops.push({ type: 'depthwise_conv2d', inputs: [x, w, b], outputs: [y], origin: `l${this.ops.length}`, stride, padding: 'same', act });
    return y;
  }
  fc(x: number, O: number, act: FusedActivation = 'none'): number {
    const I = this.shape(x).slice(1).reduce((a, b) => a * b, 1);
    const w = this.random(`fc${this.ops.length}/w`, [O, I], Math.sqrt(1 / I));
    const b = this.random(`fc${this.ops.length}/b`, [O], 0.1);
    const y = this.out(`fc${this.ops.length}/y`, [1, O]);
    this.ops.push({ type: 'fully_connected', inputs: [x, w, b], outputs: [y], origin: `l${this.ops.length}`, act });
    return y;
  }
  binary(type: 'add' | 'mul', a: number, b: number, act: FusedActivation = 'none'): number {
    const sa = this.shape(a);
    const sb = this.shape(b);
    const shape = sa.map((d, i) => Math.max(d, sb[i] as number));
    const y = this.out(`${type}${this.ops.length}/y`, shape);
    this.ops.push({ type, inputs: [a, b], outputs: [y], origin: `l${this.ops.length}`, act });
    return y;
  }
  unary(type: 'relu' | 'relu6' | 'hard_swish' | 'logistic' | 'hard_sigmoid' | 'zeros_like' | 'softmax', x: number): number {
    const y = this.out(`${type}${this.ops.length}/y`, this.shape(x));
    this.ops.push({ type, inputs: [x], outputs: [y], origin: `l${this.ops.length}` } as GraphOp);
    return y;
  }
  pool(type: 'avg_pool2d' | 'max_pool2d', x: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
    const [h, w] = this.spatial(x, kernel, stride, padding);
    const y = this.out(`${type}${this.ops.length}/y`, [1, h, w, this.shape(x)[3] as number]);
    this.ops.push({ type, inputs: [x], outputs: [y], origin: `l${this.ops.length}`, kernel, stride, padding });
    return y;
  }
  gap(x: number): number {
    const y = this.out(`gap${this.ops.length}/y`, [1, 1, 1, this.shape(x)[3] as number]);
    this.ops.push({ type: 'global_avg_pool', inputs: [x], outputs: [y], origin: `l${this.ops.length}` });
    return y;
  }
  flatten(x: number): number {
    const y = this.out(`reshape${this.ops.length}/y`, [1, this.shape(x)[3] as number]);
    this.ops.push({ type: 'reshape', inputs: [x], outputs: [y], origin: `l${this.ops.length}` });
    return y;
  }
  build(inputs: number[], outputs: number[]): Graph {
    const g: Mutable<Graph> = { name: this.name, tensors: this.tensors, ops: this.ops, inputs, outputs };
    return g;
  }
}

export function randomInput(shape: readonly number[], seed: number): Float32Array {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** max |a - b| divided by max(1e-6, max |b|): the "relative to the output scale" error of the issue */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

/** A MobileNetV2-style network: stem, inverted residual blocks (expand → dw → project, residual add), head. */
export function mobilenetV2Like(resolution: number, widths: readonly number[], seed = 7): Graph {
  const g = new GraphBuilder(`mbv2like-${resolution}`, seed);
  const x = g.tensor('input', [1, resolution, resolution, 3]);
  let y = g.conv(x, widths[0] as number, 3, 2, 'relu6');
  let c = widths[0] as number;
  widths.slice(1).forEach((w, i) => {
    const stride = i % 2 === 0 ? 2 : 1;
    const e = g.conv(y, c * 6, 1, 1, 'relu6');
    const d = g.dw(e, 3, stride, 'relu6');
    const p = g.conv(d, w, 1, 1, 'none');
    y = stride === 1 && w === c ? g.binary('add', p, y) : p;
    c = w;
  });
  y = g.conv(y, 64, 1, 1, 'relu6');
  const logits = g.fc(g.flatten(g.gap(y)), 10);
  return g.build([x], [g.unary('softmax', logits)]);
}
