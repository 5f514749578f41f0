/**
 * `verify` on any model: Google's official uint8 MobileNetV2 .tflite timed with no architecture and no table; --arch
 * checked against the file (ARCH_MISMATCH) before any table is looked up; a table miss lists the missing keys and
 * names a command that works (which is run here); agreement-only mode without a target.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/layernas.js');
const GOOGLE = resolve(ROOT, '../shared/data/reference-models/mobilenet_v2_1.0_224_quant.tflite');
const work = mkdtempSync(join(tmpdir(), 'layernas-verify-any-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("Google's official uint8 MobileNetV2 .tflite is timed with no arch and no table", () => {
  const r = run('verify', GOOGLE, '--target', 'host-tflite-1t', '--rounds', '2', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { mode: string; arch: unknown; measured: { median_ms: number; samples: number }; io: { inputs: { shape: number[]; dtype: string }[] } };
  assert.equal(j.mode, 'timing');
  assert.equal(j.arch, null);
  assert.deepEqual(j.io.inputs[0]?.shape, [1, 224, 224, 3]);
  assert.equal(j.io.inputs[0]?.dtype, 'uint8');
  assert.ok(j.measured.median_ms > 1 && j.measured.samples >= 10, `median ${j.measured.median_ms} ms`);
});

test('--arch that does not fit the file is ARCH_MISMATCH (before the table), full mode without an architecture names --mode timing', () => {
  const r = run('verify', GOOGLE, '--target', 'host-tflite-1t', '--arch', 'in32x32x3/conv_k3_s2_c8/gap/fc_c10');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error \[ARCH_MISMATCH\]: .*takes 32x32x3 images but .* has input input \[1, 224, 224, 3\]/);
  const full = run('verify', GOOGLE, '--target', 'host-tflite-1t', '--mode', 'full');
  assert.equal(full.code, 2);
  assert.match(full.stderr, /--mode timing/);
});

test('a table miss prices what it can, lists the missing keys, and the command it names works', () => {
  const out = join(work, 'mnv2');
  const e = run('export', 'mobilenet_v2_100', '--format', 'tflite', '--out', out, '--no-verify');
  assert.equal(e.code, 0, e.stderr);
  const r = run('verify', out, '--target', 'host-tflite-1t', '--rounds', '2');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stdout, /missing table keys:\n {2}layer \d+: ir_k3_s2_e6_c32@56x56x24/);
  const m = /error \[TABLE_MISSING_KEY\]: .*time the file alone: (layernas verify .*)$/m.exec(r.stderr);
  assert.ok(m, r.stderr);
  const again = run(...(m[1] as string).split(' ').slice(1), '--rounds', '2');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /latency: measured/);
});

test('agreement mode needs no target and no table', () => {
  const out = join(work, 'small');
  const e = run('export', 'in32x32x3/conv_k3_s2_c8/ir_k3_s1_e6_c8/gap/fc_c10', '--out', out, '--no-verify');
  assert.equal(e.code, 0, e.stderr);
  const r = run('verify', out, '--mode', 'agreement', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { agreement: { kind: string; ok: boolean; files: string[] } };
  assert.equal(j.agreement.kind, 'reference');
  assert.equal(j.agreement.files.length, 2);
  assert.ok(j.agreement.ok);
});
