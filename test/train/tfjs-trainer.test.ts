import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetwork } from '../../src/arch/grammar.js';
import { readWeights, validateWeights } from '../../src/arch/weights.js';
import { isLayernasError } from '../../src/core/errors.js';
import { loadDataset } from '../../src/data/index.js';
import { trainResultSchema } from '../../src/train/protocol.js';
import { learningRateAt, settingsFor } from '../../src/train/settings.js';
import { TfjsTrainer } from '../../src/train/tfjs-trainer.js';

const SPEC = parseNetwork('in16x16x1/conv_k3_s2_c8/ir_k3_s1_e2_c8/ir_k3_s2_e2_c16_se0.25_hsig/conv_k1_s1_c32/gap/fc_c10');

test('tfjs trainer learns MNIST digits from a 1k subset and writes weights + result in the documented formats', { timeout: 240_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'tfjs-train-'));
  const ds = loadDataset({ kind: 'mnist' });
  const settings = settingsFor('proxy', { epochs: 2, trainSubset: 1024, validationSubset: 400, batchSize: 32, optimizer: 'adam', lr: 0.01, warmupSteps: 5 });
  const seen: number[] = [];
  const r = await new TfjsTrainer('auto').train({ spec: SPEC, dataset: ds, settings, evaluateTest: false, outputDir: out }, (p) => seen.push(p.loss));
  assert.ok(r.metrics.valAccuracy > 0.3, `validation accuracy ${r.metrics.valAccuracy} (chance is 0.1)`);
  assert.equal(r.metrics.testAccuracy, undefined, 'the test split is not read unless asked');
  assert.ok((seen.at(-1) as number) < (seen[0] as number), 'loss went down');
  assert.ok(['wasm', 'cpu', 'tensorflow'].includes(r.trainer.backend));
  const w = await readWeights(r.weightsDir);
  validateWeights(SPEC, w.tensors);
  const onDisk = trainResultSchema.parse(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
  assert.equal(onDisk.metrics.valAccuracy, r.metrics.valAccuracy);
  // running statistics were updated away from their initial values
  const rv = w.tensors.get('l0.conv.bn.running_var');
  assert.ok(rv && Array.from(rv.data).some((v) => Math.abs(v - 1) > 1e-3));
});

test('tfjs trainer: a classifier that does not match the dataset classes is a SPEC_INVALID error', { timeout: 60_000 }, async () => {
  const spec = parseNetwork('in16x16x1/conv_k3_s2_c8/gap/fc_c7');
  await assert.rejects(
    new TfjsTrainer('cpu').train({ spec, dataset: loadDataset({ kind: 'mnist' }), settings: settingsFor('proxy'), evaluateTest: false, outputDir: mkdtempSync(join(tmpdir(), 'x-')) }),
    (e: unknown) => isLayernasError(e, 'SPEC_INVALID') && /7 outputs/.test(e.message));
});

test('cosine schedule with linear warm-up', () => {
  const s = settingsFor('full', { lr: 0.1, warmupSteps: 10 });
  assert.ok(Math.abs(learningRateAt(s, 0, 110) - 0.01) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, 10, 110) - 0.1) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, 60, 110) - 0.05) < 1e-12);
  assert.ok(learningRateAt(s, 109, 110) < 1e-3);
});

test('the two BN gradient paths and the two 1x1 conv paths give the same gradients (cpu backend)', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { selectTrainingBackend } = await import('../../src/train/backend.js');
  const { buildNetwork } = await import('../../src/train/network.js');
  const { initWeights } = await import('../../src/arch/weights.js');
  const { loadNetworkWeights } = await import('../../src/train/weights-io.js');
  await selectTrainingBackend('cpu');
  const w = initWeights(SPEC, 3);
  const X = new Float32Array(8 * 256).map((_, i) => ((i * 7919) % 1000) / 1000);
  const Y = Array.from({ length: 8 }, (_, i) => i % 10);
  const grads = (bnGradient: 'fused' | 'custom', pointwise: 'conv' | 'matmul'): Map<string, Float32Array> => {
    const net = buildNetwork(SPEC, 0);
    loadNetworkWeights(net, w);
    const vars = net.store.params.filter((p) => p.trainable);
    const out = new Map<string, Float32Array>();
    tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(Y, 'int32'), 10),
        net.forward(tf.tensor4d(X, [8, 16, 16, 1]), { training: true, bnMomentum: 0.1, bnGradient, pointwise })) as import('@tensorflow/tfjs').Scalar, vars.map((p) => p.variable));
      for (const p of vars) out.set(p.name, (g[p.variable.name] as import('@tensorflow/tfjs').Tensor).dataSync().slice() as Float32Array);
    });
    net.dispose();
    return out;
  };
  const a = grads('custom', 'matmul');
  const b = grads('fused', 'conv');
  let worst = 0;
  for (const [name, ga] of a) {
    const gb = b.get(name) as Float32Array;
    const scale = Math.max(1e-3, ...Array.from(ga, Math.abs));
    ga.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - (gb[i] as number)) / scale); });
  }
  assert.ok(worst < 1e-4, `max relative gradient difference ${worst}`);
});
