import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLayernasError } from '../../src/core/errors.js';
import { TrainingEvaluator } from '../../src/eval/training-evaluator.js';
import { PYTORCH_REFERENCE_COMMAND } from '../../src/train/external.js';

const ARCH = 'in28x28x1/conv_k3_s2_c8/ir_k3_s2_e2_c16/gap/fc_c10';
const overrides = { epochs: 1, trainSubset: 256, validationSubset: 200, batchSize: 32, warmupSteps: 2, optimizer: 'adam' as const, lr: 0.003 };
const evaluator = (runs?: number) => new TrainingEvaluator(
  { trainer: { kind: 'command', command: [...PYTORCH_REFERENCE_COMMAND], timeoutMs: 120_000 }, outputRoot: mkdtempSync(join(tmpdir(), 'runs-')) },
  { dataset: 'fashion-mnist', setting: 'proxy', overrides: { ...overrides, seed: 5 }, ...(runs !== undefined ? { runs } : {}) });

test('training evaluator, runs: 2 -> reward is the mean of two trainings with seeds s and s+1; run 0 is the single run', { timeout: 240_000 }, async () => {
  const one = await evaluator().evaluate({ trialNumber: 0, dna: [0], arch: ARCH });
  const two = await evaluator(2).evaluate({ trialNumber: 0, dna: [0], arch: ARCH });
  const r0 = two.metrics?.val_acc_run0 as number, r1 = two.metrics?.val_acc_run1 as number;
  assert.ok(Math.abs(two.reward - (r0 + r1) / 2) < 1e-12, `${two.reward} vs mean of ${r0}, ${r1}`);
  assert.equal(r0, one.reward, 'run 0 trains with the requested seed, as a single run does');
  assert.notEqual(r0, r1, 'run 1 has its own seed (init, order, subset)');
  assert.equal(one.metrics?.val_acc_run0, undefined);
});

test('training evaluator: runs outside 1..16 is JOB_INVALID', () => {
  assert.throws(() => evaluator(0), (e: unknown) => isLayernasError(e, 'JOB_INVALID') && /runs/.test(e.message));
});
