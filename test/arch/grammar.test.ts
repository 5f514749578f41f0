import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLayer, formatNetwork, LAYER_OPS, parseLayer, parseLayers, parseNetwork } from '../../src/arch/grammar.js';
import { walkShapes } from '../../src/arch/shapes.js';
import { getZooModel, zooNames } from '../../src/arch/zoo.js';
import { isLayernasError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import type { NetworkSpec } from '../../src/arch/spec.js';
import { randomNetwork } from './random-specs.js';

const withoutName = (s: NetworkSpec): NetworkSpec => ({ input: s.input, layers: s.layers });

test('every layer kind parses from the documented examples with the documented defaults', () => {
  assert.deepEqual(parseLayer('conv_k3_s2_c32_relu6'), { op: 'conv', kernel: 3, stride: 2, out: 32, groups: 1, act: 'relu6', bn: true });
  assert.deepEqual(parseLayer('conv_k1_s1_c64_g2_nobn_noact'), { op: 'conv', kernel: 1, stride: 1, out: 64, groups: 2, act: 'none', bn: false });
  assert.deepEqual(parseLayer('ir_k5_s2_e6_c40_se0.25_hs'), {
    op: 'ir', kernel: 5, stride: 2, expansion: 6, out: 40, se: 0.25, seGate: 'sigmoid', act: 'hswish', groups: 1, skip: true,
  });
  assert.deepEqual(parseLayer('ir_k3_s1_e1_c16_g2_noskip_hsig'), {
    op: 'ir', kernel: 3, stride: 1, expansion: 1, out: 16, se: 0, seGate: 'hsigmoid', act: 'relu6', groups: 2, skip: false,
  });
  assert.deepEqual(parseLayer('skip_s2_c24'), { op: 'skip', stride: 2, out: 24 });
  assert.deepEqual(parseLayer('natscell_c32'), { op: 'natscell', out: 32 });
  assert.deepEqual(parseLayer('resblock_c32_s2'), { op: 'resblock', out: 32, stride: 2 });
  assert.deepEqual(parseLayer('bnact_relu'), { op: 'bnact', act: 'relu' });
  assert.deepEqual(parseLayer('gap'), { op: 'gap' });
  assert.deepEqual(parseLayer('fc_c1000'), { op: 'fc', out: 1000, act: 'none', bias: true });
  assert.deepEqual(parseLayer('fc_c1280_hs_nobias'), { op: 'fc', out: 1280, act: 'hswish', bias: false });
  const edges = ['nor_conv_3x3', 'skip_connect', 'none', 'avg_pool_3x3', 'nor_conv_1x1', 'nor_conv_3x3'];
  assert.deepEqual(parseLayer(`nb201cell[${edges.join(',')}]`), { op: 'nb201cell', edges });
  assert.deepEqual(
    parseLayer('nb201cell[|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|]'),
    { op: 'nb201cell', edges },
  );
});

test('format is canonical: part order and aliases normalise to one string', () => {
  assert.equal(formatLayer(parseLayer('ir_c40_hswish_e6_s2_k5_se0.25')), 'ir_k5_s2_e6_c40_se0.25_hs');
  assert.equal(formatLayer(parseLayer('conv_k3_s2_c32_relu6')), 'conv_k3_s2_c32');
  assert.equal(formatLayer(parseLayer('resblock_s2_c32')), 'resblock_c32_s2');
});

test('r<n> repeats a layer n times with the stride on the first only', () => {
  const layers = parseLayers('ir_r3_k3_s2_e6_c24');
  assert.deepEqual(layers.map(formatLayer), ['ir_k3_s2_e6_c24', 'ir_k3_s1_e6_c24', 'ir_k3_s1_e6_c24']);
  const net = parseNetwork('in32x32x3/conv_r2_k3_s2_c8/gap/fc_c10');
  assert.equal(formatNetwork(net), 'in32x32x3/conv_k3_s2_c8/conv_k3_s1_c8/gap/fc_c10');
  assert.throws(() => parseLayer('ir_r2_k3_s2_e6_c24'), (e) => isLayernasError(e, 'SPEC_PARSE'));
});

test('every zoo network round-trips format -> parse -> identical spec', () => {
  for (const name of zooNames()) {
    const spec = getZooModel(name);
    const text = formatNetwork(spec);
    const back = parseNetwork(text);
    assert.deepEqual(back, withoutName(spec), name);
    assert.equal(formatNetwork(back), text, name);
  }
});

test('1,000 seeded random specs round-trip format -> parse -> identical spec', () => {
  const rng = new Rng(20240601);
  const kinds = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const spec = randomNetwork(rng);
    walkShapes(spec); // the generator only makes valid networks
    const text = formatNetwork(spec);
    const back = parseNetwork(text);
    assert.deepEqual(back, spec, text);
    assert.equal(formatNetwork(back), text);
    for (const l of spec.layers) kinds.add(l.op);
  }
  assert.equal(kinds.size, LAYER_OPS.length, `all ${LAYER_OPS.length} layer kinds covered, got ${[...kinds].join(',')}`);
});

test('a string without an input token needs defaultInput', () => {
  assert.throws(() => parseNetwork('conv_k3_s2_c8/gap'), (e) => isLayernasError(e, 'SPEC_PARSE'));
  const net = parseNetwork('conv_k3_s2_c8/gap', { defaultInput: { height: 32, width: 32, channels: 3 } });
  assert.equal(formatNetwork(net), 'in32x32x3/conv_k3_s2_c8/gap');
});
