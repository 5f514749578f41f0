// Targets and latency tables: shipped files load; bad input gives typed errors that name the file and the path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLayernasError } from '../../src/core/errors.js';
import { loadAllTargets, loadTargetFile, resolveTarget, shippedTargetsDir } from '../../src/targets/load.js';
import { checkTableMatchesTarget, loadTable, loadTargetTables } from '../../src/cost/latency-table.js';

const dir = mkdtempSync(join(tmpdir(), 'layernas-targets-'));
const shipped = (id: string): Record<string, unknown> => JSON.parse(readFileSync(join(shippedTargetsDir(), `${id}.json`), 'utf8')) as Record<string, unknown>;
const writeJson = (name: string, v: unknown): string => {
  const f = join(dir, name);
  writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
  return f;
};

test('every shipped target loads, its tables exist, validate and belong to it', () => {
  const all = loadAllTargets();
  const ids = all.map((t) => t.target.id);
  for (const want of ['host-tflite-1t', 'host-tflite-2t', 'host-onnxruntime-1t', 'host-onnxruntime-2t', 'pixel1-tflite', 'pixel3-tflite', 'raspi4-tflite', 'android-example']) {
    assert.ok(ids.includes(want), `missing target ${want}`);
  }
  for (const t of all) {
    const { tables } = loadTargetTables(t.tableFiles, t.target);
    assert.equal(tables.length, t.tableFiles.length);
  }
  assert.equal(resolveTarget('pixel3-tflite').tableFiles.length, 1);
});

test('unknown target id lists the known ones', () => {
  assert.throws(() => resolveTarget('pixel9'), (e: unknown) => isLayernasError(e, 'TARGET_UNKNOWN') && /pixel3-tflite/.test(e.message));
});

test('schema violations name the file and the JSON path', () => {
  const t = shipped('android-example');
  const bad = { ...t, threads: 0, measure: { ...(t.measure as object), serial: '' } };
  const f = writeJson('bad.json', bad);
  assert.throws(() => loadTargetFile(f), (e: unknown) => {
    assert.ok(isLayernasError(e, 'TARGET_INVALID'));
    assert.equal(e.details.file, f);
    const paths = (e.details.issues as { path: string }[]).map((i) => i.path);
    assert.ok(paths.includes('threads') && paths.includes('measure.serial'), paths.join(','));
    return true;
  });
  assert.throws(() => loadTargetFile(writeJson('trunc.json', '{"id": "x"')), (e: unknown) => isLayernasError(e, 'TARGET_INVALID') && e.message.includes('trunc.json'));
  const unknownMethod = { ...t, measure: { method: 'ssh' } };
  assert.throws(() => loadTargetFile(writeJson('m.json', unknownMethod)), (e: unknown) => isLayernasError(e, 'TARGET_INVALID') && /measure\.method/.test(e.message));
  const shellArg = { ...t, measure: { ...(t.measure as object), extraArgs: ['--x=1; rm -rf /'] } };
  assert.throws(() => loadTargetFile(writeJson('s.json', shellArg)), (e: unknown) => isLayernasError(e, 'TARGET_INVALID') && /extraArgs\[0\]/.test(e.message));
  const missingTable = { ...t, latencyTables: ['nope.json'] };
  assert.throws(() => loadTargetFile(writeJson('t.json', missingTable)), (e: unknown) => isLayernasError(e, 'TARGET_INVALID') && /latencyTables\[0\]/.test(e.message));
});

test('tables: negative latency and schema errors are TABLE_INVALID with the path', () => {
  const table = JSON.parse(readFileSync(join(shippedTargetsDir(), '..', 'latency-tables', 'pixel3-tflite-fbnet-32.json'), 'utf8')) as { entries: { median_ms: number }[]; format: string };
  (table.entries[3] as { median_ms: number }).median_ms = -0.5;
  const f = writeJson('neg.json', table);
  assert.throws(() => loadTable(f), (e: unknown) => isLayernasError(e, 'TABLE_INVALID') && /entries\[3\]\.median_ms: latency must not be negative/.test(e.message) && e.details.file === f);
  (table.entries[3] as { median_ms: number }).median_ms = 1;
  table.format = 'other/2';
  assert.throws(() => loadTable(writeJson('fmt.json', table)), (e: unknown) => isLayernasError(e, 'TABLE_INVALID') && /format/.test(e.message));
  table.format = 'layernas-latency-table/1';
  table.entries.push({ ...(table.entries[0] as { median_ms: number }) });
  assert.throws(() => loadTable(writeJson('dup.json', table)), (e: unknown) => isLayernasError(e, 'TABLE_INVALID') && /duplicate key/.test(e.message));
});

test('a table for another runtime version, thread count or precision is TABLE_MISMATCH', () => {
  const table = loadTable(join(shippedTargetsDir(), '..', 'latency-tables', 'pixel3-tflite-fbnet-32.json'));
  const target = resolveTarget('pixel3-tflite').target;
  assert.ok(checkTableMatchesTarget(table, target).warnings.length > 0, 'unreported threads are warned about');
  assert.throws(() => checkTableMatchesTarget(table, { ...target, runtime: { name: 'tflite', version: '2.16' } }), (e: unknown) => isLayernasError(e, 'TABLE_MISMATCH') && /runtime version/.test(e.message));
  assert.throws(() => checkTableMatchesTarget(table, { ...target, precision: 'int8' }), (e: unknown) => isLayernasError(e, 'TABLE_MISMATCH') && /precision/.test(e.message));
  const measured = { ...table, data: { ...table.data, metadata: { ...table.data.metadata, threads: 2 } } };
  assert.throws(() => checkTableMatchesTarget(measured, target), (e: unknown) => isLayernasError(e, 'TABLE_MISMATCH') && /threads 2/.test(e.message));
});
