/**
 * A layer kind as one module (timm style): its block-string grammar, value rules, output shape, primitives (the
 * weighted ops it contains, which name its weights and give its MAdds/params), residual rule and computation.
 *
 * A kind's computation is its `body`: a list of steps over values (v0 = the layer's input, v<i> = the result of step
 * i-1; the last step's value is the layer's output). Without `body`, it is the primitives applied in order (each conv /
 * linear / BN with its activation; a conv with `bn` has BN folded in), then `+ input` when `residual(layer, input)`.
 * The graph lowering (src/graph/lower-layers.ts) and the tfjs trainer (src/train/network.ts) interpret the steps, so
 * a new kind needs no code there; the PyTorch trainer (trainers/pytorch/layernas_net.py) has one small class per kind.
 * Latency keys come from `format` (+ '@' + input shape), so profiling and the latency tables need nothing either.
 */
import type { Piece } from '../grammar-text.js';
import type { ConvPrimitive, Primitive } from '../primitives.js';
import type { PartKind } from '../rules.js';
import type { Activation, Gate, TensorShape } from '../spec.js';

/**
 * One step of a kind's computation. Names are op names under the layer's prefix (`l<i>.<name>`).
 *  - prim: the primitive `module` on value `from`, its activation after it; with `pre`, its activation before it
 *    instead, computed once per value and named `pre` (NB201's ReLU -> conv -> BN);
 *  - avgpool (SAME padding), gap (global average pool to 1x1), gate (sigmoid / hard sigmoid), mul, add;
 *  - zeros: zeros shaped like `like` (a cell node without inputs), which must have `channels` channels.
 */
export type BodyStep =
  | { readonly op: 'prim'; readonly module: string; readonly from: number; readonly pre?: string }
  | { readonly op: 'avgpool'; readonly name: string; readonly from: number; readonly size: number; readonly stride: number }
  | { readonly op: 'gap'; readonly name: string; readonly from: number }
  | { readonly op: 'gate'; readonly name: string; readonly from: number; readonly gate: Gate }
  | { readonly op: 'mul' | 'add'; readonly name: string; readonly a: number; readonly b: number }
  | { readonly op: 'zeros'; readonly name: string; readonly like: number; readonly channels: number };

/** A kind's computation: its steps and the value that is the layer's output (0: the input itself). */
export interface Body {
  readonly steps: readonly BodyStep[];
  readonly out: number;
}

/** Builds a body; `add` returns the value index of the step's result. */
export class BodyBuilder {
  readonly steps: BodyStep[] = [];
  add(step: BodyStep): number {
    return this.steps.push(step);
  }
  done(out = this.steps.length): Body {
    return { steps: this.steps, out };
  }
}

/** The default body: the primitives in order, then the residual add. */
export function sequentialBody(prims: readonly Primitive[], residual: boolean): Body {
  const b = new BodyBuilder();
  prims.forEach((p, i) => b.add({ op: 'prim', module: p.module, from: i }));
  if (residual) b.add({ op: 'add', name: 'residual', a: b.steps.length, b: 0 });
  return b.done();
}

/** Reads the parsed parts of one block token; every value is already checked and positioned by the parser. */
export interface PartReader {
  num(kind: PartKind, check: (v: number) => string | null, dflt: number): number;
  act(dflt: Activation): Activation;
  flag(kind: PartKind): boolean;
  /** `s<n>` on the first layer of a repeat, 1 on the others */
  stride(): 1 | 2;
  /** what the kind's `grammar.bracket.parse` read from `op[...]` (undefined for kinds without brackets) */
  bracket(): unknown;
}

export interface ArchKind<L extends { readonly op: string }> {
  readonly op: L['op'];
  /**
   * parts of the block string; `r` (repeat) is allowed when listed in optional. `bracket`: the kind takes a bracketed
   * list right after its name (`nb201cell[...]`), parsed by `parse` (errors positioned in `input`).
   */
  readonly grammar: {
    readonly required: readonly PartKind[];
    readonly optional: readonly PartKind[];
    readonly bracket?: { readonly help: string; readonly list: string; parse(input: string, inner: Piece): unknown };
  };
  build(parts: PartReader): L;
  /** canonical block string: parts in a fixed order, defaults omitted */
  format(layer: L): string;
  /** channel-independent problems (null entries are fine) */
  problems(layer: L): readonly (string | null)[];
  /** problems that need the input shape */
  channelProblems?(layer: L, input: TensorShape): string[];
  outputShape(layer: L, input: TensorShape): TensorShape;
  primitives(layer: L, input: TensorShape): Primitive[];
  residual(layer: L, input: TensorShape): boolean;
  /** the computation when it is not the primitives in order + residual (see BodyStep) */
  body?(layer: L, input: TensorShape, prims: readonly Primitive[]): Body;
  /** element-wise work beyond the primitives' BN/activations and the residual add (pooling, SE scale, cell sums) */
  extraOps?(layer: L, input: TensorShape, output: TensorShape, prims: readonly Primitive[]): number;
}

export function down(input: TensorShape, stride: number): { h: number; w: number } {
  return { h: Math.ceil(input.h / stride), w: Math.ceil(input.w / stride) };
}

/** A conv primitive; spatial size defaults to `at` (the conv's output map). */
export function convPrimitive(module: string, cin: number, cout: number, kernel: number, stride: number, at: { h: number; w: number },
  o: { groups?: number; bias?: boolean; bn?: boolean; act?: Activation } = {}): ConvPrimitive {
  return {
    kind: 'conv', module, cin, cout, kernel, stride, groups: o.groups ?? 1, bias: o.bias ?? false, bn: o.bn ?? true,
    act: o.act ?? 'none', outH: at.h, outW: at.w,
  };
}
