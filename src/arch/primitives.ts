/**
 * Decomposition of one layer (on a known input shape) into the primitive weighted ops it contains:
 * convolutions, fully connected layers and stand-alone batch norms, each with its module name
 * (docs/weights-format.md) and the spatial size it runs at. MAdds and parameter counts (shapes.ts) and the
 * named tensor list (params.ts) are both read off this one list.
 */
import type { Activation, LayerSpec, Nb201Op, TensorShape } from './spec.js';
import { makeDivisible } from './spec.js';
import { irMidChannels } from './rules.js';
import { isKindLayer, kindOf } from './kinds/index.js';
import { layerOutputShape } from './shape-step.js';

export interface ConvPrimitive {
  readonly kind: 'conv';
  readonly module: string;
  readonly cin: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  readonly groups: number;
  readonly bias: boolean;
  readonly bn: boolean;
  /** activation applied to this conv's output (or, for NB201 ReLU-conv-BN, to its input) */
  readonly act: Activation;
  /** output spatial size */
  readonly outH: number;
  readonly outW: number;
}
export interface LinearPrimitive {
  readonly kind: 'linear';
  readonly module: string;
  readonly cin: number;
  readonly cout: number;
  readonly bias: boolean;
  readonly act: Activation;
}
export interface BnPrimitive {
  readonly kind: 'bn';
  readonly module: string;
  readonly channels: number;
  readonly h: number;
  readonly w: number;
  readonly act: Activation;
}
export type Primitive = ConvPrimitive | LinearPrimitive | BnPrimitive;

/** The fixed NATS-Bench size-space cell genotype (edge order as in NB201 strings). */
export const NATS_CELL_EDGES: readonly Nb201Op[] = ['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3'];
/** Source node of each of the 6 cell edges (node1<-0; node2<-0,1; node3<-0,1,2). */
export const CELL_EDGE_SOURCE: readonly number[] = [0, 0, 1, 0, 1, 2];

/** Squeeze-excite hidden channels for an inverted-residual block with `mid` expanded channels. */
export function seChannels(mid: number, ratio: number): number {
  return makeDivisible(mid * ratio, 8);
}

/** True when the inverted-residual / skip / NB201 residual add is applied. */
export function hasResidual(layer: LayerSpec, input: TensorShape): boolean {
  if (isKindLayer(layer)) return kindOf(layer).residual(layer, input);
  if (layer.op === 'ir') return layer.skip && layer.stride === 1 && input.c === layer.out;
  return false;
}

export function layerPrimitives(layer: LayerSpec, input: TensorShape): Primitive[] {
  const out = layerOutputShape(layer, input);
  const conv = (module: string, cin: number, cout: number, kernel: number, stride: number, o: { groups?: number; bias?: boolean; bn?: boolean; act?: Activation; h?: number; w?: number } = {}): ConvPrimitive => ({
    kind: 'conv', module, cin, cout, kernel, stride, groups: o.groups ?? 1, bias: o.bias ?? false, bn: o.bn ?? true,
    act: o.act ?? 'none', outH: o.h ?? out.h, outW: o.w ?? out.w,
  });
  if (isKindLayer(layer)) return kindOf(layer).primitives(layer, input);
  switch (layer.op) {
    case 'ir': {
      const mid = irMidChannels(input.c, layer.expansion);
      const p: Primitive[] = [];
      if (layer.expansion !== 1) p.push(conv('expand', input.c, mid, 1, 1, { groups: layer.groups, act: layer.act, h: input.h, w: input.w }));
      p.push(conv('dw', mid, mid, layer.kernel, layer.stride, { groups: mid, act: layer.act }));
      if (layer.se > 0) {
        const s = seChannels(mid, layer.se);
        p.push(conv('se.reduce', mid, s, 1, 1, { bias: true, bn: false, act: 'relu', h: 1, w: 1 }));
        p.push(conv('se.expand', s, mid, 1, 1, { bias: true, bn: false, act: 'none', h: 1, w: 1 }));
      }
      p.push(conv('project', mid, layer.out, 1, 1, { groups: layer.groups }));
      return p;
    }
    case 'resblock': {
      const p: Primitive[] = [
        conv('a', input.c, layer.out, 3, layer.stride, { act: 'relu' }),
        conv('b', layer.out, layer.out, 3, 1, { act: 'relu' }),
      ];
      if (layer.stride === 2) p.push(conv('shortcut', input.c, layer.out, 1, 1, { bn: false }));
      else if (input.c !== layer.out) p.push(conv('shortcut', input.c, layer.out, 1, 1, { act: 'relu' }));
      return p;
    }
    case 'nb201cell':
      return cellPrimitives(layer.edges, input.c, input.c, input);
    case 'natscell':
      return cellPrimitives(NATS_CELL_EDGES, input.c, layer.out, input);
    case 'gap':
      return [];
  }
}

/**
 * NB201 / NATS cell edges: nor_conv_kxk = ReLU -> conv -> BN; skip_connect with a channel change = ReLU -> 1x1 conv -> BN;
 * none, avg_pool_3x3 and identity skip have no weights.
 */
function cellPrimitives(edges: readonly Nb201Op[], cin: number, cout: number, input: TensorShape): ConvPrimitive[] {
  const p: ConvPrimitive[] = [];
  edges.forEach((op, j) => {
    const from = CELL_EDGE_SOURCE[j] === 0 ? cin : cout;
    const base = { kind: 'conv' as const, module: `e${j}`, cin: from, cout, stride: 1, groups: 1, bias: false, bn: true, act: 'relu' as const, outH: input.h, outW: input.w };
    if (op === 'nor_conv_3x3') p.push({ ...base, kernel: 3 });
    else if (op === 'nor_conv_1x1') p.push({ ...base, kernel: 1 });
    else if (op === 'skip_connect' && from !== cout) p.push({ ...base, kernel: 1 });
  });
  return p;
}
