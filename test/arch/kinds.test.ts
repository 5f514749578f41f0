/**
 * One module per layer kind (src/arch/kinds/): the registry's contract, and fused MBConv (fmb) from its block string
 * to shapes, MAdds, params, weight names and residual rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLayer, formatNetwork, LAYER_OPS, parseLayer, parseLayers, parseNetwork } from '../../src/arch/grammar.js';
import { KINDS } from '../../src/arch/kinds/index.js';
import { listParameters } from '../../src/arch/params.js';
import { hasResidual, layerPrimitives } from '../../src/arch/primitives.js';
import { networkCost, walkShapes } from '../../src/arch/shapes.js';
import { isLayernasError } from '../../src/core/errors.js';

test('fmb parses with the documented defaults and formats canonically', () => {
  assert.deepEqual(parseLayer('fmb_k3_s1_e4_c24'), { op: 'fmb', kernel: 3, stride: 1, expansion: 4, out: 24, act: 'relu6', skip: true });
  assert.deepEqual(parseLayer('fmb_c40_hs_noskip_e2.5_s2_k5'), { op: 'fmb', kernel: 5, stride: 2, expansion: 2.5, out: 40, act: 'hswish', skip: false });
  assert.equal(formatLayer(parseLayer('fmb_c40_hswish_noskip_e2.5_s2_k5')), 'fmb_k5_s2_e2.5_c40_noskip_hs');
  assert.deepEqual(parseLayers('fmb_r3_k3_s2_e4_c24').map((l) => formatLayer(l)), ['fmb_k3_s2_e4_c24', 'fmb_k3_s1_e4_c24', 'fmb_k3_s1_e4_c24']);
  assert.ok(LAYER_OPS.includes('fmb'));
});

test('fmb errors point at the token', () => {
  const cases: [string, string, string][] = [
    ['in32x32x3/fmb_k4_s1_e4_c24', 'SPEC_INVALID', 'k4'],
    ['in32x32x3/fmb_k3_s3_e4_c24', 'SPEC_INVALID', 's3'],
    ['in32x32x3/fmb_k3_s1_e0_c24', 'SPEC_INVALID', 'e0'],
    ['in32x32x3/fmb_k3_s1_c24', 'SPEC_PARSE', ''],
    ['in32x32x3/fmb_k3_s1_e4_c24_se0.25', 'SPEC_PARSE', 'se0.25'],
  ];
  for (const [text, code, token] of cases) {
    assert.throws(() => parseNetwork(text), (e: unknown) => {
      assert.ok(isLayernasError(e, code as 'SPEC_INVALID' | 'SPEC_PARSE'), `${text}: ${String(e)}`);
      assert.equal(e.details.token, token, text);
      assert.equal(e.details.position, token ? text.indexOf(token) : text.length, text);
      return true;
    });
  }
});

test('fmb shapes, MAdds, params and weights: k×k expand (stride) + BN + act, 1×1 project + BN', () => {
  // in 16x16x16, e4 -> mid 64, stride 2 -> 8x8, out 24
  const [row] = walkShapes(parseNetwork('in16x16x16/fmb_k3_s2_e4_c24'));
  assert.ok(row);
  assert.deepEqual(row.output, { h: 8, w: 8, c: 24 });
  const expand = 8 * 8 * 64 * 16 * 9;
  const project = 8 * 8 * 24 * 64;
  assert.equal(row.madds, expand + project);
  assert.equal(row.params, 64 * 16 * 9 + 2 * 64 + 24 * 64 + 2 * 24);
  assert.equal(row.key, 'fmb_k3_s2_e4_c24@16x16x16');
  assert.deepEqual(listParameters(parseNetwork('in16x16x16/fmb_k3_s2_e4_c24')).map((t) => `${t.name}:${t.shape.join('x')}`), [
    'l0.expand.weight:64x16x3x3', 'l0.expand.bn.weight:64', 'l0.expand.bn.bias:64', 'l0.expand.bn.running_mean:64', 'l0.expand.bn.running_var:64',
    'l0.project.weight:24x64x1x1', 'l0.project.bn.weight:24', 'l0.project.bn.bias:24', 'l0.project.bn.running_mean:24', 'l0.project.bn.running_var:24',
  ]);
  // e1: mid = in; residual only when stride 1, in = out and skip
  const input = { h: 8, w: 8, c: 24 };
  assert.equal(layerPrimitives(parseLayer('fmb_k3_s1_e1_c24'), input)[0]?.kind === 'conv' && (layerPrimitives(parseLayer('fmb_k3_s1_e1_c24'), input)[0] as { cout: number }).cout, 24);
  assert.equal(hasResidual(parseLayer('fmb_k3_s1_e4_c24'), input), true);
  assert.equal(hasResidual(parseLayer('fmb_k3_s1_e4_c24_noskip'), input), false);
  assert.equal(hasResidual(parseLayer('fmb_k3_s2_e4_c24'), input), false);
  assert.equal(hasResidual(parseLayer('fmb_k3_s1_e4_c32'), input), false);
  // with countBnAct the residual add and BN/act of both convs are counted
  const plain = networkCost(parseNetwork('in8x8x24/fmb_k3_s1_e4_c24')).madds;
  const all = networkCost(parseNetwork('in8x8x24/fmb_k3_s1_e4_c24'), { countBnAct: true }).madds;
  const mid = 96;
  assert.equal(all - plain, 8 * 8 * mid * 2 + 8 * 8 * 24 + 8 * 8 * 24);
});

test('every registered kind: its module agrees with the shape walk and round-trips its own format', () => {
  const examples: Record<string, [string, { h: number; w: number; c: number }]> = {
    conv: ['conv_k3_s2_c16_g2_nobn_hs', { h: 9, w: 9, c: 16 }], skip: ['skip_s2_c24', { h: 9, w: 9, c: 16 }],
    fmb: ['fmb_k5_s1_e3_c16_relu', { h: 9, w: 9, c: 16 }], bnact: ['bnact_relu', { h: 9, w: 9, c: 16 }], fc: ['fc_c10_hs_nobias', { h: 1, w: 1, c: 16 }],
    ir: ['ir_k5_s2_e6_c24_se0.25_hsig_g2_hs', { h: 9, w: 9, c: 16 }],
    nb201cell: ['nb201cell[nor_conv_3x3,none,skip_connect,avg_pool_3x3,nor_conv_1x1,skip_connect]', { h: 8, w: 8, c: 16 }],
    natscell: ['natscell_c24', { h: 8, w: 8, c: 16 }], resblock: ['resblock_c32_s2', { h: 9, w: 9, c: 16 }], gap: ['gap', { h: 9, w: 9, c: 16 }],
  };
  for (const op of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
    const ex = examples[op];
    assert.ok(ex, `add an example for kind ${op}`);
    const [text, input] = ex;
    const layer = parseLayer(text);
    assert.equal(layer.op, op);
    assert.equal(formatLayer(layer), text);
    const head = `in${input.h}x${input.w}x${input.c}`;
    const net = parseNetwork(`${head}/${text}`);
    assert.equal(formatNetwork(net), `${head}/${text}`);
    const [row] = walkShapes(net);
    assert.deepEqual(KINDS[op].outputShape(layer as never, input), row?.output, op);
    assert.equal(row?.params, listParameters(net).filter((t) => t.trainable).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0), op);
  }
});
