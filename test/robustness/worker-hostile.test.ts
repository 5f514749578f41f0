/**
 * Issue 19 item 2: a training worker trusts no job. In process (the worker's evaluator, real tfjs training on MNIST):
 * a trial id `..` writes only inside the output folder; a dataset off the worker's allow-list, epochs 1e9 or images
 * beyond its caps are refused (JOB_INVALID) before anything is read or trained; a trial over the time limit is aborted
 * (TRIAL_TIMEOUT). As a real `layernas worker` process on a real redis-server: a second SIGTERM aborts a running
 * training promptly, and a worker whose Redis went away still stops on SIGTERM.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isLayernasError } from '../../src/core/errors.js';
import { openBullmqDispatcher } from '../../src/dispatch/bullmq.js';
import type { TrialRequest } from '../../src/dispatch/types.js';
import { TrainingWorkerEvaluator } from '../../src/eval/training-evaluator.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { spawnWorker } from '../dispatch/bullmq-worker-process.js';

const work = mkdtempSync(path.join(tmpdir(), 'layernas-worker-hostile-'));
after(() => rmSync(work, { recursive: true, force: true }));

const arch = 'in28x28x1/conv_k3_s2_c8_relu/ir_k3_s2_e2_c16/gap/fc_c10';
const small = { epochs: 1, batchSize: 32, trainSubset: 256, validationSubset: 64, warmupSteps: 2, lr: 0.01, optimizer: 'adam' };
const job = (trialId: string, options: Record<string, unknown>): TrialRequest => ({ trialId, studyId: 's', dna: [0], arch, evaluator: { kind: 'training', options }, attempt: 1 });

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('training worker evaluator: paths, datasets and limits from a job', { timeout: 300_000 }, () => {
  const sandbox = path.join(work, 'sandbox');
  const output = path.join(sandbox, 'output');
  mkdirSync(output, { recursive: true });
  const evaluator = new TrainingWorkerEvaluator({
    trainer: { kind: 'tfjs', backend: 'auto' }, outputRoot: output,
    limits: { datasets: ['mnist'], maxEpochs: 5, maxImages: 2000, timeoutMs: 120_000 },
  });
  const hurried = new TrainingWorkerEvaluator({
    trainer: { kind: 'tfjs', backend: 'auto' }, outputRoot: output,
    limits: { datasets: ['mnist'], maxEpochs: 5, maxImages: 2000, timeoutMs: 400 },
  });

  it("a trial id '..' (and '.', '../x', '/abs') writes only inside the output folder", async () => {
    for (const id of ['..', '.', '../x', '/abs/olute', '..\\..']) {
      const r = await evaluator.evaluate(job(id, { dataset: 'mnist', setting: 'proxy', overrides: small }));
      assert.ok(r.artifacts?.weights?.startsWith(output + path.sep), `${id}: weights at ${r.artifacts?.weights}`);
    }
    assert.deepEqual(readdirSync(sandbox), ['output'], 'nothing next to the output folder');
    assert.ok(!existsSync('/abs'));
  });

  it('a dataset that is not on the allow-list is refused before it is read', async () => {
    for (const dataset of ['idx:/etc', 'folder:/', `idx:${path.join(work, 'x')}`, 'fashion-mnist', 'fashion-mnist:/etc', 'idx:/etc/../etc']) {
      await assert.rejects(evaluator.evaluate(job('d', { dataset, setting: 'proxy', overrides: small })), (e: unknown) => isLayernasError(e, 'JOB_INVALID') && /allow-list/.test(e.message), dataset);
    }
  });

  it('epochs, images and other numbers beyond the caps are refused; a trial over the time limit is aborted', async () => {
    for (const overrides of [{ ...small, epochs: 1e9 }, { ...small, epochs: 6 }, { ...small, trainSubset: 50_000 }, { ...small, lr: 1e300 }, { ...small, batchSize: 1e12 }, { ...small, seed: 1e300 }]) {
      await assert.rejects(evaluator.evaluate(job('n', { dataset: 'mnist', setting: 'proxy', overrides })), (e: unknown) => isLayernasError(e, 'JOB_INVALID'), JSON.stringify(overrides));
    }
    const t0 = Date.now();
    await assert.rejects(hurried.evaluate(job('slow', { dataset: 'mnist', setting: 'proxy', overrides: { ...small, epochs: 5, trainSubset: 2000 } })),
      (e: unknown) => isLayernasError(e, 'TRIAL_TIMEOUT') && e.details.reason === 'timeout');
    assert.ok(Date.now() - t0 < 15_000, `aborted after ${Date.now() - t0} ms (limit 400)`);
  });
});

describe('layernas worker process and signals', { timeout: 300_000 }, () => {
  it('a second SIGTERM aborts a running training promptly', async () => {
    const srv = await startRedisServer();
    const out = path.join(work, 'sig-out');
    const w = spawnWorker(srv.url, ['--queue', 'sig', '--evaluator', 'training', '--trainer', 'tfjs', '--output', out, '--allow-dataset', 'mnist']);
    try {
      await w.waitFor(/^ready /, 60_000);
      const d = await openBullmqDispatcher({ redisUrl: srv.url, queueName: 'sig' });
      await d.submit([job('sig:1', { dataset: 'mnist', setting: 'proxy', overrides: { ...small, epochs: 40, trainSubset: 20000 } })]);
      await w.waitFor(/^start sig:1/, 60_000);
      await new Promise((r) => setTimeout(r, 1500));
      w.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      w.proc.kill('SIGTERM');
      const code = await Promise.race([w.exited, new Promise<string>((r) => setTimeout(() => r('alive'), 10_000))]);
      assert.notEqual(code, 'alive', `worker still alive 10 s after the second SIGTERM:\n${w.lines.join('\n')}`);
      assert.ok(Date.now() - t0 < 10_000);
      await d.close();
    } finally {
      w.proc.kill('SIGKILL');
      await srv.stop();
    }
  });

  it('a worker whose Redis went away still stops on SIGTERM', async () => {
    const srv = await startRedisServer();
    const w = spawnWorker(srv.url, ['--queue', 'gone', '--evaluator', 'nb201']);
    try {
      await w.waitFor(/^ready /, 60_000);
      await srv.stop();
      await new Promise((r) => setTimeout(r, 1500));
      w.proc.kill('SIGTERM');
      const code = await Promise.race([w.exited, new Promise<string>((r) => setTimeout(() => r('alive'), 15_000))]);
      assert.notEqual(code, 'alive', `worker ignored SIGTERM with Redis gone:\n${w.lines.join('\n')}`);
    } finally {
      w.proc.kill('SIGKILL');
    }
  });
});

export { listFiles };
