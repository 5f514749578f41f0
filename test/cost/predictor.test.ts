// Predictor: sums fixed parts and entries, names a missing key, records an explicit fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isLayernasError } from '../../src/core/errors.js';
import { loadTable } from '../../src/cost/latency-table.js';
import { predictLatency, tableForInput } from '../../src/cost/latency-predictor.js';
import { layerKey } from '../../src/cost/block-key.js';
import { repoRoot } from './paths.js';

const pixel1 = loadTable(join(repoRoot, 'latency-tables', 'pixel1-tflite-proxylessnas-224.json'));

test('ProxylessNAS Pixel 1 table: stem + Conv_1 + Logits = 11.62 ms, as the source says', () => {
  const keys = ['conv_k3_s2_c32@224x224x3', 'conv_k1_s1_c1280@7x7x320', 'gap@7x7x1280', 'fc_c1000@1x1x1280'].map((key) => ({ key }));
  const p = predictLatency(keys, pixel1);
  assert.ok(Math.abs(p.total_ms - 11.62) < 0.005, String(p.total_ms));
  assert.equal(p.fixed_ms, 0);
});

test('a key missing from the table is TABLE_MISSING_KEY naming the key, never a zero', () => {
  const key = layerKey({ op: 'ir', kernel: 3, stride: 1, expansion: 4, out: 24, se: 0, seGate: 'sigmoid', act: 'relu6', groups: 1, skip: true }, { h: 56, w: 56, c: 24 });
  assert.throws(() => predictLatency([{ key: 'conv_k3_s2_c32@224x224x3' }, { key }], pixel1), (e: unknown) => {
    assert.ok(isLayernasError(e, 'TABLE_MISSING_KEY'));
    assert.equal(e.details.key, key);
    assert.equal(e.details.index, 1);
    return true;
  });
});

test('nearest-shape fallback is explicit and recorded; it never crosses block parameters', () => {
  // same block as ir_k3_s1_e6_c24@56x56x24, at 64x64x24 (not in the table)
  const key = 'ir_k3_s1_e6_c24@64x64x24';
  const p = predictLatency([{ key }], pixel1, 'nearest-shape');
  assert.deepEqual(p.fallbacks, [key]);
  const l = p.layers[0];
  assert.equal(l?.source, 'fallback');
  assert.equal(l?.fallback?.fromKey, 'ir_k3_s1_e6_c24@56x56x24');
  const base = pixel1.byKey.get('ir_k3_s1_e6_c24@56x56x24')?.median_ms as number;
  assert.ok(Math.abs((l?.ms as number) - base * (64 * 64) / (56 * 56)) < 1e-9);
  assert.throws(() => predictLatency([{ key: 'ir_k3_s1_e4_c24@56x56x24' }], pixel1, 'nearest-shape'), (e: unknown) => isLayernasError(e, 'TABLE_MISSING_KEY'));
});

test('the table is chosen by network input size', () => {
  const fb = loadTable(join(repoRoot, 'latency-tables', 'pixel3-tflite-fbnet-32.json'));
  assert.equal(tableForInput([pixel1, fb], { height: 32, width: 32, channels: 3 }), fb);
  assert.throws(() => tableForInput([pixel1], { height: 32, width: 32, channels: 3 }), (e: unknown) => isLayernasError(e, 'TABLE_MISMATCH') && /224x224x3/.test(e.message));
});

test('the Pixel 1 table covers every block of the MobileNetV2 space and the FBNet tables every block of the FBNet space', async () => {
  const { loadSpace } = await import('../../src/space/load.js');
  const { distinctSpaceBlocks } = await import('../../src/profile/space-networks.js');
  const mb = distinctSpaceBlocks(loadSpace('mobilenetv2'));
  assert.ok(mb.length > 70);
  assert.deepEqual(mb.filter((b) => !pixel1.byKey.has(b.key)).map((b) => b.key), []);
  const fb = loadTable(join(repoRoot, 'latency-tables', 'raspi4-tflite-fbnet-32.json'));
  const fbBlocks = distinctSpaceBlocks(loadSpace('fbnet'));
  assert.equal(fbBlocks.length, fb.byKey.size);
  assert.deepEqual(fbBlocks.filter((b) => !fb.byKey.has(b.key)).map((b) => b.key), []);
});
