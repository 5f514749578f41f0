/**
 * Issue 19 items 3-5: run folders.
 *  - 3: two `design` runs on the same --out: the second gets RUN_LOCKED naming the holder's pid (a real second
 *    process holds the lock); a lock left by a process killed with SIGKILL is recovered.
 *  - 4: design study ids derive from the run's settings (two different runs sharing a queue never share trial ids).
 *  - 5: final.json stores the weights path relative to its folder; a moved run folder reads its own weights, never
 *    the original's (also for a final.json of an older version with an absolute path).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isLayernasError } from '../../src/core/errors.js';
import { acquireRunLock, LOCK_FILE } from '../../src/core/run-lock.js';
import { finalWeightsDir, readFinalWeights, trainFinal, type FinalModel } from '../../src/design/final-stage.js';
import { designStudyId } from '../../src/design/search-stage.js';
import { createDesignTrainer } from '../../src/design/trainer.js';
import { CLI, designProblem, quiet, ROOT, TABLE, TINY_PROXY } from './helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'layernas-run-folder-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A real other process that takes the lock on `dir`, prints "locked", then waits. */
function holder(dir: string): Promise<{ pid: number; kill: () => void }> {
  const code = `import { acquireRunLock } from ${JSON.stringify(path.join(ROOT, 'src/core/run-lock.ts'))}; acquireRunLock(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`;
  const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    p.stdout.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve({ pid: p.pid as number, kill: () => p.kill('SIGKILL') }); });
    p.on('exit', (c) => reject(new Error(`holder exited ${c}`)));
  });
}

const designArgs = (out: string, budget: string): string[] => ['--import', 'tsx', CLI, 'design', '--target', 'host-tflite-1t', '--space', 'mobile32', '--latency-ms', budget, '--latency-table', TABLE, '--trials', '1', '--out', out, '--quiet'];

describe('run folders', { timeout: 300_000 }, () => {
  it('a second design on a locked --out fails with RUN_LOCKED naming the holder pid; a SIGKILLed holder\'s lock is taken over', async () => {
    const out = path.join(work, 'locked');
    mkdirSync(out);
    const h = await holder(out);
    try {
      const r = spawnSync(process.execPath, designArgs(out, '0.0001'), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`error \\[RUN_LOCKED\\]: .*process ${h.pid}`));
      assert.throws(() => acquireRunLock(out), (e: unknown) => isLayernasError(e, 'RUN_LOCKED') && e.details.pid === h.pid);
    } finally {
      h.kill();
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(existsSync(path.join(out, LOCK_FILE)), 'the killed holder left its lock behind');
    // the same design now gets past the lock (and stops at the impossible budget: nothing trained)
    const r = spawnSync(process.execPath, designArgs(out, '0.0001'), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.match(r.stderr, /error \[BUDGET_IMPOSSIBLE\]/, r.stderr);
    assert.ok(!existsSync(path.join(out, LOCK_FILE)), 'released at the end of the run');
    const lock = acquireRunLock(out);
    lock.release();
  });

  it('design study ids derive from the run settings: different settings, different ids; same settings, same id', () => {
    const a = { target: 'host-tflite-1t', latencyMs: 0.15, seed: 0 };
    assert.notEqual(designStudyId('layernas', a), designStudyId('layernas', { ...a, latencyMs: 0.2 }));
    assert.notEqual(designStudyId('layernas', a), designStudyId('random', a));
    assert.equal(designStudyId('layernas', a), designStudyId('layernas', { seed: 0, latencyMs: 0.15, target: 'host-tflite-1t' }));
    assert.notEqual(designStudyId('layernas', a), 'design-layernas');
  });

  it('final.json stores a relative weights path; a moved run folder reads its own weights', async () => {
    const out = path.join(work, 'movable');
    const { problem, data } = await designProblem(out);
    const dna = problem.cheapest.dna;
    const model = await trainFinal({ problem, trainer: createDesignTrainer('pytorch', 1), data, recipe: TINY_PROXY, seed: 0, outDir: out, progress: quiet.stage('final') }, dna, 'm');
    const saved = JSON.parse(readFileSync(path.join(model.dir, 'final.json'), 'utf8')) as { weightsDir: string };
    assert.ok(!path.isAbsolute(saved.weightsDir), `weightsDir saved as ${saved.weightsDir}`);
    const moved = path.join(work, 'moved');
    renameSync(out, moved);
    const again = await trainFinal({ problem, trainer: createDesignTrainer('pytorch', 1), data, recipe: TINY_PROXY, seed: 0, outDir: moved, progress: quiet.stage('final') }, dna, 'm');
    assert.equal(again.trainedNow, false);
    assert.ok(finalWeightsDir(again).startsWith(moved + path.sep));
    const w = await readFinalWeights(again);
    assert.ok(w.tensors.size > 0);
    // an older final.json with an absolute path into a still existing original: read from the moved copy, not the original
    cpSync(moved, out, { recursive: true });
    const legacy: FinalModel = { ...again, result: { ...again.result, weightsDir: path.join(out, path.relative(moved, finalWeightsDir(again))) } };
    assert.ok(finalWeightsDir(legacy).startsWith(moved + path.sep), finalWeightsDir(legacy));
    writeFileSync(path.join(out, 'marker'), '');
  });
});
