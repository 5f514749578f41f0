/**
 * Stand-alone BN + activation (NAS-Bench-201 "lastact").
 *
 *   bnact_relu            required activation
 */
import { ACT_CANONICAL, checkAct } from '../rules.js';
import type { BnActLayer } from '../spec.js';
import type { ArchKind } from './types.js';

export const bnact: ArchKind<BnActLayer> = {
  op: 'bnact',
  grammar: { required: ['act'], optional: [] },
  build: (p) => ({ op: 'bnact', act: p.act('none') }),
  format: (l) => `bnact_${ACT_CANONICAL[l.act]}`,
  problems: (l) => [checkAct(l.act)],
  outputShape: (_l, input) => ({ ...input }),
  primitives: (l, input) => [{ kind: 'bn', module: 'bn', channels: input.c, h: input.h, w: input.w, act: l.act }],
  residual: () => false,
};
