/**
 * NAS-Bench-201 / NATS reduction block: ResNet basic block (ReLU -> 3×3 conv (stride s) -> BN, ReLU -> 3×3 conv -> BN)
 * plus a shortcut: stride 2: 2×2 avg-pool then 1×1 conv (no BN, no bias); stride 1 with a channel change:
 * ReLU -> 1×1 conv -> BN; else the input.
 *
 *   resblock_c32_s2       required c, s;  optional r<n>
 *
 * Weights: l<i>.a, l<i>.b, l<i>.shortcut.
 */
import { formatDecimal } from '../grammar-text.js';
import { checkChannels, checkStride } from '../rules.js';
import type { ResBlockLayer } from '../spec.js';
import { BodyBuilder, convPrimitive, down, type ArchKind, type BodyStep } from './types.js';

export const resBlock: ArchKind<ResBlockLayer> = {
  op: 'resblock',
  grammar: { required: ['c', 's'], optional: ['r'] },
  build: (p) => ({ op: 'resblock', out: p.num('c', checkChannels, 1), stride: p.stride() }),
  format: (l) => `resblock_c${formatDecimal(l.out, 'channels')}_s${l.stride}`,
  problems: (l) => [checkStride(l.stride), checkChannels(l.out)],
  outputShape: (l, input) => ({ ...down(input, l.stride), c: l.out }),
  primitives: (l, input) => {
    const at = down(input, l.stride);
    const p = [convPrimitive('a', input.c, l.out, 3, l.stride, at, { act: 'relu' }), convPrimitive('b', l.out, l.out, 3, 1, at, { act: 'relu' })];
    if (l.stride === 2) p.push(convPrimitive('shortcut', input.c, l.out, 1, 1, at, { bn: false }));
    else if (input.c !== l.out) p.push(convPrimitive('shortcut', input.c, l.out, 1, 1, at, { act: 'relu' }));
    return p;
  },
  residual: () => false,
  body: (l, _input, prims) => {
    const body = new BodyBuilder();
    const add = (s: BodyStep): number => body.add(s);
    const a = add({ op: 'prim', module: 'a', from: 0, pre: 'a.relu' });
    const b = add({ op: 'prim', module: 'b', from: a, pre: 'b.relu' });
    let shortcut = 0;
    if (l.stride === 2) shortcut = add({ op: 'prim', module: 'shortcut', from: add({ op: 'avgpool', name: 'shortcut.pool', from: 0, size: 2, stride: 2 }) });
    else if (prims.some((p) => p.module === 'shortcut')) shortcut = add({ op: 'prim', module: 'shortcut', from: 0, pre: 'a.relu' });
    add({ op: 'add', name: 'residual', a: b, b: shortcut });
    return body.done();
  },
  extraOps: (l, _input, output) => {
    const n = output.h * output.w * output.c;
    return n + (l.stride === 2 ? 4 * n : 0); // add (+ 2x2 avg-pool)
  },
};
