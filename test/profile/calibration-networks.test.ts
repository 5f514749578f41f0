// Which networks a table is calibrated on (src/profile/calibration-networks.ts), on the shipped FBNet and
// MobileNetV2 spaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkCost } from '../../src/arch/shapes.js';
import { calibrationDnas, costSpanningDnas, relativeOptionCosts } from '../../src/profile/calibration-networks.js';
import { interleaveEvenly, randomDnas } from '../../src/profile/profiler.js';
import { spaceNetwork } from '../../src/profile/space-networks.js';
import { loadSpace } from '../../src/space/load.js';
import type { Dna, SearchSpace } from '../../src/space/types.js';

const madds = (space: SearchSpace, d: Dna): number => networkCost(spaceNetwork(space, d)).madds;

test('relativeOptionCosts: every layer has a free option (0) and a dearest one (1); skip is free where it keeps the shape', () => {
  const space = loadSpace('fbnet');
  const costs = relativeOptionCosts(space);
  assert.equal(costs.length, space.radix.length);
  for (const c of costs) {
    assert.equal(Math.min(...c), 0);
    assert.equal(Math.max(...c), 1);
  }
  const skip = space.layers[2]?.options.indexOf('skip') as number; // s1b1: stride 1, same channels -> identity
  assert.equal(costs[2]?.[skip], 0);
});

test('costSpanningDnas starts with the cheapest and the dearest network and spans a wider cost range than random ones', () => {
  for (const name of ['fbnet', 'mobilenetv2']) {
    const space = loadSpace(name);
    const spanning = costSpanningDnas(space, 20, 5);
    assert.equal(spanning.length, 20);
    const all = spanning.map((d) => madds(space, d));
    const uniform = randomDnas(space.radix, 200, 5).map((d) => madds(space, d));
    assert.equal(Math.min(...all), all[0], `${name}: the first network is the cheapest`);
    assert.equal(Math.max(...all), all[1], `${name}: the second network is the dearest`);
    assert.ok(all[0] as number < Math.min(...uniform), `${name}: cheaper than 200 random networks`);
    assert.ok(all[1] as number > Math.max(...uniform), `${name}: dearer than 200 random networks`);
    const cheapHalf = all.slice(2).filter((m) => m < Math.min(...uniform)).length;
    const dearHalf = all.slice(2).filter((m) => m > Math.max(...uniform)).length;
    assert.ok(cheapHalf >= 3 && dearHalf >= 3, `${name}: sampled networks reach past both ends of the random ones (${cheapHalf} cheaper, ${dearHalf} dearer)`);
    assert.deepEqual(costSpanningDnas(space, 20, 5), spanning, 'same seed, same list');
  }
});

test('calibrationDnas: the random ones first (same as randomDnas, so old profile journals resume), then spanning ones, no duplicates', () => {
  const space = loadSpace('fbnet');
  const list = calibrationDnas(space, { uniform: 40, spanning: 20, seed: 101 });
  assert.deepEqual(list.slice(0, 40), randomDnas(space.radix, 40, 101));
  assert.equal(new Set(list.map((d) => d.join('-'))).size, list.length);
  assert.ok(list.length >= 58);
  assert.deepEqual(calibrationDnas(space, { uniform: 3, spanning: 0, seed: 1 }), randomDnas(space.radix, 3, 1));
  assert.deepEqual(costSpanningDnas(space, 0, 1), []);
  assert.equal(costSpanningDnas(space, 1, 1).length, 1);
});

test('interleaveEvenly spreads both lists over the whole and keeps their order', () => {
  const a = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
  const b = ['b0', 'b1', 'b2'];
  const out = interleaveEvenly(a, b);
  assert.deepEqual(out, ['a0', 'b0', 'a1', 'a2', 'b1', 'a3', 'a4', 'b2', 'a5']);
  assert.deepEqual(interleaveEvenly(a, []), a);
  assert.deepEqual(interleaveEvenly([], b), b);
  // no long run of one list when the other still has items
  const long = interleaveEvenly(Array.from({ length: 41 }, (_, i) => `x${i}`), Array.from({ length: 27 }, (_, i) => `y${i}`));
  assert.equal(long.length, 68);
  const runs = long.join(' ').split(/y\d+/).map((s) => s.trim().split(' ').filter((t) => t !== '').length);
  assert.ok(Math.max(...runs) <= 2, `longest run of blocks ${Math.max(...runs)}`);
});
