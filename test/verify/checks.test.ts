/** The verification checks shared by `layernas verify` and `design` (src/verify/checks.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreementCheck, latencyChecks, latencyErrorPct, predictionTolerance, verdict } from '../../src/verify/checks.js';

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

test('against a few-shot table the prediction check allows twice its leave-one-out error (or the requested tolerance, if wider)', () => {
  assert.deepEqual(predictionTolerance(10), { pct: 10, basis: null });
  assert.deepEqual(predictionTolerance(10, 0.03), { pct: 10, basis: null });
  const wide = predictionTolerance(10, 0.278);
  assert.equal(wide.pct, 56);
  assert.match(wide.basis ?? '', /leave-one-out error 27\.8%/);
  assert.equal(predictionTolerance(80, 0.278).pct, 80);
  const [pred, budget] = latencyChecks({ file: 'model.onnx', predictedMs: 0.983, measuredMs: 0.597, basis: 'raw median', tolerancePct: wide.pct, toleranceBasis: wide.basis, budgetMs: 1 });
  assert.equal(pred?.passed, true);
  assert.match(pred?.detail ?? '', /allowed ±56%: 2 x the few-shot table's leave-one-out error 27\.8%/);
  assert.equal(budget?.passed, true);
});
