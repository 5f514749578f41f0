/** `layernas export` end to end (in-process CLI): files, manifest, parity, and the bad-input cases. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { initWeights, writeWeights } from '../../src/arch/weights.js';
import { getZooModel } from '../../src/arch/zoo.js';
import { manifestSchema } from '../../src/export/manifest.js';
import { main } from '../../src/cli/main.js';

const root = mkdtempSync(join(tmpdir(), 'layernas-export-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
const ARCH = 'nats_sss:8:16:24:32:40';

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(args, { stderr: (t) => { stderr += t; } });
  return { code, stderr };
}

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

test('export to tflite (float + int8), onnx (float + int8 QDQ) and tfjs: manifest is valid, hashes match, float parity ≤ 1e-4', async () => {
  const out = join(root, 'ok');
  const r = await run(['export', ARCH, '--format', 'tflite,onnx,tfjs', '--int8', '--calibration', 'random', '--calibration-count', '16', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const m = manifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
  assert.equal(m.arch.startsWith('in32x32x3/'), true);
  assert.equal(m.madds > 0 && m.params > 0, true);
  assert.deepEqual(m.models.map((x) => x.path).sort(), ['model.onnx', 'model_float32.tflite', 'model_int8.onnx', 'model_int8.tflite', 'tfjs/model.json']);
  for (const model of m.models) {
    for (const f of model.files) assert.equal(sha(join(out, f.path)), f.sha256, f.path);
    assert.ok(model.parity, `${model.path} verified`);
    // ONNX files carry a dynamic batch dimension (-1 as the runtime reports it); TFLite and TF.js batch 1
    assert.deepEqual(model.inputs?.[0]?.shape, model.format === 'onnx' ? [-1, 32, 32, 3] : [1, 32, 32, 3]);
    if (model.precision === 'float32') assert.ok(model.parity.relDiff <= 1e-4, `${model.path}: ${model.parity.relDiff}`);
    else {
      assert.ok(model.quantization && model.quantization.inputs.length === 1 && model.quantization.outputs[0]?.scale[0]! > 0);
      assert.ok(model.parity.relDiff <= 0.1 && model.parity.tolerance === null, `${model.path}: int8 rel diff ${model.parity.relDiff}`);
    }
  }
  assert.ok(existsSync(join(out, 'weights.json')) && existsSync(join(out, 'weights.bin')));
  assert.deepEqual(readdirSync(out).filter((f) => f.includes('.tmp')), []);
  // re-export from the written weights: byte-identical ONNX (deterministic writer, exact weights round trip)
  const again = join(root, 'again');
  assert.equal((await run(['export', ARCH, '--format', 'onnx', '--weights', out, '--out', again, '--no-verify'])).code, 0);
  assert.equal(sha(join(again, 'model.onnx')), sha(join(out, 'model.onnx')));
});

test('a search result file with a network string exports that network', async () => {
  const file = join(root, 'result.json');
  const spec = getZooModel(ARCH);
  writeFileSync(file, JSON.stringify({ best: { network: 'in16x16x3/conv_k3_s2_c8/gap/fc_c4' }, spec: spec.name }));
  const out = join(root, 'from-result');
  const r = await run(['export', file, '--format', 'onnx', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).arch.startsWith('in16x16x3/'), true);
});

test('unwritable output path → OUTPUT_UNWRITABLE, exit 2', async () => {
  const blocker = join(root, 'a-file');
  writeFileSync(blocker, 'x');
  const r = await run(['export', ARCH, '--format', 'onnx', '--out', join(blocker, 'sub')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /OUTPUT_UNWRITABLE/);
  assert.match(r.stderr, /a-file/);
});

test('a model file that cannot be replaced → OUTPUT_UNWRITABLE and no temporary or half-written file left', async () => {
  const out = join(root, 'blocked');
  mkdirSync(join(out, 'model.onnx'), { recursive: true }); // a directory where the model file should go
  const r = await run(['export', ARCH, '--format', 'onnx', '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /OUTPUT_UNWRITABLE.*model\.onnx/);
  assert.deepEqual(readdirSync(out).filter((f) => f.includes('.tmp')), []);
  assert.equal(existsSync(join(out, 'manifest.json')), false);
});

test('an op the format cannot express (grouped conv → tfjs) → EXPORT_UNSUPPORTED before any file is written', async () => {
  const out = join(root, 'unsupported');
  const r = await run(['export', `fbnet:${[1, ...Array(21).fill(0)].join('-')}`, '--format', 'onnx,tfjs', '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /EXPORT_UNSUPPORTED.*l1\.project/);
  assert.equal(existsSync(out), false);
});

test('weights of the wrong shape → WEIGHTS_INVALID naming the tensor, nothing written', async () => {
  const wdir = join(root, 'other-weights');
  await writeWeights(wdir, initWeights(getZooModel('nats_sss:8:16:24:32:48'), 1));
  const out = join(root, 'wrong-weights');
  const r = await run(['export', ARCH, '--format', 'onnx', '--weights', wdir, '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /WEIGHTS_INVALID.*l5\.e0\.weight.*\[48,32,3,3\].*\[40,32,3,3\]/);
  assert.equal(existsSync(out), false);
});

// --int8 without --calibration is no longer an error (seeded random inputs or the weights' dataset; test/cli/export-sources.test.ts)
test('usage errors: unknown format, --calibration without --int8 → exit 2', async () => {
  assert.equal((await run(['export', ARCH, '--format', 'onnx,caffe', '--out', join(root, 'u1')])).code, 2);
  const r = await run(['export', ARCH, '--format', 'tflite', '--calibration', 'random', '--out', join(root, 'u2')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--calibration is only used with --int8/);
});
