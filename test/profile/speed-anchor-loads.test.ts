// Several loads of one model file are timed and the middle one is judged (src/profile/speed-anchor.ts middleLoad):
// one load of a small model ran ~25% slower than another load of the same file for its whole life, and a single
// slow load failed the README's default job at +23.7% (session 11). Pure arithmetic on timings; the loads themselves
// are exercised by test/verify/*.test.ts on this machine's runtimes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { middleLoad } from '../../src/profile/speed-anchor.js';

const load = (ms: number, perRound: number[] = []) => ({ m: [ms, ms * 1.01, ms * 0.99], a: [], perRound });

test('middleLoad: one slow load of three is outvoted; by time at the table\'s speed when there is an anchor', () => {
  const normal = load(0.40);
  const slow = load(0.50);
  const other = load(0.41);
  assert.equal(middleLoad([slow, normal, other]), other);
  assert.equal(middleLoad([normal, slow, other]), other);
  // with anchors the per-round time at the table's speed ranks the loads, not the raw median
  const a = load(0.9, [0.40, 0.41]);
  const b = load(0.1, [0.50, 0.52]);
  const c = load(0.5, [0.42, 0.43]);
  assert.equal(middleLoad([a, b, c]), c);
  assert.equal(middleLoad([a]), a);
  // two loads: the faster of the two
  assert.equal(middleLoad([slow, normal]), normal);
});
