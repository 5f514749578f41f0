/** Hand-built IR graphs covering every op type, for writer/runtime tests independent of the lowering. */
import { Rng } from '../../src/core/rng.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph } from '../../src/graph/ir.js';

function rand(rng: Rng, n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

/** every IR op type once, at a small odd spatial size so SAME padding is asymmetric */
export function allOpsGraph(seed: number, size = 9, grouped = true): Graph {
  const groups = grouped ? 2 : 1;
  const rng = new Rng(seed);
  const g = new GraphBuilder('all_ops');
  const x = g.input('input', [1, size, size, 3]);
  const c1 = g.conv('stem', x, rand(rng, 8 * 3 * 3 * 3, 0.3), [8, 3, 3, 3], rand(rng, 8, 0.1), { stride: 2, groups: 1, act: 'relu6' });
  const c2 = g.conv('grouped', c1, rand(rng, 8 * 8 / groups, 0.4), [8, 1, 1, 8 / groups], rand(rng, 8, 0.1), { stride: 1, groups, act: 'relu' });
  const dw = g.conv('dw', c2, rand(rng, 5 * 5 * 8, 0.3), [1, 5, 5, 8], rand(rng, 8, 0.1), { stride: 1, groups: 8, act: 'none', depthwise: true });
  const hs = g.unary('hs', 'hard_swish', dw);
  const se = g.globalAvgPool('se', hs);
  const s1 = g.conv('se.reduce', se, rand(rng, 8 * 4, 0.4), [4, 1, 1, 8], rand(rng, 4, 0.1), { stride: 1, groups: 1, act: 'relu' });
  const s2 = g.conv('se.expand', s1, rand(rng, 8 * 4, 0.4), [8, 1, 1, 4], rand(rng, 8, 0.1), { stride: 1, groups: 1, act: 'none' });
  const gate = g.unary('se.gate', 'hard_sigmoid', s2);
  const scaled = g.binary('se.mul', 'mul', hs, gate);
  const sig = g.unary('sig', 'logistic', scaled);
  const added = g.binary('res', 'add', sig, c2, 'relu6');
  const r = g.unary('r', 'relu', added);
  const r6 = g.unary('r6', 'relu6', r);
  const ap = g.pool('ap', 'avg_pool2d', r6, 3, 1, 'same');
  const ap2 = g.pool('ap2', 'avg_pool2d', ap, 3, 1, 'valid');
  const mp = g.pool('mp', 'max_pool2d', ap, 3, 2, 'same');
  const z = g.zerosLike('z', mp);
  const sum = g.binary('sum', 'add', mp, z);
  const sum2 = g.binary('sum2', 'add', sum, ap2);
  const flat = g.reshape('flat', sum2, [1, (g.shape(sum2)[1] as number) * (g.shape(sum2)[2] as number) * 8]);
  const I = g.shape(flat)[1] as number;
  const fc1 = g.fc('fc1', flat, rand(rng, 16 * I, 0.3), 16, rand(rng, 16, 0.1), 'relu');
  const fc2 = g.fc('fc2', fc1, rand(rng, 10 * 16, 0.3), 10, rand(rng, 10, 0.1), 'none');
  g.output(g.softmax('prob', fc2));
  g.output(sum2);
  return g.build();
}

export function randomInput(seed: number, n: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() * 2 - 1;
  return a;
}
