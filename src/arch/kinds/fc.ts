/**
 * Fully connected layer on a 1×1×C map (after `gap`), then an activation. MobileNetV3's 1×1 conv after pooling is an
 * fc with hard-swish and no bias.
 *
 *   fc_c1000, fc_c1280_hs_nobias     required c;  optional activation (noact), nobias (bias on)
 */
import { formatDecimal } from '../grammar-text.js';
import { ACT_CANONICAL, checkAct, checkChannels } from '../rules.js';
import type { LinearLayer } from '../spec.js';
import type { ArchKind } from './types.js';

export const fc: ArchKind<LinearLayer> = {
  op: 'fc',
  grammar: { required: ['c'], optional: ['act', 'nobias'] },
  build: (p) => ({ op: 'fc', out: p.num('c', checkChannels, 1), act: p.act('none'), bias: !p.flag('nobias') }),
  format: (l) => `fc_c${formatDecimal(l.out, 'channels')}` + (l.act !== 'none' ? `_${ACT_CANONICAL[l.act]}` : '') + (l.bias ? '' : '_nobias'),
  problems: (l) => [checkChannels(l.out), checkAct(l.act)],
  channelProblems: (_l, input) => (input.h !== 1 || input.w !== 1 ? [`fc needs a 1x1 input map, got ${input.h}x${input.w} (add 'gap' before it)`] : []),
  outputShape: (l) => ({ h: 1, w: 1, c: l.out }),
  primitives: (l, input) => [{ kind: 'linear', module: 'fc', cin: input.c * input.h * input.w, cout: l.out, bias: l.bias, act: l.act }],
  residual: () => false,
};
