/**
 * End-to-end `layernas design` on the real pieces (host TFLite target, Fashion-MNIST, the PyTorch reference trainer,
 * real TFLite/ONNX runtimes, headless Chromium) with a tiny job: 2 search trials on 128 images, one final training
 * on 1,024 images (validated on 200, tested on the first 500 test images), agreement on 200 test images. The space is priced with a shipped latency table fixture
 * (test/design/fixtures: mobile32 measured on this class of machine by `layernas profile`), so no profiling runs here.
 *  - a budget below the cheapest architecture is refused with BUDGET_IMPOSSIBLE before any training; the message
 *    names the cheapest latency;
 *  - the CLI is killed with SIGKILL after the first search trial is journaled, then rerun: it resumes, finishes,
 *    and writes every output; a third run trains nothing and ends with the same winner;
 *  - the winner's predicted latency meets the budget; the exported files exist and agree with the trained model;
 *  - report.html renders in headless Chromium to a non-blank screenshot.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { manifestSchema } from '../../src/export/manifest.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const work = mkdtempSync(path.join(tmpdir(), 'layernas-design-test-'));
const live = new Set<ReturnType<typeof spawn>>();
after(() => {
  for (const c of live) killGroup(c); // a timed-out test leaves no design (or trainer) running
  rmSync(work, { recursive: true, force: true });
});

/** mobile32 on host-tflite-1t, measured by `layernas profile` (a fixture: the test needs a table, not today's timings) */
const TABLE = path.join(ROOT, 'test', 'design', 'fixtures', 'host-tflite-1t-mobile32-32.json');
/** about 3x the fixture's cheapest architecture: LayerNAS has choices, some blocks do not fit */
const BUDGET_MS = 0.15;

const tinyJob = (out: string, budgetMs: number): string[] => [
  'design', '--target', 'host-tflite-1t', '--space', 'mobile32', '--dataset', 'fashion-mnist', '--latency-ms', String(budgetMs),
  '--trials', '2', '--trainer', 'pytorch', '--proxy-images', '128', '--proxy-val-images', '100', '--full-epochs', '1', '--full-images', '1024', '--full-val-images', '200', '--test-images', '500',
  '--agreement-images', '200', '--calibration-images', '32', '--profile-rounds', '2', '--out', out, '--json', '--latency-table', TABLE,
];

/**
 * Verification measures the deployed file on this shared machine (prediction within ±10%, within the budget): it
 * may fail here. Either way every output is written; a pass exits 0, a failure exits 1 (VERIFY_FAILED) naming each
 * failed check.
 */
function verdictExit(run: { code: number | null; stderr: string }, r: { verifyPassed: boolean; verifyFailures: string[] }): void {
  if (r.verifyPassed) {
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    assert.deepEqual(r.verifyFailures, []);
  } else {
    assert.equal(run.code, 1, run.stderr.slice(-3000));
    assert.ok(r.verifyFailures.length > 0, 'a failed verification names its failed checks');
    assert.match(run.stderr, /VERIFY_FAILED/);
    for (const f of r.verifyFailures) assert.match(f, / FAILED: .*(allowed|budget|required)/);
  }
}

/** SIGKILL the CLI and everything it started (its trainer processes): what `kill -9` of the whole job does. */
function killGroup(child: ReturnType<typeof spawn>): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs the CLI; with `killWhen`, SIGKILLs it as soon as the predicate holds (checked every 200 ms). */
function runCli(args: string[], killWhen?: () => boolean): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killWhen ? setInterval(() => { if (killWhen()) killGroup(child); }, 200) : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const journalResults = (out: string): number => {
  const f = path.join(out, 'search', 'layernas.journal.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"type":"result"')).length : 0;
};

describe('layernas design (end to end, tiny job)', { timeout: 300_000 }, () => {
  const out = path.join(work, 'run');
  const refusedOut = path.join(work, 'refused');
  const budgetMs = BUDGET_MS;

  it('refuses a budget below the cheapest architecture before any training, naming the cheapest latency', async () => {
    const r = await runCli(tinyJob(refusedOut, 0.001));
    assert.equal(r.code, 2, r.stderr.slice(-2000));
    const m = /error \[BUDGET_IMPOSSIBLE\]: latency budget 0\.001 ms on host-tflite-1t is below the cheapest architecture of space mobile32: (\d+\.\d+) ms predicted/.exec(r.stderr);
    assert.ok(m, r.stderr.slice(-2000));
    const cheapest = Number(m[1]);
    assert.ok(cheapest > 0.001 && cheapest < BUDGET_MS, `cheapest ${cheapest} ms`);
    assert.equal(existsSync(path.join(refusedOut, 'search')), false, 'no search (no training) was started');
    assert.equal(existsSync(path.join(refusedOut, 'latency')), false, 'the given table covers the space: nothing was profiled');
  });

  it('is killed during the search, resumes, and writes a verified model, summary and report', async () => {
    const killed = await runCli(tinyJob(out, budgetMs), () => journalResults(out) >= 1);
    assert.equal(killed.signal, 'SIGKILL', `the first run should be killed mid-search:\n${killed.stderr.slice(-2000)}`);
    assert.equal(journalResults(out), 1, 'exactly one trial was journaled before the kill');

    const resumed = await runCli(tinyJob(out, budgetMs));
    const r = JSON.parse(resumed.stdout) as { trainedNow: { proxy: number; full: number }; winner: { predictedLatencyMs: number; dna: number[]; testAccuracy: number }; summary: string; report: string; modelDir: string; verifyPassed: boolean; verifyFailures: string[] };
    verdictExit(resumed, r);
    assert.equal(r.trainedNow.proxy, 1, 'the resumed run trains only the trial that had not finished');
    assert.equal(r.trainedNow.full, 1);
    assert.ok(r.winner.testAccuracy > 0.2, `the trained winner predicts one class (test accuracy ${r.winner.testAccuracy}): BN recalibration missing?`);
    assert.ok(r.winner.predictedLatencyMs <= budgetMs, `winner ${r.winner.predictedLatencyMs} ms is over the ${budgetMs} ms budget`);
    for (const f of ['model_float32.tflite', 'model_int8.tflite', 'model.onnx', 'manifest.json', 'weights.json', 'weights.bin']) {
      assert.ok(existsSync(path.join(r.modelDir, f)), `missing ${f}`);
    }
    // the one manifest flavour: the design's export is `layernas export`'s (src/export/manifest.ts), every model checked
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(path.join(r.modelDir, 'manifest.json'), 'utf8')));
    assert.deepEqual(manifest.models.map((m) => `${m.path} ${m.format}-${m.precision}`).sort(), ['model.onnx onnx-float32', 'model_float32.tflite tflite-float32', 'model_int8.tflite tflite-int8']);
    for (const m of manifest.models) assert.ok(m.parity !== null, `${m.path} was checked against the reference forward pass`);
    const summary = JSON.parse(readFileSync(r.summary, 'utf8')) as { files: { format: string; testAgreement: number }[]; latency: { measuredMedianMs: number | null; predictedMs: number | null }[]; trials: unknown[] };
    assert.equal(summary.trials.length, 2);
    const byFormat = new Map(summary.files.map((f) => [f.format, f.testAgreement]));
    assert.ok((byFormat.get('tflite-float32') ?? 0) >= 0.995, `float TFLite agreement ${byFormat.get('tflite-float32')}`);
    assert.ok((byFormat.get('onnx-float32') ?? 0) >= 0.995, `ONNX agreement ${byFormat.get('onnx-float32')}`);
    assert.ok((byFormat.get('tflite-int8') ?? 0) >= 0.9, `int8 agreement ${byFormat.get('tflite-int8')}`);
    const measured = summary.latency[0];
    assert.ok(measured && measured.measuredMedianMs !== null && measured.measuredMedianMs > 0, 'the host target was measured');

    const again = await runCli(tinyJob(out, budgetMs));
    const r2 = JSON.parse(again.stdout) as typeof r;
    verdictExit(again, r2);
    assert.equal(r2.verifyPassed, r.verifyPassed, 'the rerun reuses the verification');
    assert.deepEqual(r2.trainedNow, { proxy: 0, full: 0 }, 'a finished design trains nothing when rerun');
    assert.deepEqual(r2.winner.dna, r.winner.dna, 'same winner');
  });

  it('renders report.html in headless Chromium to a non-blank screenshot', () => {
    const report = path.join(out, 'report.html');
    assert.ok(existsSync(report), 'report.html from the first test');
    const html = readFileSync(report, 'utf8');
    assert.doesNotMatch(html, /(src|href)="https?:/, 'the report loads nothing from the network');
    const png = path.join(work, 'report.png');
    const profile = mkdtempSync(path.join(tmpdir(), 'layernas-chromium-'));
    const res = spawnSync('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--window-size=1200,1800', `--screenshot=${png}`, pathToFileURL(report).href], { timeout: 60_000 });
    rmSync(profile, { recursive: true, force: true });
    assert.ok(existsSync(png), `chromium wrote no screenshot: ${res.stderr?.toString().slice(-1000)}`);
    const img = PNG.sync.read(readFileSync(png));
    const colours = new Set<number>();
    let nonWhite = 0;
    for (let i = 0; i < img.data.length; i += 4) {
      const rgb = ((img.data[i] as number) << 16) | ((img.data[i + 1] as number) << 8) | (img.data[i + 2] as number);
      colours.add(rgb);
      if (rgb !== 0xffffff) nonWhite++;
    }
    assert.ok(nonWhite / (img.width * img.height) > 0.01, `screenshot is blank (${nonWhite} non-white pixels)`);
    assert.ok(colours.size > 20, `screenshot has only ${colours.size} colours`);
  });
});
