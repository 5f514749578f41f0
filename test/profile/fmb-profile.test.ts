/**
 * Fused MBConv is profiled like every kind: the library's profile() measures its one-block models on host-tflite-1t
 * and writes table entries under its canonical key, which predictLatency then prices; spaces/fmb32.json offers it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNetwork } from '../../src/arch/grammar.js';
import { isLayernasError } from '../../src/core/errors.js';
import { loadDesignSpace } from '../../src/design/space-networks.js';
import { loadTable } from '../../src/cost/latency-table.js';
import { predictLatency, profile } from '../../src/index.js';
import { decodeNetwork } from '../../src/space/network.js';
import { spaceFromData } from '../../src/space/types.js';

const NETS = [
  'in16x16x3/conv_k3_s1_c8/fmb_k3_s2_e4_c16/fmb_k3_s1_e2_c16/gap/fc_c10',
  'in16x16x3/conv_k3_s1_c8/fmb_k5_s2_e2_c16_hs/fmb_k3_s1_e4_c16_noskip/gap/fc_c10',
];

test('profile measures fused-MBConv blocks on host-tflite-1t; predictLatency prices them from the table', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fmb-profile-'));
  try {
    const list = join(dir, 'nets.txt');
    writeFileSync(list, NETS.join('\n') + '\n');
    const out = join(dir, 'table.json');
    const r = await profile({ target: 'host-tflite-1t', space: list, out, calibrate: 2, calibrateSpan: 0, rounds: 3 });
    assert.equal(r.tableFile, out);
    const table = loadTable(out);
    for (const key of ['fmb_k3_s2_e4_c16@16x16x8', 'fmb_k3_s1_e2_c16@8x8x16', 'fmb_k5_s2_e2_c16_hs@16x16x8', 'fmb_k3_s1_e4_c16_noskip@8x8x16']) {
      const e = table.byKey.get(key);
      assert.ok(e, `table has ${key}`);
      assert.ok(e.median_ms > 0, `${key}: ${e.median_ms} ms`);
    }
    const p = predictLatency(NETS[0] as string, 'host-tflite-1t', { tables: [out] });
    assert.ok(p.total_ms > 0 && p.fallbacks.length === 0);
    assert.ok(p.layers.some((l) => l.key === 'fmb_k3_s2_e4_c16@16x16x8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spaces/fmb32.json offers fused MBConv through block-string options', () => {
  const s = loadDesignSpace('fmb32');
  const fmbDna = s.radix.map((_, i) => s.layers[i]?.options.indexOf('fmb_k3_e4') as number);
  assert.ok(fmbDna.every((v) => v >= 0));
  const net = formatNetwork(decodeNetwork(s, fmbDna));
  assert.equal(net, 'in32x32x3/conv_k3_s2_c16/ir_k3_s1_e1_c16/fmb_k3_s2_e4_c24/fmb_k3_s2_e4_c40/fmb_k3_s1_e4_c40/fmb_k3_s1_e4_c64/conv_k1_s1_c256/gap/fc_c10');
  const bad = spaceFromData({ name: 'bad', decoder: 'mobilenetv2', settings: { input: 32, classes: 10, stem: 16, firstBlockOut: 16, stageChannels: [24], stageBlocks: [1], stageStrides: [2], head: 64 }, layers: [{ name: 'b', options: ['fmb_k4_e4'] }] });
  assert.throws(() => decodeNetwork(bad, [0]), (e: unknown) => isLayernasError(e, 'SPACE_INVALID') && /fmb_k4_e4/.test(e.message) && /kernel must be 3, 5 or 7/.test(e.message));
});
