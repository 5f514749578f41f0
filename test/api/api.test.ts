/**
 * The library surface: docs/api.md's example runs as written (importing 'layernas' by name through the package's
 * self-reference, sources condition), the data locations resolve with their overrides, and the package's `files`
 * keep results, bench outputs, tests and sources out of the tarball.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataLocations } from '../../src/core/locations.js';
import * as lib from '../../src/index.js';
import { LayernasError } from '../../src/core/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');

function apiExample(): string {
  const doc = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
  const m = /```js example\n([\s\S]*?)```/.exec(doc);
  assert.ok(m, 'docs/api.md has a ```js example block');
  return m[1] as string;
}

test('docs/api.md example runs against the sources and prints its figures', () => {
  const dir = join(ROOT, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `api-example-${process.pid}.mjs`);
  writeFileSync(file, apiExample());
  try {
    const r = spawnSync(process.execPath, ['--conditions=layernas-source', '--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /predicted \d+\.\d+ ms on host-tflite-1t \(26 layers/);
    assert.match(r.stdout, /model_float32\.tflite: float32, parity \d\.\d\de-\d/);
    assert.match(r.stdout, /model\.onnx: float32, parity/);
    assert.match(r.stdout, /best of \d+ trials: accuracy \d+\.\d\d \|/);
  } finally {
    rmSync(file, { force: true });
  }
});

test('the six library functions exist with the CLI behaviour on bad input', () => {
  for (const f of ['design', 'search', 'exportModel', 'verify', 'profile', 'predictLatency'] as const) assert.equal(typeof lib[f], 'function', f);
  assert.throws(() => lib.predictLatency('in32x32x3/conv_k4_s1_c8', 'host-tflite-1t'), (e: unknown) => e instanceof LayernasError && e.code === 'SPEC_INVALID');
  assert.throws(() => lib.predictLatency('in32x32x3/conv_k3_s1_c8/gap/fc_c10', 'no-such-target'), (e: unknown) => e instanceof LayernasError && e.code === 'TARGET_UNKNOWN');
  assert.throws(() => lib.predictLatency('in32x32x3/conv_k3_s1_c9/gap/fc_c10', 'host-tflite-1t'), (e: unknown) => e instanceof LayernasError && e.code === 'TABLE_MISSING_KEY');
});

test('data locations: package defaults, environment, explicit overrides win', () => {
  const d = dataLocations({}, {});
  assert.equal(d.packageRoot, ROOT);
  assert.equal(d.targets, join(ROOT, 'targets'));
  assert.equal(d.latencyTables, join(ROOT, 'latency-tables'));
  assert.equal(d.sharedData, resolve(ROOT, '..', 'shared', 'data'));
  const e = dataLocations({}, { LAYERNAS_DATA_DIR: '/data/x', LAYERNAS_TARGETS_DIR: '/t' });
  assert.equal(e.sharedData, '/data/x');
  assert.equal(e.targets, '/t');
  assert.equal(dataLocations({ sharedData: '/mine' }, { LAYERNAS_DATA_DIR: '/data/x' }).sharedData, '/mine');
});

test('package.json: library entry points, and `files` keep results, bench, tests and sources out', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>>; files: string[]; types: string; bin: Record<string, string>; dependencies: Record<string, string> };
  assert.equal(pkg.exports['.']?.default, './dist/index.js');
  assert.equal(pkg.exports['.']?.types, './dist/index.d.ts');
  assert.equal(pkg.types, './dist/index.d.ts');
  assert.equal(pkg.dependencies.tsx, undefined, 'tsx is a dev dependency: the package runs compiled JS');
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as { files: { path: string; size: number }[]; unpackedSize: number }[];
  assert.ok(info);
  const bad = info.files.filter((f) => /^(results|bench|test|src|\.tmp|runs)\//.test(f.path));
  assert.deepEqual(bad.map((f) => f.path), []);
  assert.ok(info.unpackedSize <= 2_000_000, `unpacked ${info.unpackedSize} bytes > 2 MB`);
  for (const need of ['bin/layernas.js', 'scripts/build-native.mjs', 'targets/host-tflite-1t.json', 'spaces/mobile32.json', 'trainers/pytorch/train.py', 'native/wasm-kernels/layernas-grad-kernels.wasm', 'docs/api.md']) {
    assert.ok(info.files.some((f) => f.path === need), `${need} is in the package`);
  }
});
