/**
 * Deployable files, read back by independent readers:
 *  - TFLite: flatc (Debian) with our TFLite schema finds the "TFLITE_METADATA" entry and the serving SignatureDef;
 *    flatc with export/tflite/metadata_schema.fbs (written from the public metadata spec) reads the ModelMetadata:
 *    image input with normalization mean/std, labels file associated with the output, description; Python's zipfile
 *    finds labels.txt packed in the .tflite;
 *  - ONNX: python3-onnx reads metadata_props (preprocessing, labels, description, arch), the checker passes, and
 *    the batch dimension is the named dynamic "batch";
 *  - a trained model (PyTorch trainer, proxy recipe) exported with --dataset: following ONLY manifest.json
 *    (resize method and sizes, channel rule, mean/std, labels) with our own preprocessing code and onnxruntime-node
 *    directly, batch 500, reproduces the trainer's test accuracy on the 10,000 Fashion-MNIST test images.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/layernas.js');
const ARCH = 'in32x32x3/conv_k3_s2_c8/ir_k3_s2_e3_c16/gap/fc_c10';
const FMNIST = '/usr/share/datasets/fashion-mnist';
const work = mkdtempSync(join(tmpdir(), 'layernas-deployable-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 900_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const out = join(work, 'model');
let trainedTestAccuracy = NaN;

before(async () => {
  const trained = join(work, 'train');
  const t = run('train', ARCH, '--trainer', 'pytorch', '--setting', 'proxy', '--epochs', '1', '--out', trained, '--json');
  assert.equal(t.code, 0, t.stderr.slice(-2000));
  trainedTestAccuracy = (JSON.parse(t.stdout) as { metrics: { testAccuracy: number } }).metrics.testAccuracy;
  const e = run('export', ARCH, '--weights', join(trained, 'weights'), '--dataset', 'fashion-mnist', '--out', out);
  assert.equal(e.code, 0, e.stderr.slice(-2000));
}, { timeout: 900_000 });

function flatcJson(schema: string, file: string): Record<string, unknown> {
  const dir = mkdtempSync(join(work, 'flatc-'));
  execFileSync('flatc', ['--json', '--strict-json', '--raw-binary', '-o', dir, schema, '--', file]);
  const name = file.slice(file.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '.json');
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
}

test('TFLite: flatc reads the standard metadata, the labels file is packed, the serving signature is there', () => {
  const tflite = join(out, 'model_float32.tflite');
  const model = flatcJson(resolve(ROOT, 'export/tflite/schema.fbs'), tflite) as {
    metadata: { name: string; buffer: number }[]; buffers: { data?: number[] }[]; signature_defs: { signature_key: string; inputs: { name: string }[]; outputs: { name: string }[] }[];
  };
  const entry = model.metadata.find((m) => m.name === 'TFLITE_METADATA');
  assert.ok(entry, 'TFLITE_METADATA entry');
  assert.equal(model.signature_defs[0]?.signature_key, 'serving_default');
  assert.equal(model.signature_defs[0]?.inputs.length, 1);
  const metaFile = join(work, 'metadata.bin');
  writeFileSync(metaFile, Uint8Array.from(model.buffers[entry.buffer]?.data ?? []));
  const meta = flatcJson(resolve(ROOT, 'export/tflite/metadata_schema.fbs'), metaFile) as {
    description: string; min_parser_version: string;
    subgraph_metadata: { input_tensor_metadata: { content: { content_properties_type: string; content_properties: { color_space: string; default_size: { width: number; height: number } } }; process_units: { options_type: string; options: { mean: number[]; std: number[] } }[] }[];
      output_tensor_metadata: { associated_files: { name: string; type: string }[] }[] }[];
  };
  const input = meta.subgraph_metadata[0]?.input_tensor_metadata[0];
  assert.equal(input?.content.content_properties_type, 'ImageProperties');
  assert.equal(input?.content.content_properties.color_space, 'RGB');
  assert.deepEqual(input?.content.content_properties.default_size, { width: 32, height: 32 });
  assert.equal(input?.process_units[0]?.options_type, 'NormalizationOptions');
  assert.deepEqual(input?.process_units[0]?.options.mean, [0, 0, 0]);
  assert.deepEqual(input?.process_units[0]?.options.std, [255, 255, 255]);
  assert.deepEqual(meta.subgraph_metadata[0]?.output_tensor_metadata[0]?.associated_files, [{ name: 'labels.txt', type: 'TENSOR_AXIS_LABELS', description: 'class names, one per line, in output order' }]);
  assert.match(meta.description, /fashion-mnist.*resize 28x28 -> 32x32 bilinear/);
  assert.equal(meta.min_parser_version, '1.0.0');
  const labels = execFileSync('/usr/bin/python3', ['-c', 'import zipfile,sys; print(zipfile.ZipFile(sys.argv[1]).read("labels.txt").decode(), end="")', tflite], { encoding: 'utf8' });
  assert.deepEqual(labels.trim().split('\n'), readFileSync(join(out, 'labels.txt'), 'utf8').trim().split('\n'));
  assert.equal(labels.split('\n')[0], 't-shirt');
});

test('ONNX: python3-onnx reads metadata_props with the same facts; the batch dimension is dynamic', () => {
  const script = [
    'import onnx, json, sys',
    'm = onnx.load(sys.argv[1])',
    'onnx.checker.check_model(m, full_check=True)',
    'props = {p.key: p.value for p in m.metadata_props}',
    'dims = [d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]',
    'print(json.dumps({"props": props, "dims": dims}))',
  ].join('\n');
  const r = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, join(out, 'model.onnx')], { encoding: 'utf8' })) as { props: Record<string, string>; dims: (string | number)[] };
  assert.deepEqual(r.dims, ['batch', 32, 32, 3]);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { preprocessing: unknown; labels: { classes: string[] }; description: string; arch: string };
  assert.deepEqual(JSON.parse(r.props.preprocessing as string), manifest.preprocessing);
  assert.deepEqual((r.props.labels as string).split('\n'), manifest.labels.classes);
  assert.equal(r.props.description, manifest.description);
  assert.equal(r.props.layernas_arch, manifest.arch);
});

interface Preprocessing {
  layout: 'NHWC'; source: { height: number; width: number; channels: number }; resize: { method: string; halfPixelCenters: boolean; to: [number, number] };
  channels: string; mean: number[]; std: number[];
}

/** bilinear resize with half-pixel centres, written here from the manifest's description (not the project's code) */
function preprocess(img: Uint8Array, p: Preprocessing, out: Float32Array, offset: number): void {
  const { height: H, width: W, channels: C } = p.source;
  const [TH, TW] = p.resize.to;
  const TC = p.mean.length;
  const sample = (y: number, x: number, c: number): number => img[(y * W + x) * C + c] as number;
  for (let oy = 0; oy < TH; oy++) {
    const fy = Math.max(0, (oy + 0.5) * (H / TH) - 0.5);
    const y0 = Math.min(H - 1, Math.floor(fy)), y1 = Math.min(H - 1, y0 + 1), wy = fy - y0;
    for (let ox = 0; ox < TW; ox++) {
      const fx = Math.max(0, (ox + 0.5) * (W / TW) - 0.5);
      const x0 = Math.min(W - 1, Math.floor(fx)), x1 = Math.min(W - 1, x0 + 1), wx = fx - x0;
      for (let t = 0; t < TC; t++) {
        const c = p.channels === 'replicate-gray-to-rgb' ? 0 : t;
        const v = (sample(y0, x0, c) * (1 - wx) + sample(y0, x1, c) * wx) * (1 - wy) + (sample(y1, x0, c) * (1 - wx) + sample(y1, x1, c) * wx) * wy;
        out[offset + (oy * TW + ox) * TC + t] = (v - (p.mean[t] as number)) / (p.std[t] as number);
      }
    }
  }
}

test('following only manifest.json reproduces the trained model\'s test accuracy (ONNX Runtime, batch 500)', async () => {
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { preprocessing: Preprocessing; labels: { classes: string[] }; models: { format: string; precision: string; path: string }[] };
  const p = manifest.preprocessing;
  assert.equal(p.resize.method, 'bilinear');
  assert.deepEqual([p.source.height, p.source.width, p.source.channels], [28, 28, 1]);
  const images = gunzipSync(readFileSync(join(FMNIST, 't10k-images-idx3-ubyte.gz'))).subarray(16);
  const labels = gunzipSync(readFileSync(join(FMNIST, 't10k-labels-idx1-ubyte.gz'))).subarray(8);
  const onnxFile = manifest.models.find((m) => m.format === 'onnx' && m.precision === 'float32')?.path as string;
  const session = await ort.InferenceSession.create(join(out, onnxFile));
  const per = p.source.height * p.source.width * p.source.channels;
  const inSize = p.resize.to[0] * p.resize.to[1] * p.mean.length;
  const batch = 500;
  let correct = 0;
  for (let start = 0; start < labels.length; start += batch) {
    const n = Math.min(batch, labels.length - start);
    const x = new Float32Array(n * inSize);
    for (let i = 0; i < n; i++) preprocess(images.subarray((start + i) * per, (start + i + 1) * per), p, x, i * inSize);
    const feeds = { [session.inputNames[0] as string]: new ort.Tensor('float32', x, [n, p.resize.to[0], p.resize.to[1], p.mean.length]) };
    const y = (await session.run(feeds))[session.outputNames[0] as string]?.data as Float32Array;
    const k = manifest.labels.classes.length;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if ((y[i * k + c] as number) > (y[i * k + best] as number)) best = c;
      if (best === labels[start + i]) correct++;
    }
  }
  const accuracy = correct / labels.length;
  assert.ok(Math.abs(accuracy - trainedTestAccuracy) <= 0.003, `manifest-following accuracy ${accuracy} vs trainer ${trainedTestAccuracy}`);
  assert.ok(accuracy > 0.5, `a trained model (accuracy ${accuracy})`);
});
