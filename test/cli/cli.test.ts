/** The real `layernas` binary (bin/layernas.js through tsx): output, exit codes, error messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/layernas.js');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('cost <zoo name> prints per-layer shapes and totals, exit 0', () => {
  const r = run('cost', 'mobilenet_v2_100');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /conv_k3_s2_c32\s+224x224x3 -> 112x112x32/);
  assert.match(r.stdout, /fc_c1000\s+1x1x1280 -> 1x1x1000/);
  const madds = Number(/total MAdds: ([\d,]+)/.exec(r.stdout)?.[1]?.replace(/,/g, ''));
  assert.ok(Math.abs(madds / 1e6 - 300) <= 3, `MAdds ${madds}`);
});

test('cost --json on a network string with --input', () => {
  const r = run('cost', 'conv_k3_s2_c8/ir_k3_s1_e6_c8/gap/fc_c10', '--input', '32', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { madds: number; params: number; layers: { block: string; output: { h: number } }[]; network: string };
  assert.equal(j.network, 'in32x32x3/conv_k3_s2_c8/ir_k3_s1_e6_c8/gap/fc_c10');
  assert.equal(j.layers.length, 4);
  assert.equal(j.layers[0]?.output.h, 16);
  assert.equal(j.madds, j.layers.reduce((s: number, l) => s + (l as unknown as { madds: number }).madds, 0));
});

test('zoo lists every model with its cost', () => {
  const r = run('zoo');
  assert.equal(r.code, 0, r.stderr);
  for (const n of ['mobilenet_v2_100', 'mobilenet_v2_140', 'mobilenet_v3_large_100', 'mobilenet_v3_small_100', 'fbnet_skeleton', 'nats_sss:']) {
    assert.ok(r.stdout.includes(n), n);
  }
});

test('bad input exits 2 with a clear one-line-plus-caret message and no stack', () => {
  const cases: [string[], RegExp][] = [
    [['cost', 'mobilenet_v9'], /error \[ZOO_UNKNOWN\]: unknown zoo model 'mobilenet_v9'; known: mobilenet_v2_100/],
    [['cost', 'in224x224x3/conv_k4_s2_c8'], /error \[SPEC_INVALID\]: conv kernel must be odd.*position 17[^]*\^\^/],
    [['cost', 'in224x224x3/conv_k3_s2_c8/bogus_k3'], /error \[SPEC_PARSE\]: unknown op 'bogus'.*position 26/],
    [['cost', 'ir_k3_s3_e6_c8'], /error \[SPEC_INVALID\]: stride must be 1 or 2/],
    [['cost'], /error \[USAGE\]/],
    [['nosuchcommand'], /error \[USAGE\]: Unknown argument: nosuchcommand/],
    [['cost', 'mobilenet_v2_100', '--input', 'abc'], /error \[USAGE\]/],
  ];
  for (const [args, pattern] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '');
  }
});
