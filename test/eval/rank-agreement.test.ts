import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapInterval, kendallTau, noiseCeiling, runNoiseSd } from '../../src/eval/rank-agreement.js';

test('kendallTau: identical order 1, reversed -1, a known mixed case, ties handled as tau-b', () => {
  assert.equal(kendallTau([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // pairs: (1,2)+ (1,3)+ (1,4)+ (2,3)- (2,4)+ (3,4)+ -> (5-1)/6
  assert.ok(Math.abs(kendallTau([1, 2, 3, 4], [1, 3, 2, 4]) - 4 / 6) < 1e-12);
  // one tie in a: pairs (1,2) tie in a only; tau-b = (C-D)/sqrt((C+D+Ta)(C+D+Tb)) = 2/sqrt(3*2)
  assert.ok(Math.abs(kendallTau([1, 1, 2], [1, 2, 3]) - 2 / Math.sqrt(6)) < 1e-12);
  assert.throws(() => kendallTau([1, 2], [1]), RangeError);
});

test('bootstrapInterval: brackets the tau, is reproducible, and is a point for a perfect ranking', () => {
  const a = [0.1, 0.5, 0.3, 0.9, 0.7, 0.2, 0.8, 0.4, 0.6, 0.0];
  const b = [0.2, 0.4, 0.5, 0.8, 0.9, 0.1, 0.6, 0.3, 0.7, 0.05];
  const [lo, hi] = bootstrapInterval(a, b);
  const t = kendallTau(a, b);
  assert.ok(lo <= t && t <= hi, `${lo} <= ${t} <= ${hi}`);
  assert.deepEqual(bootstrapInterval(a, b), [lo, hi]);
  assert.deepEqual(bootstrapInterval(a, a), [1, 1]);
});

test('runNoiseSd: sd of the differences over sqrt 2', () => {
  // differences 1, -1, 1, -1: mean 0, sample variance 4/3 -> sd of one run sqrt(2/3)
  assert.ok(Math.abs(runNoiseSd([[1, 0], [0, 1], [2, 1], [1, 2]]) - Math.sqrt(2 / 3)) < 1e-12);
  assert.throws(() => runNoiseSd([[1, 2]]), RangeError);
});

test('noiseCeiling: no noise ranks perfectly, noise as large as the spread leaves nothing to rank', () => {
  const observed = Array.from({ length: 20 }, (_, i) => 85 + 0.15 * i);
  const clean = noiseCeiling(observed, 0, 200);
  assert.equal(clean.tauMean, 1);
  assert.equal(clean.reliability, 1);
  const drowned = noiseCeiling(observed, 10, 2000);
  assert.equal(drowned.architectureSd, 0);
  assert.ok(Math.abs(drowned.tauMean) < 0.05, `mean tau ${drowned.tauMean}`);
  const half = noiseCeiling(observed, clean.observedSd / Math.SQRT2, 2000);
  assert.ok(Math.abs(half.reliability - 0.5) < 1e-9);
  // Gaussian scores with correlation sqrt(0.5): expected tau (2/pi) asin(sqrt 0.5) = 0.5
  assert.ok(Math.abs(half.tauMean - 0.5) < 0.03, `mean tau ${half.tauMean}`);
  assert.ok(half.tau5 < half.tauMean && half.tauMean < half.tau95);
});
