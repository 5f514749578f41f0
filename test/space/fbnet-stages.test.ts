import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { networkCost, walkShapes } from '../../src/arch/shapes.js';
import { fbnetNetwork } from '../../src/arch/zoo.js';
import { isLayernasError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { handDesignedBaseline } from '../../src/design/baseline.js';
import { resolveLatencySource } from '../../src/design/latency-source.js';
import { buildDesignProblem } from '../../src/design/problem.js';
import { loadDesignSpace } from '../../src/design/space-networks.js';
import { distinctSpaceBlocks } from '../../src/profile/space-networks.js';
import { decodeArch } from '../../src/space/decode.js';
import { fbnetStageOps } from '../../src/space/fbnet-stages.js';
import { parseSpaceJson } from '../../src/space/load.js';
import { networkCostModel } from '../../src/cost/network-cost.js';
import { decodeNetwork } from '../../src/space/network.js';
import { resolveTarget } from '../../src/targets/load.js';

const stages = loadDesignSpace('fbnet_stages');

test('fbnet_stages: 12 decisions expand to the 22 FBNet op indices (block for the first d layers of a stage, then skip)', () => {
  assert.deepEqual(stages.radix, [7, 6, 4, 6, 4, 6, 4, 6, 4, 6, 4, 7]);
  // s0 k3_e3, s1 k5_e6 x2, s2 k3_e1 x4, s3 k3_e6 x1, s4 k5_e1 x3, s5 k3_e3 x2, s6 skip
  const dna = [1, 5, 1, 0, 3, 2, 0, 3, 2, 1, 1, 6];
  const ops = fbnetStageOps(stages, dna);
  assert.deepEqual(ops, [2, 7, 7, 8, 8, 0, 0, 0, 0, 3, 8, 8, 8, 4, 4, 4, 8, 2, 2, 8, 8, 8]);
  assert.equal(decodeArch(stages, dna), ops.join('-'));
  assert.deepEqual(decodeNetwork(stages, dna, 10).layers, fbnetNetwork(ops, { classes: 10 }).layers);
});

test('fbnet_stages: a block or depth that does not fit its stage is SPACE_INVALID naming the decision', () => {
  const raw = JSON.parse(JSON.stringify({ name: 'st', decoder: 'fbnet_stages', layers: stages.layers }));
  raw.layers[1].options = ['k3_e1', 'skip'];
  assert.throws(() => decodeNetwork(parseSpaceJson(JSON.stringify(raw), 'st.json'), Array(12).fill(0)),
    (e) => isLayernasError(e, 'SPACE_INVALID') && /s1:op/.test(e.message) && /"skip"/.test(e.message));
  raw.layers[1].options = ['k3_e1'];
  raw.layers[2].options = ['d1', 'd5'];
  assert.throws(() => decodeNetwork(parseSpaceJson(JSON.stringify(raw), 'st.json'), Array(12).fill(0)), (e) => isLayernasError(e, 'SPACE_INVALID') && /"d5"/.test(e.message));
  raw.layers = raw.layers.slice(0, 11);
  raw.layers[2].options = ['d1'];
  assert.throws(() => decodeNetwork(parseSpaceJson(JSON.stringify(raw), 'st.json'), Array(11).fill(0)), (e) => isLayernasError(e, 'SPACE_INVALID'));
});

test('fbnet_stages: the covering networks contain every block of random architectures (what a table must hold)', () => {
  const keys = new Set(distinctSpaceBlocks(stages).map((b) => b.key));
  const rng = new Rng(7);
  for (let t = 0; t < 200; t++) {
    const net = decodeNetwork(stages, stages.radix.map((r) => rng.int(r)));
    for (const row of walkShapes(net)) assert.ok(keys.has(row.key), `missing ${row.key}`);
  }
});

test('fbnet_stages: MAdds are additive per stage with exact completion bounds', () => {
  const madds = networkCostModel(stages, 'madds', 10);
  const exact = (dna: number[]): number => networkCost(decodeNetwork(stages, dna, 10)).madds;
  const rng = new Rng(3);
  for (let t = 0; t < 30; t++) {
    const dna = stages.radix.map((r) => rng.int(r));
    assert.equal(madds.cost(dna), exact(dna));
    for (const fixed of [0, 2, 3, 7, 11]) {
      const b = madds.completionBounds(dna, fixed);
      // bounds hold for random completions and are attained when only the last decision is free
      for (let k = 0; k < 5; k++) {
        const c = dna.map((v, i) => (i < fixed ? v : rng.int(stages.radix[i] as number)));
        const m = exact(c);
        assert.ok(m >= b.min - 1e-6 && m <= b.max + 1e-6);
      }
    }
    const last = Array.from({ length: stages.radix[11] as number }, (_, o) => exact(dna.map((v, i) => (i === 11 ? o : v))));
    assert.deepEqual(madds.completionBounds(dna, 11), { min: Math.min(...last), max: Math.max(...last) });
    // the depth decision of s1 is free: bounds over its 4 depths given the fixed block
    const depths = [0, 1, 2, 3].map((d) => exact(dna.map((v, i) => (i === 2 ? d : v))));
    const fixedAll = (i: number): boolean => i !== 2;
    const inner = stages.radix.map((_, i) => i);
    assert.ok(inner.every((i) => fixedAll(i) || i === 2));
    const b2 = madds.completionBounds(dna, 2);
    assert.ok(b2.min <= Math.min(...depths) + 1e-6 && b2.max >= Math.max(...depths) - 1e-6);
  }
});

test('fbnet_stages on the Pixel 3 table: the hand-designed baseline is the same network as in the 22-layer fbnet space', async () => {
  const loaded = resolveTarget('pixel3-tflite');
  const noop = { start() {}, tick() {}, finish() {}, note() {} };
  const out = mkdtempSync(path.join(tmpdir(), 'stages-'));
  const problem = async (space: string, ms: number) => buildDesignProblem(
    await resolveLatencySource({ loaded, space: loadDesignSpace(space), classes: 10, extraTables: [], outDir: out, profileRounds: 1, seed: 0, progress: noop }), 'pixel3-tflite', ms, undefined);
  for (const ms of [5, 6, 7, 8]) {
    const ps = await problem('fbnet_stages', ms), pf = await problem('fbnet', ms);
    const bs = handDesignedBaseline(ps)!, bf = handDesignedBaseline(pf)!;
    // the same network: per stage the same first layer and the same multiset of later layers (identical shapes)
    const canonical = (ops: readonly number[]): string => [[0, 1], [1, 5], [5, 9], [9, 13], [13, 17], [17, 21], [21, 22]]
      .map(([a, b]) => [ops[a as number], ...ops.slice((a as number) + 1, b).sort()].join(',')).join('|');
    assert.equal(canonical(fbnetStageOps(ps.networks.space, bs.dna)), canonical(bf.dna), `${ms} ms`);
    assert.equal(bs.dropped.length, bf.dropped.length);
    assert.ok(Math.abs(ps.latency.cost(bs.dna) - pf.latency.cost(bf.dna)) < 1e-9);
    assert.ok(ps.latency.cost(bs.dna) <= ms);
  }
});
