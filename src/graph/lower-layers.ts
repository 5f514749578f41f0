/**
 * Lowering of each LayerSpec kind to IR ops (called by src/graph/lower.ts, one layer at a time).
 * Module names and conv geometry come from `layerPrimitives` (src/arch/primitives.ts), the same list that names
 * the weight tensors, so lowering and the weights file cannot disagree.
 */
import { LayernasError } from '../core/errors.js';
import { isKindLayer } from '../arch/kinds/index.js';
import { CELL_EDGE_SOURCE, NATS_CELL_EDGES, hasResidual, layerPrimitives, type BnPrimitive, type ConvPrimitive, type LinearPrimitive, type Primitive } from '../arch/primitives.js';
import type { Activation, LayerShape, Nb201Op } from '../arch/spec.js';
import type { WeightMap } from '../arch/weights.js';
import type { GraphBuilder } from './builder.js';
import { bnAffine, foldConv, getTensor } from './fold.js';
import type { FusedActivation } from './ir.js';

export interface LayerContext {
  readonly g: GraphBuilder;
  readonly weights: WeightMap;
  readonly row: LayerShape;
  readonly prefix: string;   // `l{index}`
}

function fusable(act: Activation): FusedActivation {
  return act === 'relu' || act === 'relu6' ? act : 'none';
}

/** activation that could not be fused (hard-swish) as its own op */
function tailAct(ctx: LayerContext, origin: string, act: Activation, y: number): number {
  return act === 'hswish' ? ctx.g.unary(origin, 'hard_swish', y) : y;
}

function prim(ctx: LayerContext, prims: readonly Primitive[], module: string): ConvPrimitive {
  const p = prims.find((q) => q.module === module);
  if (!p || p.kind !== 'conv') throw new LayernasError('SPEC_INVALID', `${ctx.prefix}: no conv module '${module}' in ${ctx.row.key}`);
  return p;
}

/** conv primitive with BN folded and its activation applied after it (`post`) or not at all (`pre` handled by caller) */
function conv(ctx: LayerContext, x: number, p: ConvPrimitive, act: Activation): number {
  const depthwise = p.groups > 1 && p.groups === p.cin && p.groups === p.cout;
  const origin = `${ctx.prefix}.${p.module}`;
  const f = foldConv(ctx.weights, origin, { bias: p.bias, bn: p.bn, depthwise });
  const y = ctx.g.conv(origin, x, f.weight, f.shape, f.bias, { stride: p.stride, groups: depthwise ? 1 : p.groups, act: fusable(act), depthwise });
  return tailAct(ctx, origin, act, y);
}

function asNhwc(ctx: LayerContext, x: number): number {
  const s = ctx.g.shape(x);
  return s.length === 4 ? x : ctx.g.reshape(`${ctx.prefix}.unflatten`, x, [1, 1, 1, s[1] as number]);
}

function lowerIr(ctx: LayerContext, x: number, prims: readonly Primitive[]): number {
  const layer = ctx.row.layer;
  if (layer.op !== 'ir') throw new LayernasError('SPEC_INVALID', `${ctx.prefix}: not an ir layer`);
  let h = x;
  if (prims.some((p) => p.module === 'expand')) h = conv(ctx, h, prim(ctx, prims, 'expand'), layer.act);
  h = conv(ctx, h, prim(ctx, prims, 'dw'), layer.act);
  if (layer.se > 0) {
    const origin = `${ctx.prefix}.se`;
    const pooled = ctx.g.globalAvgPool(origin, h);
    const s = conv(ctx, pooled, prim(ctx, prims, 'se.reduce'), 'relu');
    const e = conv(ctx, s, prim(ctx, prims, 'se.expand'), 'none');
    const gate = ctx.g.unary(`${origin}.gate`, layer.seGate === 'hsigmoid' ? 'hard_sigmoid' : 'logistic', e);
    h = ctx.g.binary(`${origin}.scale`, 'mul', h, gate);
  }
  h = conv(ctx, h, prim(ctx, prims, 'project'), 'none');
  return hasResidual(layer, ctx.row.input) ? ctx.g.binary(`${ctx.prefix}.residual`, 'add', h, x) : h;
}

/** ReLU of a tensor, computed once per source (NB201 ReLU-conv-BN edges share their input's ReLU) */
class PreRelu {
  private readonly cache = new Map<number, number>();
  constructor(private readonly ctx: LayerContext) {}
  of(x: number, origin: string): number {
    let y = this.cache.get(x);
    if (y === undefined) {
      y = this.ctx.g.unary(origin, 'relu', x);
      this.cache.set(x, y);
    }
    return y;
  }
}

function lowerCell(ctx: LayerContext, x: number, edges: readonly Nb201Op[], prims: readonly Primitive[]): number {
  const relu = new PreRelu(ctx);
  const nodes: number[] = [x];
  const terms: number[][] = [[], [], [], []];
  edges.forEach((op, j) => {
    const target = j === 0 ? 1 : j <= 2 ? 2 : 3;
    if (j === 1 || j === 3) nodes.push(sumNode(ctx, terms[target - 1] as number[], x, target - 1));
    const src = nodes[CELL_EDGE_SOURCE[j] as number] as number;
    const origin = `${ctx.prefix}.e${j}`;
    const hasConv = prims.some((p) => p.module === `e${j}`);
    let t: number | undefined;
    if (op === 'nor_conv_1x1' || op === 'nor_conv_3x3' || (op === 'skip_connect' && hasConv)) {
      t = conv(ctx, relu.of(src, `${ctx.prefix}.n${CELL_EDGE_SOURCE[j]}.relu`), prim(ctx, prims, `e${j}`), 'none');
    } else if (op === 'skip_connect') t = src;
    else if (op === 'avg_pool_3x3') t = ctx.g.pool(origin, 'avg_pool2d', src, 3, 1, 'same');
    if (t !== undefined) (terms[target] as number[]).push(t);
  });
  return sumNode(ctx, terms[3] as number[], x, 3);
}

function sumNode(ctx: LayerContext, terms: readonly number[], x: number, node: number): number {
  const origin = `${ctx.prefix}.n${node}`;
  if (terms.length === 0) {
    const s = ctx.g.shape(x);
    const outC = ctx.row.output.c;
    if (s[3] !== outC) throw new LayernasError('EXPORT_UNSUPPORTED', `${origin}: a cell node with only 'none' inputs and a channel change`);
    return ctx.g.zerosLike(origin, x);
  }
  let acc = terms[0] as number;
  for (let k = 1; k < terms.length; k++) acc = ctx.g.binary(`${origin}.sum${k}`, 'add', acc, terms[k] as number);
  return acc;
}

function lowerResblock(ctx: LayerContext, x: number, prims: readonly Primitive[]): number {
  const layer = ctx.row.layer;
  if (layer.op !== 'resblock') throw new LayernasError('SPEC_INVALID', `${ctx.prefix}: not a resblock`);
  const relu = new PreRelu(ctx);
  const xr = relu.of(x, `${ctx.prefix}.a.relu`);
  const a = conv(ctx, xr, prim(ctx, prims, 'a'), 'none');
  const b = conv(ctx, ctx.g.unary(`${ctx.prefix}.b.relu`, 'relu', a), prim(ctx, prims, 'b'), 'none');
  let shortcut = x;
  if (layer.stride === 2) {
    const pooled = ctx.g.pool(`${ctx.prefix}.shortcut.pool`, 'avg_pool2d', x, 2, 2, 'same');
    shortcut = conv(ctx, pooled, prim(ctx, prims, 'shortcut'), 'none');
  } else if (prims.some((p) => p.module === 'shortcut')) {
    shortcut = conv(ctx, xr, prim(ctx, prims, 'shortcut'), 'none');
  }
  return ctx.g.binary(`${ctx.prefix}.residual`, 'add', b, shortcut);
}

/** BN primitive as a depthwise 1x1 conv (per-channel scale + shift): one op in every format, fuses relu/relu6 */
function bnPrim(ctx: LayerContext, x: number, p: BnPrimitive): number {
  const origin = `${ctx.prefix}.${p.module}`;
  const { scale, shift } = bnAffine(ctx.weights, origin);
  const C = scale.length;
  const y = ctx.g.conv(origin, x, Float32Array.from(scale), [1, 1, 1, C], Float32Array.from(shift), { stride: 1, groups: 1, act: fusable(p.act), depthwise: true });
  return tailAct(ctx, origin, p.act, y);
}

/** linear primitive on a [1, C] or [1, H, W, C] tensor (flattened in NHWC order, as the PyTorch trainer flattens) */
function linearPrim(ctx: LayerContext, x: number, p: LinearPrimitive): number {
  const origin = `${ctx.prefix}.${p.module}`;
  // a linear layer's input columns are in NHWC flatten order, so its [out, in] weight is used as is
  const flat = ctx.g.shape(x).length === 4 ? ctx.g.reshape(`${ctx.prefix}.flatten`, x, [1, p.cin]) : x;
  const wt = getTensor(ctx.weights, `${origin}.weight`);
  const bias = p.bias ? getTensor(ctx.weights, `${origin}.bias`).data : new Float32Array(p.cout);
  const y = ctx.g.fc(origin, flat, wt.data, p.cout, bias, fusable(p.act));
  return tailAct(ctx, origin, p.act, y);
}

/**
 * A one-module kind (src/arch/kinds/types.ts contract): its primitives in order (conv with BN folded, stand-alone BN,
 * linear), each with its activation, then the residual add. conv, skip, fmb, bnact and fc lower here; a new kind of
 * this form needs no code in this file.
 */
function lowerSequential(ctx: LayerContext, x: number, prims: readonly Primitive[], residual: boolean): number {
  let h = x;
  for (const p of prims) {
    if (p.kind === 'linear') h = linearPrim(ctx, h, p);
    else h = p.kind === 'conv' ? conv(ctx, asNhwc(ctx, h), p, p.act) : bnPrim(ctx, asNhwc(ctx, h), p);
  }
  return residual ? ctx.g.binary(`${ctx.prefix}.residual`, 'add', h, x) : h;
}

/** IR ops of one layer on input tensor `x`; returns the layer's output tensor id */
export function lowerLayer(ctx: LayerContext, x: number): number {
  const layer = ctx.row.layer;
  const prims = layerPrimitives(layer, ctx.row.input);
  if (isKindLayer(layer)) return lowerSequential(ctx, x, prims, hasResidual(layer, ctx.row.input));
  const x4 = asNhwc(ctx, x);
  switch (layer.op) {
    case 'ir': return lowerIr(ctx, x4, prims);
    case 'resblock': return lowerResblock(ctx, x4, prims);
    case 'nb201cell': return lowerCell(ctx, x4, layer.edges, prims);
    case 'natscell': return lowerCell(ctx, x4, NATS_CELL_EDGES, prims);
    case 'gap': return ctx.g.globalAvgPool(`${ctx.prefix}.gap`, x4);
  }
}
