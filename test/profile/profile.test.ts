// `profile` on the real runtimes (TFLite + XNNPack, ONNX Runtime) with tiny networks: table validity, resume after
// an interrupted run (torn journal line), refusal to resume with other settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNetwork, parseNetwork } from '../../src/arch/grammar.js';
import { walkShapes } from '../../src/arch/shapes.js';
import { isLayernasError } from '../../src/core/errors.js';
import { parseTable } from '../../src/cost/latency-table.js';
import { predictLatency } from '../../src/cost/latency-predictor.js';
import { backendForTarget } from '../../src/platform/registry.js';
import { ExporterModelFactory } from '../../src/export/model-factory.js';
import { runProfile, type ProfileRequest } from '../../src/profile/profiler.js';
import { anchorNetwork } from '../../src/profile/table-builder.js';
import { silentProgress } from '../../src/profile/progress.js';
import { distinctBlocksOf } from '../../src/profile/space-networks.js';
import { resolveTarget } from '../../src/targets/load.js';

const dir = mkdtempSync(join(tmpdir(), 'layernas-profile-test-'));
const nets = [
  parseNetwork('in16x16x3/conv_k3_s2_c8/ir_k3_s1_e3_c8/ir_k5_s2_e6_c16/gap/fc_c10'),
  parseNetwork('in16x16x3/conv_k3_s2_c8/ir_k5_s1_e3_c8/skip_s1_c8/skip_s2_c16/gap/fc_c10'),
].map((n, i) => ({ ...n, name: `net${i}` }));
const quick = { warmupRuns: 2, rounds: 2, roundBudgetMs: 5, minRunsPerRound: 2, maxRunsPerRound: 10 };

function request(targetId: string, journalFile: string): ProfileRequest {
  return {
    target: resolveTarget(targetId).target, spaceName: 'tiny', blocks: distinctBlocksOf(nets), calibrationNetworks: nets,
    input: { height: 16, width: 16, channels: 3 }, journalFile, machine: 'test', protocol: quick, batchSize: 3,
  };
}

for (const targetId of ['host-tflite-1t', 'host-onnxruntime-2t']) {
  test(`profile on ${targetId}: a valid table covering every block, resumable`, async () => {
    const journal = join(dir, `${targetId}.journal.jsonl`);
    const req = request(targetId, journal);
    const backend = backendForTarget(req.target, new ExporterModelFactory());
    try {
      const first = await runProfile(req, backend, silentProgress);
      const nItems = req.blocks.length - 1 + 1 + nets.length; // the identity skip is not measured
      assert.equal(first.table.entries.find((e) => e.key === 'skip_s1_c8@8x8x8')?.median_ms, 0);
      assert.equal(first.measuredNow, nItems);
      const table = parseTable(first.table, 'mem');
      assert.equal(table.data.metadata.runtime.version, req.target.runtime.version);
      assert.equal(table.data.metadata.threads, req.target.threads);
      assert.ok(table.data.fixed.some((f) => f.name === 'invoke_overhead'));
      // the speed anchor (the calibration network of median MAdds) was timed in every batch; the calibration saw both networks
      assert.equal(table.data.metadata.anchor?.arch, formatNetwork(anchorNetwork(nets)!));
      assert.ok((table.data.metadata.anchor?.median_ms ?? 0) > 0);
      for (const l of readFileSync(journal, 'utf8').trim().split('\n').map((x) => JSON.parse(x) as { kind: string; anchor_ms?: number })) {
        if (l.kind !== 'header') assert.ok((l.anchor_ms ?? 0) > 0, 'every measured line records its batch anchor');
      }
      assert.equal(table.data.metadata.calibration?.networks, nets.length);
      for (const n of nets) {
        const p = predictLatency(walkShapes(n), table);
        assert.ok(p.total_ms > 0 && Number.isFinite(p.total_ms));
      }
      // interrupted run: last two lines lost, a torn line at the end
      const lines = readFileSync(journal, 'utf8').trim().split('\n');
      writeFileSync(journal, `${lines.slice(0, -2).join('\n')}\n`);
      appendFileSync(journal, '{"kind":"e2e","key":"net1","median_');
      const again = await runProfile(req, backend, silentProgress);
      assert.equal(again.measuredNow, 2);
      assert.equal(again.resumed, nItems - 2);
      assert.deepEqual(again.table.entries.map((e) => e.key), first.table.entries.map((e) => e.key));
      // the journal is whole again: every line parses
      for (const l of readFileSync(journal, 'utf8').trim().split('\n')) JSON.parse(l);
      await assert.rejects(runProfile({ ...req, target: { ...req.target, threads: 3 } }, backend, silentProgress), (e: unknown) => isLayernasError(e, 'TABLE_MISMATCH') && /threads/.test(e.message));
      // resuming with more calibration networks measures only them and keeps the journal's anchor, although the
      // network of median MAdds is now another one (the anchor is in the journal header)
      const more = [...nets, { ...parseNetwork('in16x16x3/conv_k3_s2_c8/ir_k5_s1_e6_c8/ir_k5_s1_e6_c8/skip_s2_c16/gap/fc_c10'), name: 'net2' }, { ...parseNetwork('in16x16x3/conv_k3_s2_c8/ir_k3_s1_e6_c8/ir_k5_s1_e6_c8/skip_s2_c16/gap/fc_c10'), name: 'net3' }];
      assert.notEqual(formatNetwork(anchorNetwork(more)!), formatNetwork(anchorNetwork(nets)!));
      const extended = await runProfile({ ...req, blocks: distinctBlocksOf(more), calibrationNetworks: more }, backend, silentProgress);
      assert.equal(extended.table.metadata.anchor?.arch, formatNetwork(anchorNetwork(nets)!));
      assert.equal(extended.table.metadata.calibration?.networks, more.length);
    } finally {
      backend.close();
    }
  });
}

test('a corrupt line in the middle of a journal is reported with its line number', async () => {
  const journal = join(dir, 'corrupt.journal.jsonl');
  writeFileSync(journal, 'not json\n{"kind":"header"}\n');
  const req = request('host-tflite-1t', journal);
  const backend = backendForTarget(req.target, new ExporterModelFactory());
  try {
    await assert.rejects(runProfile(req, backend, silentProgress), (e: unknown) => isLayernasError(e, 'TABLE_INVALID') && e.details.line === 1);
  } finally {
    backend.close();
  }
});

test('a runtime that cannot load is RUNTIME_UNAVAILABLE with the fix (exit code 1)', async () => {
  const { HostBackend } = await import('../../src/platform/backends.js');
  const { TfliteRuntime } = await import('../../src/runtime/tflite.js');
  const { exitCodeFor } = await import('../../src/core/errors.js');
  const req = request('host-tflite-1t', join(dir, 'noplugin.journal.jsonl'));
  const backend = new HostBackend(new TfliteRuntime({ xnnpack: 'required', pluginPath: join(dir, 'missing-plugin.so') }), 'tflite', 1, req.target, new ExporterModelFactory());
  try {
    await assert.rejects(runProfile(req, backend, silentProgress), (e: unknown) => isLayernasError(e, 'RUNTIME_UNAVAILABLE') && /Fix:/.test(e.message) && exitCodeFor(e) === 1);
  } finally {
    backend.close();
  }
});

test("a journal whose header's speed anchor is not a network string is TABLE_INVALID naming the journal", async () => {
  const journal = join(dir, 'bad-anchor.journal.jsonl');
  const req = request('host-tflite-1t', journal);
  const backend = backendForTarget(req.target, new ExporterModelFactory());
  try {
    const settings = { target: req.target.id, runtime: backend.runtimeVersion, threads: req.target.threads, precision: req.target.precision, format: backend.format, space: req.spaceName, clock: 'wall', anchor: 'in16x16x3/not_a_block' };
    writeFileSync(journal, `${JSON.stringify({ kind: 'header', key: '', median_ms: 0, mean_ms: 0, p90_ms: 0, iqr_ms: 0, samples: 0, at: 'x', settings })}\n`);
    await assert.rejects(runProfile(req, backend, silentProgress), (e: unknown) => isLayernasError(e, 'TABLE_INVALID') && e.message.includes('bad-anchor.journal.jsonl') && /speed anchor/.test(e.message));
  } finally {
    backend.close();
  }
});
