/**
 * Global average pool to 1×1 (before the classifier).
 *
 *   gap                   no parts
 */
import type { GlobalPoolLayer } from '../spec.js';
import type { ArchKind } from './types.js';

export const globalPool: ArchKind<GlobalPoolLayer> = {
  op: 'gap',
  grammar: { required: [], optional: [] },
  build: () => ({ op: 'gap' }),
  format: () => 'gap',
  problems: () => [],
  outputShape: (_l, input) => ({ h: 1, w: 1, c: input.c }),
  primitives: () => [],
  residual: () => false,
  body: () => ({ steps: [{ op: 'gap', name: 'gap', from: 0 }], out: 1 }),
  extraOps: (_l, input) => input.h * input.w * input.c,
};
