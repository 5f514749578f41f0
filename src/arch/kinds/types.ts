/**
 * A layer kind as one module (timm style): its block-string grammar, value rules, output shape, primitives (the
 * weighted ops it contains, which name its weights and give its MAdds/params), and residual rule.
 *
 * Contract of a registered kind's computation: the primitives applied in order (each conv / linear / BN with its
 * activation; a conv with `bn` has BN folded in), then `+ input` when `residual(layer, input)`. The graph lowering
 * (src/graph/lower-layers.ts) and the tfjs trainer (src/train/network.ts) read exactly that, so a new kind of this
 * form needs no code there; the PyTorch trainer (trainers/pytorch/layernas_net.py) has one small class per kind.
 * Latency keys come from `format` (+ '@' + input shape), so profiling and the latency tables need nothing either.
 */
import type { ConvPrimitive, Primitive } from '../primitives.js';
import type { PartKind } from '../rules.js';
import type { Activation, TensorShape } from '../spec.js';

/** Reads the parsed parts of one block token; every value is already checked and positioned by the parser. */
export interface PartReader {
  num(kind: PartKind, check: (v: number) => string | null, dflt: number): number;
  act(dflt: Activation): Activation;
  flag(kind: PartKind): boolean;
  /** `s<n>` on the first layer of a repeat, 1 on the others */
  stride(): 1 | 2;
}

export interface ArchKind<L extends { readonly op: string }> {
  readonly op: L['op'];
  /** parts of the block string; `r` (repeat) is allowed when listed in optional */
  readonly grammar: { readonly required: readonly PartKind[]; readonly optional: readonly PartKind[] };
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
