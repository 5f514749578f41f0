/** The verification checks shared by `layernas verify` and `design` (src/verify/checks.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreementCheck, latencyChecks, latencyErrorPct, predictionTolerance, verdict } from '../../src/verify/checks.js';
import { agreementChecks } from '../../src/verify/test-agreement.js';

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

test('against a few-shot table the prediction check allows three times its median leave-one-out error (or the requested tolerance, if wider)', () => {
  assert.deepEqual(predictionTolerance(10), { pct: 10, basis: null });
  assert.deepEqual(predictionTolerance(10, [0.03, -0.02, 0.01]), { pct: 10, basis: null });
  const wide = predictionTolerance(10, [0.278, -0.1, 0.186, -0.05, 0.3]);
  assert.equal(wide.pct, 56);
  assert.match(wide.basis ?? '', /3 x the few-shot table's median leave-one-out error 18\.6%/);
  assert.equal(predictionTolerance(80, [0.278, -0.1, 0.186, -0.05, 0.3]).pct, 80);
  // one network far off when left out (the only one of its kind: j27's refined table, rms 29.3%) does not widen the
  // band for all the others: median 8.0% -> ±24%, not 2 x rms = ±59%
  assert.equal(predictionTolerance(10, [0.02, -0.097, -0.919, 0.124, 0.044, 0.069, -0.016, 0.045, -0.08, -0.131, 0.204]).pct, 24);
  const [pred, budget] = latencyChecks({ file: 'model.onnx', predictedMs: 0.983, measuredMs: 0.597, basis: 'raw median', tolerancePct: wide.pct, toleranceBasis: wide.basis, budgetMs: 1 });
  assert.equal(pred?.passed, true);
  assert.match(pred?.detail ?? '', /allowed ±56%: 3 x the few-shot table's median leave-one-out error 18\.6%/);
  assert.equal(budget?.passed, true);
  // off beyond the few-shot band (the journey's winner: 0.621 ms measured vs 0.996 predicted, band ±20%): the line says
  // what to do about the table
  const band = predictionTolerance(10, [0.097, -0.05, 0.066, -0.1, 0.02]);
  const [off] = latencyChecks({ file: 'model.onnx', predictedMs: 0.996, measuredMs: 0.621, basis: 'raw median', tolerancePct: band.pct, toleranceBasis: band.basis, budgetMs: 1 });
  assert.equal(off?.passed, false);
  assert.match(off?.detail ?? '', /the few-shot estimate is off for this network beyond its own stated error: measure more networks \(profile --from … --networks 20\) or every block \(profile --target … --space …\)$/);
});

// the deployed artifact is the truth: a float target ships its float file, the int8 file beside it is reported (a
// warning naming it and its shortfall) but does not decide the verdict; on an int8 target the same shortfall fails
test('an exported file the target does not ship is reported, not judged; the deployed one is judged', () => {
  const agreement = [
    { file: 'model_float32.tflite', format: 'tflite-float32', images: 2000, identical: 2000, share: 1, testAccuracy: 0.85 },
    { file: 'model_int8.tflite', format: 'tflite-int8', images: 2000, identical: 1953, share: 0.9765, testAccuracy: 0.84 },
    { file: 'model.onnx', format: 'onnx-float32', images: 2000, identical: 2000, share: 1, testAccuracy: 0.85 },
  ];
  const onFloat = verdict(agreementChecks(agreement, 'onnx-float32'));
  assert.equal(onFloat.passed, true);
  assert.equal(onFloat.warnings.length, 1);
  assert.match(onFloat.warnings[0] as string, /^test agreement model_int8\.tflite below its minimum \(not the deployed file\): .*97\.65% of 2000 test images \(required 98\.0%\)/);
  const onInt8 = verdict(agreementChecks(agreement, 'tflite-int8'));
  assert.equal(onInt8.passed, false);
  assert.deepEqual(onInt8.warnings, []);
  assert.match(onInt8.failures[0] as string, /^test agreement model_int8\.tflite FAILED/);
  // every file is judged when no file is named as deployed (a bare export folder)
  assert.equal(verdict(agreementChecks(agreement, null)).passed, false);
});
