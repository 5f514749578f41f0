/**
 * Fused MBConv (EfficientNetV2 / MobileNet-EdgeTPU; timm's EdgeResidual): a full k×k conv expansion (stride s) + BN +
 * act, then a 1×1 projection + BN (linear), + input when `skip`, stride 1 and in = out channels.
 * Expanded channels = makeDivisible(in × e, 8) (in when e = 1), as for `ir`.
 *
 *   fmb_k3_s1_e4_c24      required k (3/5/7), s (1/2), e (> 0), c;  optional noskip, activation (relu6), r<n>
 *
 * Weights: l<i>.expand.{weight,bn.*} [mid, in, k, k], l<i>.project.{weight,bn.*} [out, mid, 1, 1].
 */
import { formatDecimal } from '../grammar-text.js';
import { ACT_CANONICAL, checkAct, checkBlockKernel, checkChannels, checkExpansion, checkStride, irMidChannels } from '../rules.js';
import type { Activation } from '../spec.js';
import { convPrimitive, down, type ArchKind } from './types.js';

export interface FusedMbConvLayer {
  readonly op: 'fmb';
  readonly kernel: 3 | 5 | 7;
  readonly stride: 1 | 2;
  readonly expansion: number;
  readonly out: number;
  readonly act: Activation;
  readonly skip: boolean;
}

export const fusedMbConv: ArchKind<FusedMbConvLayer> = {
  op: 'fmb',
  grammar: { required: ['k', 's', 'e', 'c'], optional: ['noskip', 'act', 'r'] },
  build: (p) => ({
    op: 'fmb', kernel: p.num('k', (v) => checkBlockKernel('fused-MBConv', v), 3) as 3 | 5 | 7, stride: p.stride(),
    expansion: p.num('e', checkExpansion, 1), out: p.num('c', checkChannels, 1), act: p.act('relu6'), skip: !p.flag('noskip'),
  }),
  format: (l) => `fmb_k${l.kernel}_s${l.stride}_e${formatDecimal(l.expansion, 'expansion')}_c${formatDecimal(l.out, 'channels')}`
    + (l.skip ? '' : '_noskip') + (l.act !== 'relu6' ? `_${ACT_CANONICAL[l.act]}` : ''),
  problems: (l) => [checkBlockKernel('fused-MBConv', l.kernel), checkStride(l.stride), checkExpansion(l.expansion), checkChannels(l.out), checkAct(l.act)],
  outputShape: (l, input) => ({ ...down(input, l.stride), c: l.out }),
  primitives: (l, input) => {
    const mid = irMidChannels(input.c, l.expansion);
    const at = down(input, l.stride);
    return [
      convPrimitive('expand', input.c, mid, l.kernel, l.stride, at, { act: l.act }),
      convPrimitive('project', mid, l.out, 1, 1, at),
    ];
  },
  residual: (l, input) => l.skip && l.stride === 1 && input.c === l.out,
};
