/**
 * MobileNetV2/V3 inverted residual (MBConv): [1×1 expand] -> k×k depthwise -> [squeeze-excite] -> 1×1 project
 * (linear), + input when `skip`, stride 1 and in = out channels. Expanded channels = makeDivisible(in × e, 8) (in when
 * e = 1, and then no expand conv); SE hidden channels = makeDivisible(mid × se, 8), gate sigmoid (or hard sigmoid).
 *
 *   ir_k5_s2_e6_c40_se0.25_hsig_hs   required k (3/5/7), s, e, c;  optional se<ratio> (0), hsig, g<n> (1; groups of the
 *                                    two 1×1 convs, FBNet's g2), noskip, activation (relu6), r<n>
 *
 * Weights: l<i>.expand, l<i>.dw, l<i>.se.reduce / l<i>.se.expand (with bias, no BN), l<i>.project.
 */
import { formatDecimal } from '../grammar-text.js';
import { ACT_CANONICAL, checkAct, checkBlockKernel, checkChannels, checkExpansion, checkGroups, checkSeRatio, checkStride, irMidChannels } from '../rules.js';
import { makeDivisible, type InvertedResidualLayer } from '../spec.js';
import type { ConvPrimitive, Primitive } from '../primitives.js';
import { BodyBuilder, convPrimitive, down, type ArchKind, type BodyStep } from './types.js';

/** Squeeze-excite hidden channels for an inverted-residual block with `mid` expanded channels. */
export function seChannels(mid: number, ratio: number): number {
  return makeDivisible(mid * ratio, 8);
}

const residual = (l: InvertedResidualLayer, input: { c: number }): boolean => l.skip && l.stride === 1 && input.c === l.out;

export const invertedResidual: ArchKind<InvertedResidualLayer> = {
  op: 'ir',
  grammar: { required: ['k', 's', 'e', 'c'], optional: ['se', 'hsig', 'g', 'noskip', 'act', 'r'] },
  build: (p) => ({
    op: 'ir', kernel: p.num('k', (v) => checkBlockKernel('inverted-residual', v), 3) as 3 | 5 | 7, stride: p.stride(), expansion: p.num('e', checkExpansion, 1),
    out: p.num('c', checkChannels, 1), se: p.num('se', checkSeRatio, 0), seGate: p.flag('hsig') ? 'hsigmoid' : 'sigmoid', act: p.act('relu6'),
    groups: p.num('g', checkGroups, 1), skip: !p.flag('noskip'),
  }),
  format: (l) => `ir_k${l.kernel}_s${l.stride}_e${formatDecimal(l.expansion, 'expansion')}_c${formatDecimal(l.out, 'channels')}`
    + (l.se !== 0 ? `_se${formatDecimal(l.se, 'se ratio')}` : '') + (l.seGate === 'hsigmoid' ? '_hsig' : '')
    + (l.groups !== 1 ? `_g${formatDecimal(l.groups, 'groups')}` : '') + (l.skip ? '' : '_noskip')
    + (l.act !== 'relu6' ? `_${ACT_CANONICAL[l.act]}` : ''),
  problems: (l) => [checkBlockKernel('inverted-residual', l.kernel), checkStride(l.stride), checkExpansion(l.expansion), checkChannels(l.out),
    checkSeRatio(l.se), checkGroups(l.groups), checkAct(l.act),
    l.seGate === 'sigmoid' || l.seGate === 'hsigmoid' ? null : `unknown squeeze-excite gate ${String(l.seGate)}`],
  channelProblems: (l, input) => {
    const p: string[] = [];
    if (l.groups > 1) {
      const mid = irMidChannels(input.c, l.expansion);
      for (const [what, c] of [['input', input.c], ['expanded', mid], ['output', l.out]] as const) {
        if (c % l.groups !== 0) p.push(`groups ${l.groups} do not divide the ${c} ${what} channels`);
      }
    }
    return p;
  },
  outputShape: (l, input) => ({ ...down(input, l.stride), c: l.out }),
  primitives: (l, input) => {
    const mid = irMidChannels(input.c, l.expansion);
    const at = down(input, l.stride);
    const p: ConvPrimitive[] = [];
    if (l.expansion !== 1) p.push(convPrimitive('expand', input.c, mid, 1, 1, input, { groups: l.groups, act: l.act }));
    p.push(convPrimitive('dw', mid, mid, l.kernel, l.stride, at, { groups: mid, act: l.act }));
    if (l.se > 0) {
      const s = seChannels(mid, l.se);
      p.push(convPrimitive('se.reduce', mid, s, 1, 1, { h: 1, w: 1 }, { bias: true, bn: false, act: 'relu' }));
      p.push(convPrimitive('se.expand', s, mid, 1, 1, { h: 1, w: 1 }, { bias: true, bn: false }));
    }
    p.push(convPrimitive('project', mid, l.out, 1, 1, at, { groups: l.groups }));
    return p;
  },
  residual,
  body: (l, input, prims) => {
    const b = new BodyBuilder();
    const add = (s: BodyStep): number => b.add(s);
    let h = 0;
    if (prims.some((p) => p.module === 'expand')) h = add({ op: 'prim', module: 'expand', from: h });
    h = add({ op: 'prim', module: 'dw', from: h });
    if (l.se > 0) {
      const pooled = add({ op: 'gap', name: 'se', from: h });
      const e = add({ op: 'prim', module: 'se.expand', from: add({ op: 'prim', module: 'se.reduce', from: pooled }) });
      h = add({ op: 'mul', name: 'se.scale', a: h, b: add({ op: 'gate', name: 'se.gate', from: e, gate: l.seGate }) });
    }
    h = add({ op: 'prim', module: 'project', from: h });
    if (residual(l, input)) add({ op: 'add', name: 'residual', a: h, b: 0 });
    return b.done();
  },
  extraOps: (l, _input, _output, prims: readonly Primitive[]) => {
    const dw = prims.find((p) => p.module === 'dw');
    return l.se > 0 && dw && dw.kind === 'conv' ? 2 * dw.outH * dw.outW * dw.cout : 0; // SE pool + scale
  },
};
