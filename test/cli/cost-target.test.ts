/** `layernas cost --target`: per-layer predicted latency with the table entry used; a table miss prices what it can. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/layernas.js');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Latency { total_ms: number | null; priced_ms: number; fixed_ms: number; layers: { index: number; key: string; ms: number; source: string }[]; missing: { index: number; key: string }[] }

test('cost --target on a fully covered network: total = fixed + sum of the layer entries, each layer names its key', () => {
  // fbnet-32 table of host-tflite-1t: a network made of blocks the FBNet space has at these shapes
  const table = JSON.parse(require_('latency-tables/host-tflite-1t-fbnet-32.json')) as { entries: { key: string; median_ms: number }[] };
  const key = table.entries[0]?.key as string;
  const block = key.split('@')[0] as string;
  const [h, w, c] = (key.split('@')[1] as string).split('x').map(Number);
  const r = run('cost', `in${h}x${w}x${c}/${block}`, '--target', 'host-tflite-1t', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { latency: Latency };
  assert.equal(j.latency.missing.length, 0);
  assert.equal(j.latency.layers[0]?.key, key);
  assert.equal(j.latency.layers[0]?.ms, table.entries[0]?.median_ms);
  assert.ok(Math.abs((j.latency.total_ms as number) - (j.latency.fixed_ms + (table.entries[0]?.median_ms as number))) < 1e-9);
});

test('cost --target with a table miss prices the covered layers and lists every missing key (exit 0, total null)', () => {
  const r = run('cost', 'mobilenet_v2_100', '--target', 'host-tflite-1t', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { layers: unknown[]; latency: Latency };
  assert.equal(j.latency.total_ms, null);
  assert.ok(j.latency.missing.length > 0 && j.latency.layers.length > 0);
  assert.equal(j.latency.missing.length + j.latency.layers.length, j.layers.length);
  assert.ok(j.latency.priced_ms > j.latency.fixed_ms);
  const text = run('cost', 'mobilenet_v2_100', '--target', 'host-tflite-1t');
  assert.match(text.stdout, /key\(s\) missing from the table:/);
  assert.match(text.stdout, /MISSING/);
  assert.match(text.stdout, /layernas profile --target host-tflite-1t --space net\.txt/);
});

test('cost of a file another tool wrote says what to run instead', () => {
  const r = run('cost', '../shared/data/reference-models/mobilenet_v2_1.0_224_quant.tflite', '--target', 'host-tflite-1t');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /carries no layernas architecture.*--mode timing/);
});

function require_(rel: string): string {
  return readFileSync(resolve(ROOT, rel), 'utf8');
}
