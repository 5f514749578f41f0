/**
 * Fused MBConv end to end through every export format (library exportModel = the checked exporter the CLI uses):
 * TFLite and ONNX float32 within 1e-4 of the reference forward pass, TF.js too, int8 TFLite and ONNX written,
 * loaded and run (their parity printed; int8 agreement on trained weights is the design's verify stage).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseNetwork } from '../../src/arch/grammar.js';
import { Rng } from '../../src/core/rng.js';
import { exportModel } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'layernas-fmb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ARCH = 'in32x32x3/conv_k3_s2_c16/fmb_k3_s1_e4_c16/fmb_k5_s2_e3_c24_noskip_hs/fmb_k3_s1_e2_c24/fmb_k7_s1_e1_c32_relu/conv_k1_s1_c64/gap/fc_c10';

test('fused MBConv exports to TFLite, ONNX and TF.js within 1e-4 of the reference, and to int8 TFLite/ONNX', { timeout: 240_000 }, async () => {
  const spec = parseNetwork(ARCH);
  const rng = new Rng(5);
  const calibration = Array.from({ length: 16 }, () => Float32Array.from({ length: 32 * 32 * 3 }, () => rng.next()));
  const r = await exportModel({ network: spec, seed: 3, outDir: dir, formats: ['tflite', 'onnx', 'tfjs'], int8: { calibration, description: 'random:16', io: 'float' } });
  assert.deepEqual(r.parityFailures, []);
  const byName = new Map(r.manifest.models.map((m) => [`${m.format}-${m.precision}`, m]));
  for (const name of ['tflite-float32', 'onnx-float32', 'tfjs-float32']) {
    const m = byName.get(name);
    assert.ok(m?.parity, `${name} exported and checked`);
    assert.ok(m.parity.relDiff <= 1e-4, `${name}: parity ${m.parity.relDiff}`);
    assert.ok(m.parity.argmaxAgrees, name);
  }
  for (const name of ['tflite-int8', 'onnx-int8']) {
    const m = byName.get(name);
    assert.ok(m?.parity, `${name} exported, loaded and run`);
    assert.ok(Number.isFinite(m.parity.relDiff) && m.parity.relDiff < 0.1, `${name}: parity ${m.parity.relDiff}`);
  }
  process.stdout.write(`fmb parity: ${[...byName].map(([k, m]) => `${k} ${m.parity?.relDiff.toExponential(2)}`).join(', ')}\n`);
});
