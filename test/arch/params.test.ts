import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTrainable, listParameters, tensorSize } from '../../src/arch/params.js';
import { networkCost, walkShapes } from '../../src/arch/shapes.js';
import { parseNetwork } from '../../src/arch/grammar.js';
import { getZooModel, zooNames, natsSssNetwork, nb201Network } from '../../src/arch/zoo.js';
import { Rng } from '../../src/core/rng.js';
import { isLayernasError } from '../../src/core/errors.js';
import { randomNetwork } from './random-specs.js';

test('walkShapes params equal the trainable tensor sizes of listParameters (zoo, benchmarks, 500 random)', () => {
  const rng = new Rng(99);
  const specs = [
    ...zooNames().map((n) => getZooModel(n)),
    natsSssNetwork([8, 16, 24, 32, 64]),
    nb201Network('|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|'),
    ...Array.from({ length: 500 }, () => randomNetwork(rng)),
  ];
  for (const spec of specs) {
    const tensors = listParameters(spec);
    const names = new Set(tensors.map((t) => t.name));
    assert.equal(names.size, tensors.length, 'tensor names are unique');
    const fromWalk = walkShapes(spec).reduce((s, r) => s + r.params, 0);
    assert.equal(countTrainable(tensors), fromWalk, spec.name ?? 'random spec');
  }
});

test('tensor names and PyTorch layouts of an inverted-residual block with SE', () => {
  const spec = parseNetwork('in32x32x3/conv_k3_s2_c16_hs/ir_k5_s1_e4_c24_se0.25_hsig_hs/gap/fc_c10');
  const t = new Map(listParameters(spec).map((p) => [p.name, p]));
  assert.deepEqual(t.get('l0.conv.weight')?.shape, [16, 3, 3, 3]);
  assert.deepEqual(t.get('l1.expand.weight')?.shape, [64, 16, 1, 1]);
  assert.deepEqual(t.get('l1.dw.weight')?.shape, [64, 1, 5, 5]);
  assert.deepEqual(t.get('l1.se.reduce.weight')?.shape, [16, 64, 1, 1]);
  assert.deepEqual(t.get('l1.se.reduce.bias')?.shape, [16]);
  assert.deepEqual(t.get('l1.se.expand.weight')?.shape, [64, 16, 1, 1]);
  assert.deepEqual(t.get('l1.project.weight')?.shape, [24, 64, 1, 1]);
  assert.deepEqual(t.get('l3.fc.weight')?.shape, [10, 24]);
  assert.equal(t.get('l1.project.bn.running_var')?.trainable, false);
  assert.equal(t.get('l1.project.bn.weight')?.trainable, true);
  assert.equal(t.has('l1.se.reduce.bn.weight'), false, 'SE convs have no BN');
  assert.equal(t.has('l0.conv.bias'), false, 'a conv with BN has no bias');
});

test('NB201/NATS modules: cell edges e0..e5, resblock a/b/shortcut, bnact bn', () => {
  const spec = natsSssNetwork([8, 16, 24, 32, 40]);
  const names = listParameters(spec).map((p) => p.name);
  // natscell 16 -> 24 (layer 3): all five 3x3 edges and the channel-changing skip e3
  for (const e of ['e0', 'e1', 'e2', 'e3', 'e4', 'e5']) assert.ok(names.includes(`l3.${e}.weight`), `l3.${e}`);
  // natscell 8 -> 8 (layer 1): identity skip has no weights
  assert.ok(!names.includes('l1.e3.weight'));
  assert.ok(names.includes('l2.a.weight') && names.includes('l2.b.bn.weight') && names.includes('l2.shortcut.weight'));
  assert.ok(!names.includes('l2.shortcut.bn.weight'), 'stride-2 shortcut is avg-pool + 1x1 conv without BN');
  assert.ok(names.includes('l6.bn.weight') && names.includes('l6.bn.running_mean'));
  const total = listParameters(spec).reduce((s, p) => s + (p.trainable ? tensorSize(p) : 0), 0);
  assert.equal(total, networkCost(spec).params);
});

test('walkShapes: SAME padding shapes, keys and SPEC_INVALID naming the layer', () => {
  const rows = walkShapes(parseNetwork('in33x31x3/conv_k3_s2_c8/ir_k3_s2_e6_c16/gap/fc_c10'));
  assert.deepEqual(rows.map((r) => [r.output.h, r.output.w, r.output.c]), [[17, 16, 8], [9, 8, 16], [1, 1, 16], [1, 1, 10]]);
  assert.equal(rows[1]?.key, 'ir_k3_s2_e6_c16@17x16x8');
  assert.equal(rows[0]?.madds, 17 * 16 * 8 * 3 * 9);
  const bad = { input: { height: 8, width: 8, channels: 3 }, layers: [{ op: 'conv' as const, kernel: 4, stride: 1 as const, out: 8, groups: 1, act: 'relu' as const, bn: true }] };
  assert.throws(() => walkShapes(bad), (e) => isLayernasError(e, 'SPEC_INVALID') && /layer 0/.test((e as Error).message));
});

test('countBnAct adds element-wise work on top of the NATS convention', () => {
  const spec = getZooModel('mobilenet_v2_100');
  const plain = networkCost(spec).madds;
  const all = networkCost(spec, { countBnAct: true }).madds;
  assert.ok(all > plain && all < plain * 1.2, `${plain} < ${all}`);
});
