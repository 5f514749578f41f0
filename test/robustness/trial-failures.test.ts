/**
 * Issue 19 item 1: a trainer failure in design's search carries a typed, recorded reason. A failure caused by the
 * environment (full disk, unwritable folder, SIGKILL as from the OOM killer, timeout, a crash) stops the search with
 * everything journaled and is trained again on resume; only the candidate's own failure (exit 3) stays failed.
 * Real design search stage (LayerNAS, mobile32 priced by the fixture table), real PyTorch trainer behind a fault
 * injector (test/robustness/fixtures/flaky_trainer.py: real ENOSPC from /dev/full, real EPERM from an immutable folder).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isLayernasError } from '../../src/core/errors.js';
import { ProxyTrainingEvaluator, runSearchStage } from '../../src/design/search-stage.js';
import { ExternalTrainer } from '../../src/train/external.js';
import type { JournalEvent } from '../../src/study/journal.js';
import { designProblem, FLAKY, quiet, TINY_PROXY } from './helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'layernas-trial-failures-'));
after(() => rmSync(work, { recursive: true, force: true }));

function flakyTrainer(dir: string, plan: Record<string, string>, timeoutMs = 120_000): ExternalTrainer {
  const faults = JSON.stringify({ counter: path.join(dir, `calls-${Object.keys(plan).join('-')}-${Math.random()}`), plan });
  return new ExternalTrainer({ name: 'flaky', command: ['/usr/bin/python3', FLAKY], timeoutMs, env: { LAYERNAS_FAULTS: faults, LAYERNAS_THREADS: '1' } });
}

async function search(out: string, plan: Record<string, string>, trials = 3, timeoutMs?: number) {
  const { problem, data } = await designProblem(out);
  const evaluator = new ProxyTrainingEvaluator(problem, flakyTrainer(out, plan, timeoutMs), data, TINY_PROXY, 0, 1, path.join(out, 'search', 'scratch'));
  return runSearchStage({ algorithm: 'layernas', problem, evaluator, trials, parallel: 1, seed: 0, outDir: out, settings: { test: 'trial-failures' }, progress: quiet.stage('search') });
}

function results(out: string): Extract<JournalEvent, { type: 'result' }>[] {
  return readFileSync(path.join(out, 'search', 'layernas.journal.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JournalEvent).filter((e): e is Extract<JournalEvent, { type: 'result' }> => e.type === 'result');
}

describe('trainer failures in the design search', { timeout: 600_000 }, () => {
  it('a full disk fails the trial with reason disk-full and a message naming the disk; the rerun trains it again and nothing twice', async () => {
    const out = path.join(work, 'disk');
    await assert.rejects(search(out, { '1': 'enospc' }), (e: unknown) => {
      assert.ok(isLayernasError(e, 'TRAINER_FAILED'), String(e));
      assert.equal(e.details.reason, 'disk-full');
      assert.match(e.message, /disk is full/);
      assert.match(e.message, /rerun the same command/);
      return true;
    });
    const first = results(out);
    assert.deepEqual(first.map((r) => [r.trial, r.status, r.error?.reason]), [[0, 'ok', undefined], [1, 'failed', 'disk-full']]);
    const resumed = await search(out, {});
    assert.equal(resumed.trialsUsed, 3);
    assert.equal(resumed.evaluatedThisRun, 2, 'trial 1 trained again, trial 0 not');
    const oks = results(out).filter((r) => r.status === 'ok').map((r) => r.trial);
    assert.deepEqual(oks, [0, 1, 2], 'each trial succeeded exactly once');
    assert.ok(resumed.trials.every((t) => t.status === 'ok'));
  });

  it('SIGKILL (as the OOM killer does), a timeout and an unwritable folder are transient with their own reasons', async () => {
    for (const [mode, reason, timeoutMs] of [['sigkill', 'killed', undefined], ['hang', 'timeout', 8000], ['unwritable', 'unwritable', undefined], ['exit1', 'environment', undefined]] as const) {
      const out = path.join(work, mode);
      await assert.rejects(search(out, { '0': mode }, 2, timeoutMs), (e: unknown) => isLayernasError(e, 'TRAINER_FAILED') && e.details.reason === reason, mode);
      assert.equal(results(out)[0]?.error?.reason, reason, mode);
    }
    // and the unwritable one resumes once the folder is writable again
    const resumed = await search(path.join(work, 'unwritable'), {}, 2);
    assert.equal(resumed.evaluatedThisRun, 2);
  });

  it("the candidate's own failure (trainer exit 3) is final: the search goes on, and a rerun does not train it again", async () => {
    const out = path.join(work, 'candidate');
    const r = await search(out, { '1': 'candidate' }, 3);
    assert.equal(r.trials[1]?.status, 'failed');
    assert.equal(results(out)[1]?.error?.reason, 'candidate');
    assert.ok(r.trials.filter((t) => t.status === 'ok').length >= 1);
    const again = await search(out, {}, 3);
    assert.equal(again.evaluatedThisRun, 0);
    assert.equal(again.trials[1]?.status, 'failed');
  });
});
