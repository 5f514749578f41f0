/**
 * NATS-Bench size-space cell (src/arch/kinds/cell.ts): the fixed genotype
 * |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2| mapping the input
 * channels to `c` (edges leaving node 0 change channels; a channel-changing skip is ReLU -> 1×1 conv -> BN).
 *
 *   natscell_c32          required c;  optional r<n>
 *
 * Weights: l<i>.e<j> for each conv edge j.
 */
import { formatDecimal } from '../grammar-text.js';
import { checkChannels } from '../rules.js';
import type { NatsCellLayer, Nb201Op } from '../spec.js';
import { cellBody, cellExtraOps, cellPrimitives } from './cell.js';
import type { ArchKind } from './types.js';

/** The fixed NATS-Bench size-space cell genotype (edge order as in NB201 strings). */
export const NATS_CELL_EDGES: readonly Nb201Op[] = ['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_3x3'];

export const natsCell: ArchKind<NatsCellLayer> = {
  op: 'natscell',
  grammar: { required: ['c'], optional: ['r'] },
  build: (p) => ({ op: 'natscell', out: p.num('c', checkChannels, 1) }),
  format: (l) => `natscell_c${formatDecimal(l.out, 'channels')}`,
  problems: (l) => [checkChannels(l.out)],
  outputShape: (l, input) => ({ h: input.h, w: input.w, c: l.out }),
  primitives: (l, input) => cellPrimitives(NATS_CELL_EDGES, input.c, l.out, input),
  residual: () => false,
  body: (l, _input, prims) => cellBody(NATS_CELL_EDGES, prims, l.out),
  extraOps: (_l, _input, output) => cellExtraOps(NATS_CELL_EDGES, output),
};
