/** `export` takes what the other commands produce: a trainer's result.json (architecture from its request.json, weights beside it). */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseNetwork } from '../../src/arch/grammar.js';
import { initWeights, writeWeights } from '../../src/arch/weights.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/layernas.js');
const ARCH = 'in32x32x3/conv_k3_s2_c8/gap/fc_c10';
const work = mkdtempSync(join(tmpdir(), 'layernas-export-sources-'));
after(() => rmSync(work, { recursive: true, force: true }));

test("export <trainer result.json>: the request's architecture and the trained weights beside it", async () => {
  const run = join(work, 'final');
  mkdirSync(run, { recursive: true });
  const weights = initWeights(parseNetwork(ARCH), 7);
  await writeWeights(join(run, 'weights'), weights);
  writeFileSync(join(run, 'request.json'), JSON.stringify({ protocol: 'layernas-train/1', arch: ARCH }));
  writeFileSync(join(run, 'result.json'), JSON.stringify({ protocol: 'layernas-train/1', metrics: {}, weightsDir: join(run, 'weights') }));
  const out = join(work, 'out');
  const r = spawnSync(process.execPath, [BIN, 'export', join(run, 'result.json'), '--format', 'onnx', '--no-verify', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { arch: string; weights: { source: string } };
  assert.equal(m.arch, ARCH);
  assert.equal(m.weights.source, join(run, 'weights'));
});

test('export --int8 without --calibration: seeded random inputs, said on stderr; with --dataset: that dataset', async () => {
  const plain = join(work, 'int8-random');
  const r = spawnSync(process.execPath, [BIN, 'export', ARCH, '--int8', '--format', 'tflite', '--out', plain], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /no --calibration and no dataset known: activation ranges from seeded random inputs/);
  const m = JSON.parse(readFileSync(join(plain, 'manifest.json'), 'utf8')) as { models: { precision: string }[] };
  assert.ok(m.models.some((x) => x.precision === 'int8'), 'an int8 model was written');
  const data = join(work, 'int8-data');
  const d = spawnSync(process.execPath, [BIN, 'export', ARCH, '--int8', '--dataset', 'fashion-mnist', '--format', 'tflite', '--calibration-count', '20', '--out', data], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stderr, /int8: calibrating on fashion-mnist/);
});
