// `profile` on this host times every model in several fresh loads and keeps the middle one (src/profile/measure.ts),
// as verify and design's budget confirmation do: one load of a small model can run ~25% slower than another load of
// the same model for its whole life. The real TFLite backend, its prepare counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNetwork } from '../../src/arch/grammar.js';
import { ExporterModelFactory } from '../../src/export/model-factory.js';
import { backendForTarget } from '../../src/platform/registry.js';
import { JUDGED_LOADS, measureBatch, middleOf } from '../../src/profile/measure.js';
import { resolveTarget } from '../../src/targets/load.js';

test('middleOf: the load whose median is in the middle; of two, the faster', () => {
  const slow = [1.3, 1.25, 1.28];
  const mid = [1.02, 1.0, 1.01];
  const fast = [0.9, 0.91, 0.92];
  assert.deepEqual(middleOf([slow, mid, fast]), mid);
  assert.deepEqual(middleOf([slow, fast]), fast);
  assert.deepEqual(middleOf([mid]), mid);
});

test('measureBatch with loads: every model prepared that many times, all timed, one summary per model', async () => {
  const backend = backendForTarget(resolveTarget('host-tflite-1t').target, new ExporterModelFactory());
  let prepared = 0;
  const counting = { ...backend, runtimeVersion: backend.runtimeVersion, format: backend.format, prepare: async (...a: Parameters<typeof backend.prepare>) => { prepared++; return backend.prepare(...a); } } as typeof backend;
  try {
    const items = [
      { name: 'a', spec: parseNetwork('in16x16x3/conv_k3_s1_c8_relu/gap/fc_c10') },
      { name: 'b', spec: parseNetwork('in16x16x3/conv_k3_s2_c16_relu/gap/fc_c10') },
    ];
    const out = await measureBatch(counting, items, { warmupRuns: 2, rounds: 2, roundBudgetMs: 5, minRunsPerRound: 2, maxRunsPerRound: 5, loads: JUDGED_LOADS });
    assert.equal(prepared, items.length * JUDGED_LOADS);
    assert.equal(out.length, items.length);
    for (const s of out) assert.ok(s.median_ms > 0 && s.samples >= 4, JSON.stringify(s));
  } finally {
    backend.close();
  }
});
