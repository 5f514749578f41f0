/**
 * Phone kits end to end, with a STAND-IN phone (test/fixtures/android/phone-standin: an adb stand-in that answers
 * benchmark_model calls in the recorded v2.15 output layout with fake timings; no phone is attached here):
 * `profile --kit` -> the kit's run.sh against the stand-in -> `profile --ingest` -> `design --target` the new phone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { walkShapes } from '../../src/arch/shapes.js';
import { parseNetwork } from '../../src/arch/grammar.js';
import { predictLatency } from '../../src/cost/latency-predictor.js';
import { loadTable } from '../../src/cost/latency-table.js';
import { parseKitResults } from '../../src/profile/kit-ingest.js';
import { repoRoot } from '../../src/space/load.js';

const ROOT = repoRoot();
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const STANDIN = path.join(ROOT, 'test', 'fixtures', 'android', 'phone-standin');
const work = mkdtempSync(path.join(tmpdir(), 'layernas-kit-'));
after(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runKit(dir: string, phoneDir: string, env: Record<string, string> = {}): { code: number | null; stderr: string } {
  const r = spawnSync('bash', [path.join(dir, 'run.sh')], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, ADB: STANDIN, PHONE_STANDIN_DIR: phoneDir, COOLDOWN_S: '0', ...env } });
  return { code: r.status, stderr: r.stderr };
}

/** the stand-in phone's target; `adb`: what design and verify call (the kit's run.sh calls $ADB) */
function phoneTarget(name = 'standin-phone', threads = 1, adb = 'adb'): string {
  const bin = path.join(work, 'android_aarch64_benchmark_model');
  writeFileSync(bin, 'stand-in: never executed, only pushed to the stand-in phone\n');
  const file = path.join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    id: 'standin-phone', device: 'stand-in phone (test double with fake timings)',
    runtime: { name: 'tflite', version: 'benchmark_model 2.15 (stand-in)' }, precision: 'float32', threads, input: { height: 32, width: 32, channels: 3 },
    measure: { method: 'android-adb', adb, serial: 'STANDIN0001', benchmarkModel: bin, warmupRuns: 2, runs: 10 }, latencyTables: [],
  }));
  return file;
}

const DESIGN_SMALL = ['--dataset', 'fashion-mnist', '--trials', '2', '--trainer', 'pytorch', '--proxy-images', '128', '--proxy-val-images', '100', '--full-epochs', '1', '--full-images', '256',
  '--full-val-images', '100', '--test-images', '100', '--agreement-images', '50', '--calibration-images', '8', '--quiet'];

describe('phone kit with a stand-in phone', { timeout: 600_000 }, () => {
  const target = phoneTarget();

  it('--kit -> stand-in phone -> --ingest -> design --target the new phone', () => {
    const kit = path.join(work, 'kit');
    const made = cli(['profile', '--target', target, '--space', 'spaces/mobile32.json', '--kit', kit, '--calibrate', '3', '--calibrate-span', '2', '--rounds', '1', '--cooldown', '0', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const manifest = JSON.parse(readFileSync(path.join(kit, 'kit.json'), 'utf8')) as { models: { file: string; kind: string }[] };
    const kinds = new Set(manifest.models.map((m) => m.kind));
    assert.deepEqual([...kinds].sort(), ['anchor', 'block', 'e2e', 'fixed']);
    const script = readFileSync(path.join(kit, 'run.sh'), 'utf8');
    assert.match(script, /taskset "\$CPU_MASK"/);
    assert.match(script, /--warmup_runs=\$WARMUP_RUNS/);
    assert.match(readFileSync(path.join(kit, 'README.md'), 'utf8'), /android_aarch64_benchmark_model/);

    // ingest before the phone ran anything: a clear error, nothing written
    const early = cli(['profile', '--ingest', kit]);
    assert.equal(early.code, 2);
    assert.match(early.stderr, /KIT_INVALID.*results\.txt does not exist/);

    // one model fails on the phone the first time: run.sh goes on, and a rerun retries only what is missing
    const phone = path.join(work, 'phone');
    const failing = path.basename(manifest.models.find((m) => m.kind === 'block')?.file ?? '');
    const first = runKit(kit, phone, { PHONE_STANDIN_FAIL_ONCE: failing });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`benchmark_model failed on models/${failing}`));
    const partial = cli(['profile', '--ingest', kit]);
    assert.equal(partial.code, 2);
    assert.match(partial.stderr, /no successful result for 1 of/);
    const callsBefore = Number(readFileSync(path.join(phone, '.calls'), 'utf8'));
    const second = runKit(kit, phone);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(Number(readFileSync(path.join(phone, '.calls'), 'utf8')) - callsBefore, 2, 'the rerun times only the failed model and its anchor');

    const tableFile = path.join(work, 'standin-phone-mobile32-32.json');
    const ingested = cli(['profile', '--ingest', kit, '--out', tableFile, '--json']);
    assert.equal(ingested.code, 0, ingested.stderr);
    const table = loadTable(tableFile);
    assert.match(table.data.metadata.method, /phone kit/);
    assert.equal(table.data.metadata.device, 'stand-in phone (test double with fake timings)');
    // the calibration networks are predicted by the table within 10% of what the phone measured (median of the rounds)
    const calls = parseKitResults(readFileSync(path.join(kit, 'results.txt'), 'utf8'), 'results.txt');
    const e2e = manifest.models.filter((m) => m.kind === 'e2e');
    assert.ok(e2e.length >= 4);
    const anchorArch = (JSON.parse(readFileSync(path.join(kit, 'kit.json'), 'utf8')) as { anchor: string }).anchor;
    const anchorPred = predictLatency(walkShapes(parseNetwork(anchorArch)), table).total_ms;
    assert.ok(Math.abs(anchorPred / (table.data.metadata.anchor?.median_ms ?? NaN) - 1) < 0.15, `anchor predicted ${anchorPred} vs measured ${table.data.metadata.anchor?.median_ms}`);
    assert.ok(calls.filter((c) => c.role === 'model').length >= manifest.models.length - 1);

    const budget = 1.1 * (table.data.metadata.anchor?.median_ms ?? NaN);
    const out = path.join(work, 'design');
    // design reaches the same stand-in phone (its adb is the stand-in): the deployed file is measured there
    const onPhone = phoneTarget('standin-phone-reached', 1, STANDIN);
    const d = cli(['design', '--target', onPhone, '--space', 'mobile32', '--dataset', 'fashion-mnist', '--latency-ms', budget.toFixed(3), '--trials', '2', '--trainer', 'pytorch',
      '--proxy-images', '128', '--proxy-val-images', '100', '--full-epochs', '1', '--full-images', '256', '--full-val-images', '100', '--test-images', '100',
      '--agreement-images', '50', '--calibration-images', '8', '--out', out, '--quiet', '--latency-table', tableFile], { PHONE_STANDIN_DIR: phone });
    assert.equal(d.code === 0 || d.code === 1, true, d.stderr.slice(-3000)); // 1: verify (agreement of a 1-epoch int8 model) may fail
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { finals: { role: string; predictedLatencyMs: number }[]; notes: string[]; latency: { target: string; measuredMedianMs: number | null; errorPct: number | null; note?: string }[] };
    const winner = summary.finals.find((f) => f.role === 'winner');
    assert.ok(winner && winner.predictedLatencyMs <= budget, `winner ${winner?.predictedLatencyMs} ms > budget ${budget}`);
    assert.ok(summary.notes.some((n) => n.includes(tableFile)), summary.notes.join('\n'));
    assert.equal(summary.latency[0]?.target, 'standin-phone');
    // the deployed file was run on the (stand-in) phone right after the table's speed anchor in each of 10 rounds,
    // and judged at the table's speed: the stand-in's speed drifts +-8% over the session, as a warm phone's does
    const row = summary.latency[0] ?? { measuredMedianMs: null, errorPct: null };
    assert.ok((row.measuredMedianMs ?? 0) > 0, JSON.stringify(row));
    assert.ok(Number.isFinite(row.errorPct), JSON.stringify(row));
    assert.match(row.note ?? '', /deployed file model_float32\.tflite; budget .*the phone ran at [\d.]+x the table's speed \(speed anchor\), the model at the table's speed [\d.]+ ms/);
    // `layernas verify <run>` later, on the same phone: the same measurement, the anchor timed beside the model
    const v = cli(['verify', out, '--json'], { PHONE_STANDIN_DIR: phone });
    assert.ok(v.code === 0 || v.code === 1, v.stderr.slice(-2000));
    const report = JSON.parse(v.stdout) as { full: { speed: { ratio: number; applied: boolean } | null; measured: { median_ms: number }; modelFile: string } };
    assert.match(report.full.modelFile, /model_float32\.tflite$/);
    assert.ok(report.full.speed && report.full.speed.applied && report.full.speed.ratio > 0.8 && report.full.speed.ratio < 1.25, JSON.stringify(report.full.speed));
    assert.ok(report.full.measured.median_ms > 0);
  });

  it('few-shot kit: --from the Pixel 3 and RPi4 FBNet tables --networks 10 --kit -> stand-in -> --ingest -> design --target (finalists measured on the phone)', () => {
    const kit = path.join(work, 'kit-fewshot');
    // design reaches this phone through test/fixtures/android/adb-standin (recorded benchmark_model output, 2 threads)
    const reachable = phoneTarget('standin-phone-2t', 2, path.join(ROOT, 'test', 'fixtures', 'android', 'adb-standin'));
    const made = cli(['profile', '--target', reachable, '--space', 'fbnet', '--from', 'pixel3-tflite,raspi4-tflite', '--networks', '10', '--kit', kit, '--rounds', '1', '--cooldown', '0']);
    assert.equal(made.code, 0, made.stderr);
    const manifest = JSON.parse(readFileSync(path.join(kit, 'kit.json'), 'utf8')) as { mode: string; models: { kind: string }[] };
    assert.equal(manifest.mode, 'fewshot');
    assert.equal(manifest.models.filter((m) => m.kind === 'e2e').length, 10);
    const ran = runKit(kit, path.join(work, 'phone-fewshot'));
    assert.equal(ran.code, 0, ran.stderr);
    const tableFile = path.join(work, 'fewshot.json');
    const r = cli(['profile', '--ingest', kit, '--out', tableFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /few-shot estimate, leave-one-out error/);
    const t = loadTable(tableFile);
    assert.equal(t.data.metadata.fewshot?.networks, 10);
    assert.deepEqual(t.data.metadata.fewshot?.sources, ['pixel3-tflite', 'raspi4-tflite']);
    assert.equal(t.data.metadata.fewshot?.measured.length, 10);
    assert.match(t.data.metadata.method, /^few-shot estimate/);
    // the networks were scaled to the anchor timed beside each of them: the table says which anchor, at what speed
    const kitAnchor = (JSON.parse(readFileSync(path.join(kit, 'kit.json'), 'utf8')) as { anchor: string }).anchor;
    assert.equal(t.data.metadata.anchor?.arch, kitAnchor);
    assert.equal(t.data.metadata.anchor?.batches, 10);
    assert.ok((t.data.metadata.anchor?.median_ms ?? 0) > 0);

    const design = (out: string, env: Record<string, string>) => {
      const d = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'design', '--target', reachable, '--space', 'fbnet', '--latency-ms', '120', '--latency-table', tableFile, '--out', out, ...DESIGN_SMALL],
        { cwd: ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, ADB_STANDIN_OUTPUT: path.join(ROOT, 'test', 'fixtures', 'android', 'benchmark_model-v2.15-xnnpack.txt'), ...env } });
      assert.equal(d.status === 0 || d.status === 1, true, d.stderr.slice(-3000)); // 1: verify of a 1-epoch int8 model may fail
      return JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { notes: string[]; latency: { target: string; measuredMedianMs: number | null; errorPct: number | null; note?: string }[] };
    };
    const reached = design(path.join(work, 'design-fewshot'), {});
    assert.ok(reached.notes.some((n) => /^few-shot estimate: the table was fitted from pixel3-tflite, raspi4-tflite and 10 networks/.test(n)), reached.notes.join('\n'));
    // the stand-in times every model at 17.788 ms, far from the kit's estimate: the design refines the table with that
    // measurement (src/design/refine-stage.ts) and the final confirmation takes it from the run, not from the phone again
    assert.ok(reached.notes.some((n) => /^few-shot table refined \(round 1\): .*measured 17\.788 ms/.test(n)), reached.notes.join('\n'));
    assert.ok(reached.notes.some((n) => /predicted [\d.]+ ms, measured 17\.788 ms(; measured earlier in this run)? on standin-phone \(within the 120 ms budget\)/.test(n)), reached.notes.join('\n'));
    assert.match(readFileSync(path.join(work, 'design-fewshot', 'report.html'), 'utf8'), /few-shot estimate/);
    // the deployed file itself is measured on the phone, right after the table's speed anchor in every round (the
    // stand-in answers 17.788 ms for both, so the model at the table's speed is the anchor's median in the table)
    const row = reached.latency[0];
    assert.equal(row?.target, 'standin-phone');
    assert.equal(row?.measuredMedianMs, 17.788);
    assert.match(row?.note ?? '', /deployed file model_float32\.tflite; .*the phone ran at [\d.]+x the table's speed \(speed anchor\)/);
    const unreachable = design(path.join(work, 'design-fewshot-offline'), { ADB_STANDIN_FAIL: 'push' });
    assert.ok(unreachable.notes.some((n) => /could not be reached to measure the finalists .*their latency is the estimate/.test(n)), unreachable.notes.join('\n'));
    assert.equal(unreachable.latency[0]?.measuredMedianMs, null);
    assert.match(unreachable.latency[0]?.note ?? '', /could not be reached/);
  });
});
