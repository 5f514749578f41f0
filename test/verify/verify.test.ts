// `verify` end to end on this machine: profile a table for a tiny network, export it (TFLite + ONNX + weights),
// verify on host-tflite: prediction vs measurement, memory, parity; tolerance failure exits 1; a missing key exits 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNetwork, parseNetwork } from '../../src/arch/grammar.js';
import { initWeights, writeWeights } from '../../src/arch/weights.js';
import { main } from '../../src/cli/main.js';
import { writeTableFile } from '../../src/cost/table-convert/shipped.js';
import { backendForTarget } from '../../src/platform/registry.js';
import { ExporterModelFactory } from '../../src/export/model-factory.js';
import { runProfile } from '../../src/profile/profiler.js';
import { silentProgress } from '../../src/profile/progress.js';
import { distinctBlocksOf } from '../../src/profile/space-networks.js';
import { resolveTarget, shippedTargetsDir } from '../../src/targets/load.js';
import { readExportDir } from '../../src/verify/export-dir.js';
import { verifyExport } from '../../src/verify/verify.js';
import { readFileSync } from 'node:fs';

const work = mkdtempSync(join(tmpdir(), 'layernas-verify-'));
const spec = { ...parseNetwork('in32x32x3/conv_k3_s2_c16/ir_k3_s1_e6_c16/ir_k5_s2_e6_c32/conv_k1_s1_c64/gap/fc_c10'), name: 'tiny' };
const other = { ...parseNetwork('in32x32x3/conv_k3_s2_c16/ir_k7_s1_e3_c16/gap/fc_c10'), name: 'other' };

async function setup(): Promise<{ targetFile: string; exportDir: string }> {
  const base = resolveTarget('host-tflite-1t');
  const req = {
    target: base.target, spaceName: 'tiny', blocks: distinctBlocksOf([spec]), calibrationNetworks: [spec],
    input: spec.input, journalFile: join(work, 'table.json.journal.jsonl'), machine: 'test',
  };
  const backend = backendForTarget(base.target, new ExporterModelFactory());
  try {
    const { table } = await runProfile(req, backend, silentProgress);
    writeTableFile(join(work, 'table.json'), table);
  } finally {
    backend.close();
  }
  const t = JSON.parse(readFileSync(join(shippedTargetsDir(), 'host-tflite-1t.json'), 'utf8')) as Record<string, unknown>;
  const targetFile = join(work, 'tiny-target.json');
  writeFileSync(targetFile, JSON.stringify({ ...t, id: 'tiny-target', latencyTables: ['table.json'] }));
  const exportDir = join(work, 'export');
  mkdirSync(exportDir);
  const factory = new ExporterModelFactory(1);
  writeFileSync(join(exportDir, 'model.tflite'), factory.build(spec, 'tflite', 'float32'));
  writeFileSync(join(exportDir, 'model.onnx'), factory.build(spec, 'onnx', 'float32'));
  await writeWeights(exportDir, initWeights(spec, 1));
  writeFileSync(join(exportDir, 'manifest.json'), JSON.stringify({ arch: formatNetwork(spec) }));
  return { targetFile, exportDir };
}

const ready = setup();

test('verify: measured vs predicted, memory, parity against the reference', async () => {
  const { targetFile, exportDir } = await ready;
  const r = await verifyExport(readExportDir(exportDir), resolveTarget(targetFile), { tolerancePct: 1e6, fallback: 'none', rounds: 3 });
  assert.ok(r.measured.median_ms > 0 && r.predicted.total_ms > 0);
  assert.ok(Number.isFinite(r.errorPct));
  assert.equal(r.memory?.kind, 'rss_delta_mb');
  assert.equal(r.agreement?.kind, 'reference');
  assert.ok(r.agreement?.ok, `parity ${r.agreement?.maxRelativeDiff}`);
  assert.equal(r.passed, true);
});

test('verify CLI: over tolerance exits 1 (VERIFY_FAILED); JSON output; a block missing from the table exits 2', async () => {
  const { targetFile, exportDir } = await ready;
  const errs: string[] = [];
  const io = { stderr: (t: string) => errs.push(t) };
  assert.equal(await main(['verify', exportDir, '--target', targetFile, '--tolerance', '1e-9', '--rounds', '2', '--json'], io), 1);
  assert.match(errs.join(''), /VERIFY_FAILED/);
  const otherDir = join(work, 'other');
  mkdirSync(otherDir);
  writeFileSync(join(otherDir, 'm.tflite'), new ExporterModelFactory().build(other, 'tflite', 'float32'));
  errs.length = 0;
  assert.equal(await main(['verify', otherDir, '--target', targetFile, '--arch', formatNetwork(other)], io), 2);
  assert.match(errs.join(''), /TABLE_MISSING_KEY.*ir_k7_s1_e3_c16@16x16x16/);
});

test('verify refuses a target whose table is for another runtime version (TABLE_MISMATCH, exit 2)', async () => {
  const { exportDir } = await ready;
  const t = JSON.parse(readFileSync(join(work, 'tiny-target.json'), 'utf8')) as Record<string, unknown>;
  const f = join(work, 'v.json');
  writeFileSync(f, JSON.stringify({ ...t, id: 'v', runtime: { name: 'tflite', version: '2.16' } }));
  const errs: string[] = [];
  assert.equal(await main(['verify', exportDir, '--target', f], { stderr: (x) => errs.push(x) }), 2);
  assert.match(errs.join(''), /TABLE_MISMATCH.*runtime version/);
});

test('verify CLI with --budget-ms: a deployed file slower than the budget fails, naming the check and the budget', async () => {
  const { targetFile, exportDir } = await ready;
  const errs: string[] = [];
  const out: string[] = [];
  const io = { stderr: (t: string) => errs.push(t), stdout: (t: string) => out.push(t) };
  assert.equal(await main(['verify', exportDir, '--target', targetFile, '--tolerance', '1e6', '--rounds', '2', '--budget-ms', '0.000001'], io), 1);
  assert.match(errs.join(''), /VERIFY_FAILED.*latency vs budget FAILED: model\.tflite: measured [0-9.]+ ms .*> budget 0.000001 ms/);
  assert.doesNotMatch(errs.join(''), /latency vs prediction FAILED/);
  errs.length = 0;
  assert.equal(await main(['verify', exportDir, '--target', targetFile, '--tolerance', '1e6', '--rounds', '2', '--budget-ms', '1000'], io), 0, errs.join(''));
});

test('an int8 target verifies the int8 file against its int8 table (the deployed file is what is budgeted)', async () => {
  const { exportDir } = await ready;
  const base = resolveTarget('host-tflite-1t');
  const int8Target = { ...base.target, id: 'tiny-int8', precision: 'int8' as const };
  const req = {
    target: int8Target, spaceName: 'tiny', blocks: distinctBlocksOf([spec]), calibrationNetworks: [spec],
    input: spec.input, journalFile: join(work, 'int8.json.journal.jsonl'), machine: 'test',
  };
  const backend = backendForTarget(int8Target, new ExporterModelFactory());
  try {
    const { table } = await runProfile(req, backend, silentProgress);
    assert.equal(table.metadata.precision, 'int8');
    writeTableFile(join(work, 'int8.json'), table);
  } finally {
    backend.close();
  }
  const t = JSON.parse(readFileSync(join(work, 'tiny-target.json'), 'utf8')) as Record<string, unknown>;
  const targetFile = join(work, 'tiny-int8.json');
  writeFileSync(targetFile, JSON.stringify({ ...t, id: 'tiny-int8', precision: 'int8', latencyTables: ['int8.json'] }));
  writeFileSync(join(exportDir, 'model_int8.tflite'), new ExporterModelFactory(1).build(spec, 'tflite', 'int8'));
  const r = await verifyExport(readExportDir(exportDir), resolveTarget(targetFile), { tolerancePct: 1e6, fallback: 'none', rounds: 2, budgetMs: 1000 });
  assert.match(r.modelFile, /model_int8\.tflite$/);
  assert.deepEqual(r.checks.map((c) => c.name).slice(0, 2), ['latency vs prediction', 'latency vs budget']);
  assert.equal(r.passed, true, r.failures.join('; '));
});
