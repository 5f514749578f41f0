/**
 * `design` and `layernas verify` give the same verdict on the same folder (issue 20): one tiny design run
 * (Fashion-MNIST, PyTorch trainer, 1 search trial, 2 final epochs on 2,048 images), priced with the shipped mobile32
 * fixture table scaled x3 (a deliberately wrong table: every prediction ~3x the host's real latency), then:
 *  - passing folder: --tolerance 400 and a 5 ms budget: the prediction error (about -80%) and the measured latency are
 *    far inside both thresholds whatever the shared machine's speed, so the verdict does not depend on its load;
 *  - failing folder: the same run again with the default tolerance (10%): the latency check fails in both paths.
 * Each time `layernas verify <run>` is run on the folder with no flags (target, budget, tolerance and the table the
 * design priced with come from the run) and must give the same checks (names, thresholds, rules, pass/fail), the
 * same failed checks, the same verdict and the same exit code (0 / 1 with VERIFY_FAILED) as the design.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const FIXTURE = path.join(ROOT, 'test', 'design', 'fixtures', 'host-tflite-1t-mobile32-32.json');
const work = mkdtempSync(path.join(tmpdir(), 'layernas-verdict-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Run { code: number | null; stdout: string; stderr: string }

function runCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** the fixture with every timing x factor (a wrong table on purpose: predictions far from the measured latency) */
function scaledTable(factor: number): string {
  const t = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  const scale = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(scale);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'metadata' ? x : /(_ms|ms)$/i.test(k) && typeof x === 'number' ? x * factor : scale(x)]));
    return v;
  };
  const file = path.join(work, path.basename(FIXTURE));
  writeFileSync(file, JSON.stringify(scale(t)));
  return file;
}

const designArgs = (out: string, table: string, tolerance: number | null): string[] => [
  'design', '--target', 'host-tflite-1t', '--space', 'mobile32', '--dataset', 'fashion-mnist', '--latency-ms', '5',
  '--trials', '1', '--trainer', 'pytorch', '--proxy-images', '128', '--proxy-val-images', '100', '--full-epochs', '2', '--full-images', '2048',
  '--full-val-images', '100', '--test-images', '200', '--agreement-images', '200', '--calibration-images', '32',
  '--out', out, '--json', '--latency-table', table, ...(tolerance !== null ? ['--tolerance', String(tolerance)] : []),
];

interface Check { name: string; passed: boolean; value: number; threshold: number; rule: string; unit: string }
interface Verdict { code: number | null; passed: boolean; failedNames: string[]; checks: Check[] }

function designVerdict(run: Run, out: string): Verdict {
  const stage = JSON.parse(readFileSync(path.join(out, 'stages', 'verify.json'), 'utf8')) as { checks: Check[]; passed: boolean };
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { verifyPassed: boolean; checks: { name: string; passed: boolean }[] };
  assert.equal(summary.verifyPassed, stage.passed, 'summary.json and the verify stage agree');
  return { code: run.code, passed: stage.passed, failedNames: stage.checks.filter((c) => !c.passed).map((c) => c.name).sort(), checks: stage.checks };
}

function verifyVerdict(run: Run): Verdict {
  const r = JSON.parse(run.stdout) as { passed: boolean; full: { checks: Check[]; passed: boolean } | null };
  assert.ok(r.full, `verify ran the full verification: ${run.stderr.slice(-2000)}`);
  assert.equal(r.passed, r.full.passed);
  return { code: run.code, passed: r.passed, failedNames: r.full.checks.filter((c) => !c.passed).map((c) => c.name).sort(), checks: r.full.checks };
}

/** same verdict: exit code, pass/fail, failed check names, and every check's name, rule, unit, threshold and outcome */
function assertSameVerdict(d: Verdict, v: Verdict): void {
  const shape = (x: Verdict): string[] => x.checks.map((c) => `${c.name} ${c.rule} ${c.threshold} ${c.unit}: ${c.passed ? 'ok' : 'FAILED'}`).sort();
  assert.deepEqual(shape(v), shape(d));
  assert.deepEqual(v.failedNames, d.failedNames);
  assert.equal(v.passed, d.passed);
  assert.equal(v.code, d.code);
  // the deterministic values (agreement shares, output differences) are the same numbers; latency is measured twice
  const byName = new Map(d.checks.map((c) => [c.name, c]));
  for (const c of v.checks) {
    const dc = byName.get(c.name) as Check;
    if (c.unit === 'share') assert.equal(c.value, dc.value, c.name);
    else if (c.unit === 'relative') assert.ok(Math.abs(c.value - dc.value) <= 1e-6, `${c.name}: ${c.value} vs ${dc.value}`);
  }
}

describe('design and layernas verify: one verdict on the same folder', { timeout: 600_000 }, () => {
  const out = path.join(work, 'run');
  const table = scaledTable(3);

  it('a passing folder: both pass, both exit 0, with the same checks', async () => {
    const design = await runCli(designArgs(out, table, 400));
    const d = designVerdict(design, out);
    assert.equal(d.passed, true, `the design run should pass: ${design.stderr.slice(-3000)}`);
    assert.equal(design.code, 0);
    assert.ok(d.checks.some((c) => c.name === 'latency vs prediction' && c.threshold === 400));
    assert.ok(d.checks.some((c) => c.name === 'latency vs budget' && c.threshold === 5));
    assert.ok(d.checks.some((c) => c.name.startsWith('test agreement')));
    const verify = await runCli(['verify', out, '--json']);
    assertSameVerdict(d, verifyVerdict(verify));
  });

  it('a failing folder (prediction off by more than the 10% tolerance): both fail the same checks, both exit 1', async () => {
    const design = await runCli(designArgs(out, table, null));
    const d = designVerdict(design, out);
    assert.equal(d.passed, false);
    assert.equal(design.code, 1, design.stderr.slice(-3000));
    assert.match(design.stderr, /VERIFY_FAILED/);
    assert.ok(d.failedNames.includes('latency vs prediction'), d.failedNames.join(', '));
    const verify = await runCli(['verify', out, '--json']);
    assert.match(verify.stderr, /VERIFY_FAILED/);
    assertSameVerdict(d, verifyVerdict(verify));
  });
});
