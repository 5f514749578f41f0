import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { networkCost, walkShapes } from '../../src/arch/shapes.js';
import { fbnetNetwork, getZooModel, zooNames, FBNET_LAYERS } from '../../src/arch/zoo.js';
import { isLayernasError } from '../../src/core/errors.js';

const M = 1e6;

// Ranges from issue 2 (published MobileNet figures and their tolerances). Params are published to 0.1 M,
// so they are compared at that precision.
const TARGETS: Record<string, { madds: [number, number]; params: [number, number] }> = {
  mobilenet_v2_100: { madds: [300 * 0.99, 300 * 1.01], params: [3.4, 3.5] },
  mobilenet_v2_140: { madds: [582 * 0.985, 585 * 1.015], params: [6.0, 6.9] },
  mobilenet_v3_large_100: { madds: [217 * 0.98, 219 * 1.02], params: [5.4 * 0.97, 5.4 * 1.03] },
  mobilenet_v3_small_100: { madds: [56, 66], params: [2.5, 2.9] },
};

test('MobileNet MAdds and params are within the published ranges', () => {
  for (const [name, t] of Object.entries(TARGETS)) {
    const c = networkCost(getZooModel(name));
    const madds = c.madds / M;
    const params = Math.round(c.params / M * 10) / 10;
    assert.ok(madds >= t.madds[0] && madds <= t.madds[1], `${name} MAdds ${madds.toFixed(2)}M not in ${t.madds.join('..')}`);
    assert.ok(params >= t.params[0] && params <= t.params[1], `${name} params ${params.toFixed(3)}M not in ${t.params.join('..')}`);
  }
});

test('MobileNets end at 1x1x1000 with a 7x7 final feature map at 224', () => {
  for (const name of Object.keys(TARGETS)) {
    const rows = walkShapes(getZooModel(name));
    assert.deepEqual(rows.at(-1)?.output, { h: 1, w: 1, c: 1000 });
    const gap = rows.find((r) => r.layer.op === 'gap');
    assert.equal(gap?.input.h, 7, name);
  }
  const at160 = walkShapes(getZooModel('mobilenet_v2_100', { input: 160 }));
  assert.equal(at160.find((r) => r.layer.op === 'gap')?.input.h, 5);
});

test('FBNet skeleton: 22 searchable layers, stage channels and strides, 4x4 final map, 100 classes', () => {
  const rows = walkShapes(getZooModel('fbnet_skeleton'));
  assert.equal(rows.length, 1 + FBNET_LAYERS + 3);
  assert.deepEqual(rows.at(-3)?.input, { h: 4, w: 4, c: 352 });
  assert.equal(rows.at(-3)?.output.c, 1504);
  assert.equal(rows.at(-1)?.output.c, 100);
});

test('all 5,000 FBNet architectures of ../shared/data/fbnet build and walk', () => {
  const csv = resolve(import.meta.dirname, '../../../shared/data/fbnet/fbnet_archs_latency_ms.csv');
  assert.ok(existsSync(csv), csv);
  const lines = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
  const col = (lines[0] as string).split(',').indexOf('op_indices');
  let smallest = Infinity;
  let largest = 0;
  for (const line of lines.slice(1)) {
    const ops = (line.split(',')[col] as string).split('-').map(Number);
    const m = networkCost(fbnetNetwork(ops)).madds;
    smallest = Math.min(smallest, m);
    largest = Math.max(largest, m);
  }
  assert.equal(lines.length - 1, 5000);
  assert.ok(largest > smallest * 1.5, `MAdds vary across the sample (${smallest}..${largest})`);
  assert.throws(() => fbnetNetwork([9, ...Array(21).fill(0)]), (e) => isLayernasError(e, 'SPEC_INVALID'));
});

test('unknown zoo names throw ZOO_UNKNOWN listing the known names', () => {
  assert.throws(() => getZooModel('mobilenet_v9'), (e) => isLayernasError(e, 'ZOO_UNKNOWN') && zooNames().every((n) => (e as Error).message.includes(n)));
  assert.throws(() => getZooModel('nats_sss:8:x'), (e) => isLayernasError(e, 'ZOO_UNKNOWN'));
  assert.equal(networkCost(getZooModel('nats_sss:64:64:64:64:64')).params, 713674);
});
