/**
 * Plain / grouped / pointwise conv + optional BN + activation (stems, heads, 1×1 convs).
 *
 *   conv_k3_s2_c32        required k (odd 1..7), s, c;  optional g<n> (1), nobn (BN on; without BN a bias), act (relu6), r<n>
 */
import { formatDecimal } from '../grammar-text.js';
import { ACT_CANONICAL, checkAct, checkChannels, checkGroups, checkKernel, checkStride } from '../rules.js';
import type { ConvLayer } from '../spec.js';
import { convPrimitive, down, type ArchKind } from './types.js';

export const conv: ArchKind<ConvLayer> = {
  op: 'conv',
  grammar: { required: ['k', 's', 'c'], optional: ['g', 'nobn', 'act', 'r'] },
  build: (p) => ({
    op: 'conv', kernel: p.num('k', checkKernel, 1), stride: p.stride(), out: p.num('c', checkChannels, 1),
    groups: p.num('g', checkGroups, 1), act: p.act('relu6'), bn: !p.flag('nobn'),
  }),
  format: (l) => `conv_k${formatDecimal(l.kernel, 'kernel')}_s${l.stride}_c${formatDecimal(l.out, 'channels')}`
    + (l.groups !== 1 ? `_g${formatDecimal(l.groups, 'groups')}` : '') + (l.bn ? '' : '_nobn')
    + (l.act !== 'relu6' ? `_${ACT_CANONICAL[l.act]}` : ''),
  problems: (l) => [checkKernel(l.kernel), checkStride(l.stride), checkChannels(l.out), checkGroups(l.groups), checkAct(l.act)],
  channelProblems: (l, input) => {
    const p: string[] = [];
    if (l.groups > 1) {
      if (input.c % l.groups !== 0) p.push(`groups ${l.groups} do not divide the ${input.c} input channels`);
      if (l.out % l.groups !== 0) p.push(`groups ${l.groups} do not divide the ${l.out} output channels`);
    }
    return p;
  },
  outputShape: (l, input) => ({ ...down(input, l.stride), c: l.out }),
  primitives: (l, input) => [convPrimitive('conv', input.c, l.out, l.kernel, l.stride, down(input, l.stride), { groups: l.groups, bias: !l.bn, bn: l.bn, act: l.act })],
  residual: () => false,
};
