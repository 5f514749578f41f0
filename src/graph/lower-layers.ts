/**
 * Lowering of a layer to IR ops (called by src/graph/lower.ts, one layer at a time): the layer kind's body
 * (src/arch/kinds/), whatever the kind. Module names and conv geometry come from `layerPrimitives`
 * (src/arch/primitives.ts), the same list that names the weight tensors, so lowering and the weights file cannot
 * disagree.
 */
import { LayernasError } from '../core/errors.js';
import { layerBody, layerPrimitives, type BnPrimitive, type ConvPrimitive, type LinearPrimitive, type Primitive } from '../arch/primitives.js';
import type { Activation, LayerShape } from '../arch/spec.js';
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

/** A primitive of the layer on `x`: conv (BN folded), stand-alone BN or linear, each with its activation (or none). */
function applyPrim(ctx: LayerContext, x: number, p: Primitive, act: Activation): number {
  if (p.kind === 'linear') return linearPrim(ctx, x, p);
  return p.kind === 'conv' ? conv(ctx, asNhwc(ctx, x), p, act) : bnPrim(ctx, asNhwc(ctx, x), p);
}

/**
 * IR ops of one layer on input tensor `x`: its body (src/arch/kinds/types.ts BodyStep) step by step; returns the
 * layer's output tensor id. Values other than a linear primitive's input are NHWC (a [1, C] input is reshaped once);
 * a `pre` activation is computed once per value.
 */
export function lowerLayer(ctx: LayerContext, x: number): number {
  const { layer, input } = ctx.row;
  const prims = layerPrimitives(layer, input);
  const body = layerBody(layer, input);
  const values: number[] = [x];
  let nhwcInput: number | undefined;
  const nhwc = (v: number): number => {
    if (v !== 0) return asNhwc(ctx, values[v] as number);
    nhwcInput ??= asNhwc(ctx, x);
    return nhwcInput;
  };
  const pre = new Map<number, number>();
  const origin = (name: string): string => `${ctx.prefix}.${name}`;
  for (const s of body.steps) {
    let y: number;
    switch (s.op) {
      case 'prim': {
        const p = prims.find((q) => q.module === s.module);
        if (!p) throw new LayernasError('SPEC_INVALID', `${ctx.prefix}: no module '${s.module}' in ${ctx.row.key}`);
        if (s.pre === undefined) {
          y = applyPrim(ctx, p.kind === 'linear' ? (values[s.from] as number) : nhwc(s.from), p, p.act);
        } else {
          let a = pre.get(s.from);
          if (a === undefined) {
            a = ctx.g.unary(origin(s.pre), preActivation(ctx, p.act), nhwc(s.from));
            pre.set(s.from, a);
          }
          y = applyPrim(ctx, a, p, 'none');
        }
        break;
      }
      case 'avgpool': y = ctx.g.pool(origin(s.name), 'avg_pool2d', nhwc(s.from), s.size, s.stride, 'same'); break;
      case 'gap': y = ctx.g.globalAvgPool(origin(s.name), nhwc(s.from)); break;
      case 'gate': y = ctx.g.unary(origin(s.name), s.gate === 'hsigmoid' ? 'hard_sigmoid' : 'logistic', nhwc(s.from)); break;
      case 'mul':
      case 'add': y = ctx.g.binary(origin(s.name), s.op, nhwc(s.a), nhwc(s.b)); break;
      case 'zeros': {
        const like = nhwc(s.like);
        if (ctx.g.shape(like)[3] !== s.channels) throw new LayernasError('EXPORT_UNSUPPORTED', `${origin(s.name)}: a cell node with only 'none' inputs and a channel change`);
        y = ctx.g.zerosLike(origin(s.name), like);
        break;
      }
    }
    values.push(y);
  }
  return body.out === 0 ? (nhwcInput ?? x) : (values[body.out] as number);
}

/** the unary op of an activation applied before a primitive (NB201's ReLU -> conv -> BN) */
function preActivation(ctx: LayerContext, act: Activation): 'relu' {
  if (act !== 'relu') throw new LayernasError('EXPORT_UNSUPPORTED', `${ctx.prefix}: a pre-activation must be relu, got ${act}`);
  return act;
}
