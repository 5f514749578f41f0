// Data-parallel tfjs-wasm training (src/train/data-parallel.ts): the replica thread computes the same gradient as
// the main thread for the same weights and data, and a 2-thread run learns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseNetwork } from '../../src/arch/grammar.js';
import { Rng } from '../../src/core/rng.js';
import { loadDataset } from '../../src/data/index.js';
import { selectTrainingBackend } from '../../src/train/backend.js';
import { DataParallelReplica } from '../../src/train/data-parallel.js';
import { buildNetwork } from '../../src/train/network.js';
import { settingsFor } from '../../src/train/settings.js';
import { TfjsTrainer } from '../../src/train/tfjs-trainer.js';

const SPEC = parseNetwork('in16x16x1/conv_k3_s2_c8/ir_k3_s1_e2_c8/ir_k5_s2_e2_c16_se0.25_hsig/conv_k1_s1_c32/gap/fc_c10');

test('the replica thread returns the gradient the main thread computes for the same weights and half batch', { timeout: 120_000 }, async () => {
  await selectTrainingBackend('wasm');
  const net = buildNetwork(SPEC, 3);
  const trainable = net.store.params.filter((p) => p.trainable);
  // move the weights away from the replica's own initialisation (seed 3): the replica must use the shared ones
  tf.tidy(() => trainable.forEach((p, i) => p.variable.assign(tf.add(p.variable, tf.randomNormal(p.variable.shape, 0, 0.05, 'float32', 100 + i)))));
  const ctx = { training: true, bnMomentum: 0.1, bnGradient: 'fused' as const, pointwise: 'conv' as const };
  const replica = await DataParallelReplica.start(SPEC, trainable, 3, 0.1, ctx, 16);
  try {
    const rng = new Rng(5);
    const n = 12;
    const x = Float32Array.from({ length: n * 16 * 16 }, () => rng.next());
    const y = Array.from({ length: n }, () => rng.int(10));
    replica.begin(x, y, n);
    tf.tidy(() => {
      const other = replica.finish();
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(y, 'int32'), 10), net.forward(tf.tensor4d(x, [n, 16, 16, 1]), ctx), undefined, 0.1) as tf.Scalar, trainable.map((p) => p.variable));
      assert.ok(Math.abs(other.loss - (value.dataSync()[0] as number)) < 1e-5, `loss ${other.loss} vs ${value.dataSync()[0]}`);
      trainable.forEach((p, i) => {
        const a = (grads[p.variable.name] as tf.Tensor).dataSync();
        const b = (other.grads[i] as tf.Tensor).dataSync();
        let d = 0, s = 0;
        for (let k = 0; k < a.length; k++) { d = Math.max(d, Math.abs((a[k] as number) - (b[k] as number))); s = Math.max(s, Math.abs(a[k] as number)); }
        assert.ok(d <= 1e-4 * Math.max(s, 1e-6), `${p.name}: max diff ${d} of scale ${s}`);
      });
    });
  } finally {
    await replica.close();
    net.dispose();
  }
});

test('tfjs trainer with 2 threads (data-parallel replica) learns MNIST digits', { timeout: 240_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'tfjs-dp-'));
  const settings = settingsFor('proxy', { epochs: 2, trainSubset: 1024, validationSubset: 400, batchSize: 32, optimizer: 'adam', lr: 0.01, warmupSteps: 5 });
  const r = await new TfjsTrainer('wasm', { threads: 2 }).train({ spec: SPEC, dataset: loadDataset({ kind: 'mnist' }), settings, evaluateTest: false, outputDir: out });
  assert.match(r.trainer.backend, /x2/);
  assert.ok(r.metrics.valAccuracy > 0.3, `validation accuracy ${r.metrics.valAccuracy} (chance is 0.1)`);
});
