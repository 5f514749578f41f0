/**
 * Fused MBConv trains in both trainers: the in-process tfjs trainer and the PyTorch reference trainer
 * (trainers/pytorch, FusedMBConv) each learn Fashion-MNIST from a small subset with a network built from fmb blocks,
 * and the PyTorch-trained weights give PyTorch's own eval logits through our graph reference (1e-4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetwork } from '../../src/arch/grammar.js';
import { readWeights, validateWeights } from '../../src/arch/weights.js';
import { InputConverter, loadDataset } from '../../src/data/index.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { runReference } from '../../src/graph/reference.js';
import { ExternalTrainer, PYTORCH_REFERENCE_COMMAND } from '../../src/train/external.js';
import { settingsFor } from '../../src/train/settings.js';
import { TfjsTrainer } from '../../src/train/tfjs-trainer.js';

const SPEC = parseNetwork('in16x16x1/conv_k3_s2_c8/fmb_k3_s1_e4_c8/fmb_k3_s2_e2_c16/conv_k1_s1_c32/gap/fc_c10');
const settings = settingsFor('proxy', { epochs: 1, trainSubset: 1024, validationSubset: 400, batchSize: 32, optimizer: 'adam', lr: 0.01, warmupSteps: 5 });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'fmb-train-'));

test('tfjs trainer trains a fused-MBConv network', { timeout: 240_000 }, async () => {
  const ds = loadDataset({ kind: 'fashion-mnist' });
  const losses: number[] = [];
  const r = await new TfjsTrainer('auto').train({ spec: SPEC, dataset: ds, settings, evaluateTest: false, outputDir: tmp() }, (p) => losses.push(p.loss));
  assert.ok(r.metrics.valAccuracy > 0.3, `validation accuracy ${r.metrics.valAccuracy} (chance 0.1)`);
  assert.ok((losses.at(-1) as number) < (losses[0] as number), 'loss went down');
  validateWeights(SPEC, (await readWeights(r.weightsDir)).tensors);
});

test('PyTorch trainer trains a fused-MBConv network; its weights give its predictions through our graph', { timeout: 300_000 }, async () => {
  const dir = tmp();
  const ds = loadDataset({ kind: 'fashion-mnist' });
  const trainer = new ExternalTrainer({ name: 'pytorch', command: PYTORCH_REFERENCE_COMMAND, timeoutMs: 240_000, env: { LAYERNAS_THREADS: '1' } });
  const r = await trainer.train({ spec: SPEC, dataset: ds, settings, evaluateTest: false, outputDir: dir });
  assert.ok(r.metrics.valAccuracy > 0.3, `validation accuracy ${r.metrics.valAccuracy} (chance 0.1)`);
  const n = 20;
  const [py, script] = PYTORCH_REFERENCE_COMMAND as [string, string];
  const torchLogits = JSON.parse(execFileSync(py, [script, '--threads', '1', '--predict', r.weightsDir, '--n', String(n), join(dir, 'request.json')], { encoding: 'utf8' })) as number[][];
  const weights = await readWeights(r.weightsDir);
  const graph = lowerNetwork(SPEC, weights.tensors);
  const conv = new InputConverter(ds.test, SPEC.input);
  const { x } = conv.batch(ds.test, Array.from({ length: n }, (_, i) => i));
  for (let i = 0; i < n; i++) {
    const ref = runReference(graph, x.slice(i * conv.perImage, (i + 1) * conv.perImage)).outputs[0] as Float32Array;
    const t = torchLogits[i] as number[];
    const scale = Math.max(...t.map(Math.abs));
    ref.forEach((v, k) => assert.ok(Math.abs(v - (t[k] as number)) <= 1e-4 * scale, `image ${i} logit ${k}: graph ${v} vs torch ${t[k]}`));
  }
});
