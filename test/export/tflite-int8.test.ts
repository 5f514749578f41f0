/**
 * int8 post-training quantization of a TRAINED network: a small CNN (layernas architecture string ARCH) trained on
 * Fashion-MNIST by PyTorch in the test setup (test/export/tflite_train_fashion_mnist.py, which writes the layernas
 * weights format), lowered by src/graph/lower.ts, exported float32 and int8 (calibrated on 100 training images not
 * used for training), both run in TFLite with XNNPack on 1,000 test images.
 * Must show: int8 top-1 agrees with float on >= 98% of the images; int8 file <= 30% of the float file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Graph } from '../../src/graph/ir.js';
import { runReference } from '../../src/graph/reference.js';
import { buildTflite, quantizeTensor, writeTflite } from '../../src/export/tflite/index.js';
import { TfliteRuntime } from '../../src/runtime/tflite.js';
import { formatNetwork, parseNetwork } from '../../src/arch/grammar.js';
import { readWeights } from '../../src/arch/weights.js';
import { lowerNetwork } from '../../src/graph/lower.js';

const DATA = '/usr/share/datasets/fashion-mnist';
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const TEST_IMAGES = 1000;

function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  const raw = gunzipSync(readFileSync(file));
  const ndim = raw[3] as number;
  const dims = Array.from({ length: ndim }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  return { dims, data: raw.subarray(4 + 4 * ndim) };
}

function image(set: Uint8Array, i: number): Float32Array {
  return Float32Array.from(set.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

const ARCH = 'in28x28x1/conv_k3_s2_c16_relu/conv_k3_s2_c32_relu/conv_k3_s2_c64_relu/conv_k1_s1_c256_relu/gap/fc_c256_relu/fc_c10';

/** the trained network: layernas weights file (written by the PyTorch trainer) → lowerNetwork → graph IR */
async function trainedGraph(dir: string): Promise<Graph> {
  const spec = parseNetwork(ARCH);
  const weights = await readWeights(dir);
  assert.equal(weights.arch, formatNetwork(spec));
  return lowerNetwork(spec, weights.tensors, { name: 'fashion-mnist-cnn' });
}

let workDir = '';
let graph: Graph;
let testImages: Uint8Array;
let testLabels: Uint8Array;
let trainImages: Uint8Array;

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'layernas-tflite-int8-'));
  execFileSync(PYTHON, [join(import.meta.dirname, 'tflite_train_fashion_mnist.py'), DATA, workDir, ARCH, '6000', '3'], { stdio: ['ignore', 'inherit', 'inherit'] });
  graph = await trainedGraph(workDir);
  testImages = readIdx(join(DATA, 't10k-images-idx3-ubyte.gz')).data;
  testLabels = readIdx(join(DATA, 't10k-labels-idx1-ubyte.gz')).data;
  trainImages = readIdx(join(DATA, 'train-images-idx3-ubyte.gz')).data;
});

after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('int8 TFLite of a trained Fashion-MNIST CNN keeps >= 98% top-1 agreement and <= 30% of the float size', async () => {
  const floatBytes = writeTflite(graph);
  // calibration: 100 training images not used for evaluation (evaluation uses the test split)
  const calibration = Array.from({ length: 100 }, (_, i) => image(trainImages, 50000 + i));
  const q = buildTflite(graph, { quantization: { calibration } });
  const rt = new TfliteRuntime({ xnnpack: 'auto' });
  const fm = await rt.loadBytes(floatBytes, { threads: 1 });
  const qm = await rt.loadBytes(q.bytes, { threads: 1 });
  assert.equal(qm.inputs[0]?.dtype, 'float32');
  let agree = 0;
  let floatCorrect = 0;
  let int8Correct = 0;
  let refAgree = 0;
  for (let i = 0; i < TEST_IMAGES; i++) {
    const x = image(testImages, i);
    const [fo] = await fm.run([x]);
    const [qo] = await qm.run([x]);
    const f = argmax(fo as Float32Array);
    const k = argmax(qo as Float32Array);
    if (f === k) agree++;
    if (f === testLabels[i]) floatCorrect++;
    if (k === testLabels[i]) int8Correct++;
    if (i < 50 && argmax(runReference(graph, x).outputs[0] as Float32Array) === f) refAgree++;
  }
  const ratio = q.bytes.length / floatBytes.length;
  console.log(`fashion-mnist cnn: float acc ${(floatCorrect / TEST_IMAGES).toFixed(3)}, int8 acc ${(int8Correct / TEST_IMAGES).toFixed(3)}, ` +
    `agreement ${(agree / TEST_IMAGES).toFixed(3)}, size float ${floatBytes.length} B int8 ${q.bytes.length} B (${(100 * ratio).toFixed(1)}%)`);
  assert.equal(refAgree, 50, 'float TFLite must match the reference forward pass');
  assert.ok(floatCorrect / TEST_IMAGES > 0.7, `the network is trained (float accuracy ${floatCorrect / TEST_IMAGES})`);
  assert.ok(agree / TEST_IMAGES >= 0.98, `int8/float top-1 agreement ${agree / TEST_IMAGES} < 0.98`);
  assert.ok(ratio <= 0.3, `int8 file is ${(100 * ratio).toFixed(1)}% of the float file`);
});

test('int8 model with int8 input/output agrees with the float-I/O int8 model', async () => {
  const calibration = Array.from({ length: 50 }, (_, i) => image(trainImages, 51000 + i));
  const qf = buildTflite(graph, { quantization: { calibration, io: 'float' } });
  const qi = buildTflite(graph, { quantization: { calibration, io: 'int8' } });
  const rt = new TfliteRuntime({ xnnpack: 'auto' });
  const mf = await rt.loadBytes(qf.bytes, { threads: 1 });
  const mi = await rt.loadBytes(qi.bytes, { threads: 1 });
  assert.equal(mi.inputs[0]?.dtype, 'int8');
  assert.equal(mi.outputs[0]?.dtype, 'int8');
  const inParams = qi.inputParams[0];
  assert.ok(inParams);
  let same = 0;
  for (let i = 0; i < 100; i++) {
    const x = image(testImages, 2000 + i);
    const [a] = await mf.run([x]);
    const [b] = await mi.run([quantizeTensor(x, inParams)]);
    if (argmax(a as Float32Array) === argmax(b as Int8Array)) same++;
  }
  assert.ok(same >= 99, `int8-I/O and float-I/O models agree on ${same}/100`);
});
