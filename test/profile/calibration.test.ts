// The per-operator-kind calibration fit (src/profile/calibration.ts) on synthetic networks with known answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCalibration, operatorKind } from '../../src/profile/calibration.js';
import { Rng } from '../../src/core/rng.js';

test('operatorKind drops channels, stride and shape, keeps kernel, expansion and activation', () => {
  assert.equal(operatorKind('ir_k5_s2_e6_c40@56x56x24'), 'ir_k5_e6');
  assert.equal(operatorKind('ir_k3_s1_e1_g2_c16_relu@32x32x16'), 'ir_k3_e1_g2_relu');
  assert.equal(operatorKind('skip_s2_c80@14x14x40'), 'skip');
  assert.equal(operatorKind('gap@7x7x1280'), 'gap');
});

test('fitCalibration recovers per-kind scales and the intercept of networks built from them', () => {
  const rng = new Rng(3);
  const truth: Record<string, number> = { ir_k3_e3: 1.0, ir_k5_e6: 1.25, ir_k7_e6: 0.85 };
  const keys = ['ir_k3_s1_e3_c8@8x8x8', 'ir_k5_s1_e6_c8@8x8x8', 'ir_k7_s1_e6_c8@8x8x8'];
  const nets = Array.from({ length: 40 }, () => {
    const layers = Array.from({ length: 6 }, () => {
      const key = keys[rng.int(keys.length)] as string;
      return { key, ms: 0.2 + rng.next(), params: 0 };
    });
    const measured = 0.05 + 0.3 + layers.reduce((s, l) => s + l.ms * (truth[operatorKind(l.key)] as number), 0);
    return { layers, fixedMs: 0.05, measuredMs: measured };
  });
  const fit = fitCalibration(nets, { ridge: 1e-6 });
  for (const [k, v] of Object.entries(truth)) assert.ok(Math.abs((fit.scales[k] as number) - v) < 1e-3, `${k}: ${fit.scales[k]} vs ${v}`);
  assert.ok(Math.abs(fit.interceptMs - 0.3) < 1e-3, `intercept ${fit.interceptMs}`);
  assert.equal(fit.msPerMillionWeights, 0);
  assert.ok(fit.errorsAfter.every((e) => Math.abs(e) < 1e-6));
  assert.ok(fit.errorsBefore.some((e) => Math.abs(e) > 0.05));
});

test('fitCalibration never returns a negative intercept and pulls unseen-enough kinds towards 1', () => {
  // measured = 0.9 x blocks (no fixed time): an unconstrained fit would want a negative intercept with scale > 0.9
  const nets = Array.from({ length: 10 }, (_, i) => {
    const layers = [{ key: 'ir_k3_s1_e3_c8@8x8x8', ms: 1 + i, params: 1000 * (i % 3) }];
    return { layers, fixedMs: 0, measuredMs: 0.9 * (1 + i) - 0.2 };
  });
  const fit = fitCalibration(nets);
  assert.ok(fit.interceptMs >= 0);
  assert.ok(fit.msPerMillionWeights >= 0);
  assert.ok((fit.scales.ir_k3_e3 as number) > 0.5 && (fit.scales.ir_k3_e3 as number) < 1);
  assert.deepEqual(fitCalibration([]).scales, {});
  assert.equal(fitCalibration([]).interceptMs, 0);
});

test('fitCalibration recovers the cost of streaming weights that one-block timings keep in cache', () => {
  // networks whose blocks run 1.1x their one-block figure plus 0.02 ms per million weights, weights independent of ms
  const rng = new Rng(5);
  const keys = ['ir_k3_s1_e3_c8@8x8x8', 'ir_k5_s1_e6_c8@8x8x8'];
  const nets = Array.from({ length: 40 }, () => {
    const layers = Array.from({ length: 8 }, () => ({ key: keys[rng.int(keys.length)] as string, ms: 0.1 + rng.next(), params: Math.round(rng.next() * 4e6) }));
    const measured = 0.02 + layers.reduce((s, l) => s + 1.1 * l.ms + (0.02 * l.params) / 1e6, 0);
    return { layers, fixedMs: 0.02, measuredMs: measured };
  });
  const fit = fitCalibration(nets, { ridge: 1e-6 });
  assert.ok(Math.abs(fit.msPerMillionWeights - 0.02) < 1e-4, `per million weights ${fit.msPerMillionWeights}`);
  for (const k of ['ir_k3_e3', 'ir_k5_e6']) assert.ok(Math.abs((fit.scales[k] as number) - 1.1) < 1e-3, `${k}: ${fit.scales[k]}`);
  assert.ok(fit.interceptMs < 1e-3, `intercept ${fit.interceptMs}`);
  // a network that runs faster the more weights it has gets no negative weight cost: the term is dropped
  const inverted = nets.map((n) => ({ ...n, measuredMs: 0.02 + n.layers.reduce((s, l) => s + 1.1 * l.ms - (0.01 * l.params) / 1e6, 0) + 1 }));
  assert.equal(fitCalibration(inverted).msPerMillionWeights, 0);
});
