// The shipped Pixel 3 / Raspberry Pi 4 FBNet tables reproduce all 5,000 measured architecture latencies
// of shared/data/fbnet/fbnet_archs_latency_ms.csv within 1e-4 ms, and equal a fresh conversion of the source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTable } from '../../src/cost/latency-table.js';
import { predictLatency } from '../../src/cost/latency-predictor.js';
import { convertFbnetLut } from '../../src/cost/table-convert/fbnet-lut.js';
import { walkShapes } from '../../src/arch/shapes.js';
import { fbnetNetwork } from '../../src/arch/zoo.js';
import { repoRoot, sharedData } from './paths.js';

const csv = readFileSync(join(sharedData, 'fbnet', 'fbnet_archs_latency_ms.csv'), 'utf8').trim().split('\n');
const header = (csv[0] as string).split(',');
const rows = csv.slice(1).map((line) => line.split(','));

for (const device of ['pixel3', 'raspi4']) {
  test(`${device} FBNet table reproduces the 5,000 measured latencies within 1e-4 ms`, () => {
    const table = loadTable(join(repoRoot, 'latency-tables', `${device}-tflite-fbnet-32.json`));
    const col = header.indexOf(`lat_${device}`);
    assert.ok(col > 0);
    assert.equal(rows.length, 5000);
    let worst = 0;
    for (const row of rows) {
      const ops = (row[1] as string).split('-').map(Number);
      const keys = walkShapes(fbnetNetwork(ops));
      const p = predictLatency(keys, table);
      assert.equal(p.fallbacks.length, 0);
      worst = Math.max(worst, Math.abs(p.total_ms - Number(row[col])));
    }
    assert.ok(worst <= 1e-4, `worst |error| ${worst} ms`);
  });

  test(`${device} shipped table equals a fresh conversion of shared/data`, () => {
    const raw = JSON.parse(readFileSync(join(sharedData, 'fbnet', 'fbnet_lut_reconstructed_cifar100.json'), 'utf8')) as unknown;
    const fresh = convertFbnetLut(raw, device, 'fbnet/fbnet_lut_reconstructed_cifar100.json');
    const shipped = JSON.parse(readFileSync(join(repoRoot, 'latency-tables', `${device}-tflite-fbnet-32.json`), 'utf8')) as unknown;
    assert.deepEqual(shipped, JSON.parse(JSON.stringify(fresh)));
  });
}
