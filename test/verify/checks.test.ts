/** The verification checks shared by `layernas verify` and `design` (src/verify/checks.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreementCheck, latencyChecks, latencyErrorPct, verdict } from '../../src/verify/checks.js';

test('latency error is (measured - predicted) / predicted', () => {
  assert.equal(latencyErrorPct(1.1, 1.0).toFixed(6), '10.000000');
  assert.equal(latencyErrorPct(0.9, 1.0).toFixed(6), '-10.000000');
});

test('a file within ±10% of its prediction but over the budget fails on the budget only, naming both figures', () => {
  const checks = latencyChecks({ file: 'model_int8.tflite', predictedMs: 0.5, measuredMs: 0.52, basis: 'raw median', tolerancePct: 10, budgetMs: 0.5 });
  const v = verdict(checks);
  assert.equal(v.passed, false);
  assert.equal(v.failures.length, 1);
  assert.match(v.failures[0] as string, /^latency vs budget FAILED: model_int8\.tflite: measured 0\.520 ms \(raw median\) > budget 0\.5 ms$/);
});

test('every failed check is named with its threshold; all holding passes', () => {
  const bad = verdict([
    ...latencyChecks({ file: 'm.tflite', predictedMs: 1, measuredMs: 1.3, basis: 'raw median', tolerancePct: 10, budgetMs: 2 }),
    agreementCheck('model_int8.tflite', 0.95, 0.98, 2000),
  ]);
  assert.equal(bad.passed, false);
  assert.deepEqual(bad.failures.map((f) => f.split(' FAILED')[0]), ['latency vs prediction', 'test agreement model_int8.tflite']);
  assert.match(bad.failures[0] as string, /error 30\.0% \(allowed ±10%\)/);
  assert.match(bad.failures[1] as string, /95\.00% of 2000 test images \(required 98\.0%\)/);
  assert.equal(verdict(latencyChecks({ file: 'm.tflite', predictedMs: 1, measuredMs: 1.05, basis: 'raw median', tolerancePct: 10, budgetMs: 2 })).passed, true);
});
