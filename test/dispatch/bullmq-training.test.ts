/**
 * Training trials through Redis: a real `layernas worker --evaluator training` process (tfjs trainer, default backend,
 * real MNIST) trains a tiny network, returns its validation accuracy and the path of its trained weights
 * under the worker's --output directory; a trial with malformed training options is JOB_INVALID, not retried.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openBullmqDispatcher } from '../../src/dispatch/bullmq.js';
import type { TrialRequest, TrialResult } from '../../src/dispatch/types.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { spawnWorker, stopProcess, type SpawnedWorker } from './bullmq-worker-process.js';

let srv: RedisServerHandle;
let out: string;
let worker: SpawnedWorker;
before(async () => {
  srv = await startRedisServer();
  out = mkdtempSync(path.join(tmpdir(), 'layernas-train-worker-'));
  worker = spawnWorker(srv.url, ['--queue', 'train', '--evaluator', 'training', '--trainer', 'tfjs', '--tfjs-backend', 'auto', '--output', out]);
  await worker.waitFor(/^ready /, 60_000);
});
after(async () => {
  await stopProcess(worker);
  await srv.stop();
  rmSync(out, { recursive: true, force: true });
});

const arch = 'in28x28x1/conv_k3_s2_c8_relu/ir_k3_s2_e2_c16/gap/fc_c10';
const overrides = { epochs: 1, batchSize: 32, trainSubset: 1280, validationSubset: 320, warmupSteps: 2, lr: 0.01, optimizer: 'adam' };

function request(n: number, options: Record<string, unknown>): TrialRequest {
  return { trialId: `train:${n}`, studyId: 'train', dna: [n], arch, evaluator: { kind: 'training', options }, attempt: 1 };
}

test('a worker trains a real network on MNIST for a trial and reports its accuracy and weights path', async () => {
  const d = await openBullmqDispatcher({ redisUrl: srv.url, queueName: 'train' });
  const results = new Map<string, TrialResult>();
  try {
    await d.submit([
      request(0, { dataset: 'mnist', setting: 'proxy', overrides }),
      request(1, { dataset: 'mnist', setting: 'turbo' }),
    ]);
    const timer = setTimeout(() => { void d.close(); }, 150_000);
    for await (const r of d.results()) {
      results.set(r.trialId, r);
      if (results.size === 2) break;
    }
    clearTimeout(timer);
  } finally {
    await d.close();
  }
  const ok = results.get('train:0');
  assert.ok(ok && ok.outcome.status === 'ok', JSON.stringify(ok));
  if (ok.outcome.status !== 'ok') return;
  assert.ok(ok.outcome.reward > 0.15 && ok.outcome.reward <= 1, `validation accuracy ${ok.outcome.reward} above chance (0.1) after 40 steps`);
  assert.equal(ok.outcome.metrics.val_acc, ok.outcome.reward);
  const weights = ok.outcome.artifacts?.weights;
  assert.ok(weights !== undefined && weights.startsWith(out), `weights under --output: ${weights}`);
  assert.ok(existsSync(weights) && readdirSync(weights).length > 0, `weights written at ${weights}`);
  const bad = results.get('train:1');
  assert.ok(bad && bad.outcome.status === 'failed', JSON.stringify(bad));
  if (bad.outcome.status !== 'failed') return;
  assert.equal(bad.outcome.error.code, 'JOB_INVALID');
  assert.equal(bad.attempts, 1);
});
