// A table measured with one classifier head (the shipped FBNet tables: fc_c100) and a network trained for another
// class count (fashion-mnist: fc_c10): `design` prices the search with the table's head (src/design/table-fit.ts);
// `verify` must price the deployed file the same way instead of stopping with TABLE_MISSING_KEY (found running
// `design --space fbnet` on a host target: the search and training ran, verification exited 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNetwork } from '../../src/arch/grammar.js';
import { fbnetNetwork } from '../../src/arch/zoo.js';
import { ExporterModelFactory } from '../../src/export/model-factory.js';
import { loadTable } from '../../src/cost/latency-table.js';
import { readFileSync } from 'node:fs';
import { pricedWithTableHead } from '../../src/cost/table-head.js';
import { resolveTarget } from '../../src/targets/load.js';
import { readExportDir } from '../../src/verify/export-dir.js';
import { verifyExport } from '../../src/verify/verify.js';
import { verifyModel } from '../../src/verify/verify-model.js';
import { resolveModelPath } from '../../src/export/model-source.js';

const ops = [7, 8, 1, 8, 4, 8, 8, 8, 7, 4, 1, 4, 7, 3, 2, 7, 3, 2, 4, 2, 4, 5];

/** an export folder (ONNX + manifest) of the FBNet network `ops` with a `classes`-class head, in a fresh temp dir */
function exportFbnet(classes: number): { dir: string; spec: ReturnType<typeof fbnetNetwork> } {
  const dir = mkdtempSync(join(tmpdir(), `layernas-verify-fbnet${classes}-`));
  const spec = { ...fbnetNetwork(ops, { classes }), name: `fbnet${classes}` };
  writeFileSync(join(dir, 'model.onnx'), new ExporterModelFactory(1).build(spec, 'onnx', 'float32'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ arch: formatNetwork(spec) }));
  return { dir, spec };
}

test('pricedWithTableHead: the table\'s single head replaces a missing one; a head the table has is kept', () => {
  const table = loadTable(resolveTarget('host-onnxruntime-1t').tableFiles.find((f) => f.includes('fbnet')) as string);
  const ten = pricedWithTableHead(fbnetNetwork(ops, { classes: 10 }), table);
  assert.equal((ten.spec.layers.at(-1) as { out: number }).out, 100);
  assert.match(ten.note ?? '', /100-class classifier.*10-class/);
  const hundred = pricedWithTableHead(fbnetNetwork(ops, { classes: 100 }), table);
  assert.equal((hundred.spec.layers.at(-1) as { out: number }).out, 100);
  assert.equal(hundred.note, null);
});

test('verify: a 10-class FBNet network on a target whose table was measured with a 100-class head', async () => {
  const { dir } = exportFbnet(10);
  try {
    const r = await verifyExport(readExportDir(dir), resolveTarget('host-onnxruntime-1t'), { tolerancePct: 1e6, fallback: 'none', rounds: 2 });
    assert.ok(r.predicted.layers.some((l) => l.key.startsWith('fc_c100@')), 'priced with the table\'s head');
    assert.ok(r.warnings.some((w) => /100-class classifier/.test(w)), r.warnings.join('; '));
    assert.ok(r.measured.median_ms > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify against a few-shot table: the prediction check allows three times the table\'s median leave-one-out error', async () => {
  const { dir, spec } = exportFbnet(100);
  try {
    // the shipped table dressed as a few-shot estimate whose leave-one-out error was 40%
    const loaded = resolveTarget('host-onnxruntime-1t');
    const shipped = JSON.parse(readFileSync(loaded.tableFiles.find((f) => f.includes('fbnet')) as string, 'utf8')) as { metadata: Record<string, unknown> };
    const fewshot = { networks: 10, sources: ['pixel3-tflite'], base: 'pixel3-tflite', lambda: null, intercept_ms: 0, source_weights: { 'pixel3-tflite': 1 }, count_weights: {}, part_weights: [], loo_rms_error: 0.4, loo_within10: 0.5, loo_errors: [0.4, -0.4, 0.2], seed: 1, measured: [{ arch: formatNetwork(spec), ms: 1 }] };
    const file = join(dir, 'fewshot.json');
    writeFileSync(file, JSON.stringify({ ...shipped, metadata: { ...shipped.metadata, fewshot } }));
    const r = await verifyExport(readExportDir(dir), { ...loaded, tableFiles: [file] }, { tolerancePct: 10, fallback: 'none', rounds: 2 });
    const c = r.checks.find((k) => k.name === 'latency vs prediction');
    assert.equal(c?.threshold, 120);
    assert.equal(r.tolerancePct, 120);
    assert.match(c?.detail ?? '', /few-shot table's median leave-one-out error 40\.0%/);
    assert.equal(c?.passed, Math.abs(r.errorPct) <= 120);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify <export folder> (the CLI path, verifyModel) prices a 10-class FBNet network with the table\'s head too', async () => {
  const { dir } = exportFbnet(10);
  try {
    const src = resolveModelPath(dir);
    assert.ok(src, 'the export folder resolves');
    const r = await verifyModel(src, resolveTarget('host-onnxruntime-1t'), { mode: 'full', tolerancePct: 1e6, fallback: 'none', rounds: 2 });
    assert.equal(r.priced?.total_ms !== null, true, `priced every layer: ${JSON.stringify(r.problems)}`);
    assert.ok(r.full, 'the full verification ran');
    assert.ok(r.full.predicted.layers.some((l) => l.key.startsWith('fc_c100@')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
