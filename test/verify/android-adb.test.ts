// Android measuring through a STAND-IN adb (test/fixtures/android/adb-standin; no phone is attached here) that
// records its argv and prints recorded-format benchmark_model output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLayernasError } from '../../src/core/errors.js';
import { parseBenchmarkModelOutput } from '../../src/device/benchmark-model-output.js';
import { AndroidBenchmarkRunner } from '../../src/device/android-benchmark.js';
import { ExecFileAdbClient, quoteForDeviceShell } from '../../src/device/adb.js';
import { TargetSchema } from '../../src/targets/schema.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'android');
const standin = join(fixtures, 'adb-standin');
const work = mkdtempSync(join(tmpdir(), 'layernas-adb-'));
const model = join(work, 'model o\'quote.tflite');
writeFileSync(model, Buffer.from('TFL3fake'));
const benchBin = join(work, 'benchmark_model');
writeFileSync(benchBin, '#!/bin/sh\n');

function measureFor(threads: number) {
  const t = TargetSchema.parse({
    id: 'standin-phone', device: 'stand-in', runtime: { name: 'tflite', version: '2.15' }, precision: 'float32', threads,
    input: { height: 224, width: 224, channels: 3 },
    measure: { method: 'android-adb', adb: standin, serial: 'STANDIN0001', benchmarkModel: benchBin, extraArgs: ['--use_xnnpack=true'] },
  });
  if (t.measure.method !== 'android-adb') throw new Error('unreachable');
  return t.measure;
}

function standinEnv(output: string, extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; log: string } {
  const log = join(work, `log-${Math.random().toString(36).slice(2)}.jsonl`);
  return { env: { ...process.env, ADB_STANDIN_LOG: log, ADB_STANDIN_OUTPUT: join(fixtures, output), ...extra }, log };
}

test('parses newer benchmark_model output (INFO prefix, median, peak memory)', () => {
  const r = parseBenchmarkModelOutput(readFileSync(join(fixtures, 'benchmark_model-v2.15-xnnpack.txt'), 'utf8'));
  assert.equal(r.count, 56);
  assert.equal(r.avg_ms, 17.9023);
  assert.equal(r.median_ms, 17.788);
  assert.equal(r.std_ms, 0.412);
  assert.equal(r.threads_reported, 2);
  assert.deepEqual(r.memory, { init_mb: 17.0391, overall_mb: 26.8555, peak_mb: 31.4102 });
});

test('parses older output (no percentiles, e-notation avg) and says median is unknown', () => {
  const r = parseBenchmarkModelOutput(readFileSync(join(fixtures, 'benchmark_model-v2.4-logcat.txt'), 'utf8'));
  assert.equal(r.count, 50);
  assert.ok(Math.abs(r.avg_ms - 61.2546) < 1e-9);
  assert.equal(r.median_ms, null);
  assert.equal(r.memory?.overall_mb, 9.98047);
  assert.throws(() => parseBenchmarkModelOutput('Segmentation fault\n'), (e: unknown) => isLayernasError(e, 'DEVICE_FAILED') && /Segmentation fault/.test(e.message));
});

test('runner pushes binary and model, runs benchmark_model with the target threads, argv only', async () => {
  const { env, log } = standinEnv('benchmark_model-v2.15-xnnpack.txt');
  const measure = measureFor(2);
  const runner = new AndroidBenchmarkRunner(measure, new ExecFileAdbClient({ adb: standin, serial: measure.serial, env }));
  const r = await runner.run({ modelFile: model, threads: 2 });
  assert.equal(r.median_ms, 17.788);
  await runner.run({ modelFile: model, threads: 2 });
  const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
  for (const c of calls) assert.deepEqual(c.slice(0, 2), ['-s', 'STANDIN0001']);
  const pushes = calls.filter((c) => c[2] === 'push');
  assert.deepEqual(pushes.map((c) => c[3]), [benchBin, model, model], 'binary pushed once, model each run');
  assert.equal(pushes[1]?.[4], `/data/local/tmp/layernas/model o'quote.tflite`);
  const bench = calls.find((c) => c[2] === 'shell' && c.some((w) => w.includes('--graph=')));
  assert.ok(bench);
  assert.deepEqual(bench.slice(3), [
    quoteForDeviceShell('/data/local/tmp/layernas/benchmark_model'),
    quoteForDeviceShell(`--graph=/data/local/tmp/layernas/model o'quote.tflite`),
    `'--num_threads=2'`, `'--warmup_runs=10'`, `'--num_runs=50'`, `'--use_xnnpack=true'`,
  ]);
  assert.equal(quoteForDeviceShell(`a'b`), `'a'\\''b'`);
});

test('device failures are DEVICE_FAILED with the tail of adb output; thread mismatch is caught', async () => {
  const measure = measureFor(1);
  for (const [fail, pattern] of [['push', /no devices/], ['benchmark', /Could not open model/]] as const) {
    const { env } = standinEnv('benchmark_model-v2.15-xnnpack.txt', { ADB_STANDIN_FAIL: fail });
    const runner = new AndroidBenchmarkRunner(measure, new ExecFileAdbClient({ adb: standin, serial: measure.serial, env }));
    await assert.rejects(runner.run({ modelFile: model, threads: 1 }), (e: unknown) => isLayernasError(e, 'DEVICE_FAILED') && pattern.test(e.message));
  }
  const { env } = standinEnv('benchmark_model-v2.15-xnnpack.txt');
  const runner = new AndroidBenchmarkRunner(measure, new ExecFileAdbClient({ adb: standin, serial: measure.serial, env }));
  await assert.rejects(runner.run({ modelFile: model, threads: 1 }), (e: unknown) => isLayernasError(e, 'DEVICE_FAILED') && /reports 2 threads/.test(e.message));
  const missing = new AndroidBenchmarkRunner(measure, new ExecFileAdbClient({ adb: join(work, 'no-adb-here'), serial: 'x' }));
  await assert.rejects(missing.run({ modelFile: model, threads: 1 }), (e: unknown) => isLayernasError(e, 'DEVICE_FAILED') && /platform-tools/.test(e.message));
});

test('profile on an android-adb target goes through benchmark_model with the target threads (stand-in adb)', async () => {
  const { backendForTarget } = await import('../../src/platform/registry.js');
  const { ExporterModelFactory } = await import('../../src/export/model-factory.js');
  const { runProfile } = await import('../../src/profile/profiler.js');
  const { silentProgress } = await import('../../src/profile/progress.js');
  const { distinctBlocksOf } = await import('../../src/profile/space-networks.js');
  const { parseNetwork } = await import('../../src/arch/grammar.js');
  const { env, log } = standinEnv('benchmark_model-v2.15-xnnpack.txt');
  const saved = { ...process.env };
  Object.assign(process.env, { ADB_STANDIN_LOG: env.ADB_STANDIN_LOG, ADB_STANDIN_OUTPUT: env.ADB_STANDIN_OUTPUT });
  try {
    const target = TargetSchema.parse({
      id: 'standin-phone', device: 'stand-in', runtime: { name: 'tflite', version: '2.15' }, precision: 'float32', threads: 2,
      input: { height: 8, width: 8, channels: 3 }, measure: { method: 'android-adb', adb: standin, serial: 'STANDIN0001', benchmarkModel: benchBin },
    });
    const net = { ...parseNetwork('in8x8x3/conv_k3_s1_c8/gap/fc_c4'), name: 'n' };
    const backend = backendForTarget(target, new ExporterModelFactory());
    const res = await runProfile({ target, spaceName: 'tiny', blocks: distinctBlocksOf([net]), calibrationNetworks: [], input: net.input, journalFile: join(work, 'android.journal.jsonl'), machine: 'stand-in', protocol: { warmupRuns: 1, rounds: 2, roundBudgetMs: 1, minRunsPerRound: 1, maxRunsPerRound: 1 } }, backend, silentProgress);
    backend.close();
    assert.equal(res.table.fixed[0]?.median_ms, 17.788, 'the overhead model reads the recorded median');
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    const benches = calls.filter((c) => c.some((w) => w.includes('--graph=')));
    assert.ok(benches.length >= 4 * 3, `benchmark_model ran ${benches.length} times`);
    assert.ok(benches.every((c) => c.includes(`'--num_threads=2'`)));
  } finally {
    process.env = saved;
  }
});
