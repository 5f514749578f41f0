/**
 * FBNet "skip" choice: identity when shapes allow, otherwise 1×1 conv (stride s) + BN + ReLU (FBNet's Identity).
 *
 *   skip_s2_c24           required s, c;  optional r<n>
 */
import { formatDecimal } from '../grammar-text.js';
import { checkChannels, checkStride } from '../rules.js';
import type { SkipLayer } from '../spec.js';
import { convPrimitive, down, type ArchKind } from './types.js';

export const skip: ArchKind<SkipLayer> = {
  op: 'skip',
  grammar: { required: ['s', 'c'], optional: ['r'] },
  build: (p) => ({ op: 'skip', stride: p.stride(), out: p.num('c', checkChannels, 1) }),
  format: (l) => `skip_s${l.stride}_c${formatDecimal(l.out, 'channels')}`,
  problems: (l) => [checkStride(l.stride), checkChannels(l.out)],
  outputShape: (l, input) => ({ ...down(input, l.stride), c: l.out }),
  primitives: (l, input) => (l.stride === 1 && input.c === l.out ? [] : [convPrimitive('conv', input.c, l.out, 1, l.stride, down(input, l.stride), { act: 'relu' })]),
  residual: () => false,
};
