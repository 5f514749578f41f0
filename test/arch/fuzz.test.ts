/**
 * Malformed block strings never crash the parser: each gives a LayernasError SPEC_PARSE or SPEC_INVALID whose
 * details name the position (inside the input) and the offending token, and whose message shows a caret line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNetwork, parseNetwork } from '../../src/arch/grammar.js';
import { walkShapes } from '../../src/arch/shapes.js';
import { getZooModel, zooNames } from '../../src/arch/zoo.js';
import { LayernasError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { randomNetwork } from './random-specs.js';

/** Parses `text`; returns the typed error, or null if it parsed (then the spec must walk cleanly). */
function parseOrError(text: string): LayernasError | null {
  let spec;
  try {
    spec = parseNetwork(text);
  } catch (e) {
    assert.ok(e instanceof LayernasError, `non-typed error for ${JSON.stringify(text)}: ${String(e)}`);
    assert.ok(e.code === 'SPEC_PARSE' || e.code === 'SPEC_INVALID', `code ${e.code} for ${JSON.stringify(text)}`);
    const { input, position, token } = e.details as { input: unknown; position: unknown; token: unknown };
    assert.equal(input, text);
    assert.ok(typeof position === 'number' && position >= 0 && position <= text.length, `position ${String(position)} in ${JSON.stringify(text)}`);
    assert.equal(typeof token, 'string');
    assert.equal(text.slice(position, position + (token as string).length), token, 'token is the text at position');
    assert.match(e.message, /at position \d+/);
    assert.match(e.message, /\^/);
    return e;
  }
  walkShapes(spec); // anything the parser accepts must be walkable
  return null;
}

const BASE = 'in224x224x3/conv_k3_s2_c32/ir_k3_s1_e1_c16/ir_k5_s2_e6_c24_se0.25_hs/skip_s2_c32/gap/fc_c1000';

test('targeted malformations give the expected code at the offending token', () => {
  const cases: [string, 'SPEC_PARSE' | 'SPEC_INVALID', string][] = [
    [BASE.replace('ir_k5', 'ir_k4'), 'SPEC_INVALID', 'k4'],
    [BASE.replace('conv_k3_s2', 'conv_k3_s3'), 'SPEC_INVALID', 's3'],
    [BASE.replace('c32/', 'c0/'), 'SPEC_INVALID', 'c0'],
    [BASE.replace('c32/', 'c-32/'), 'SPEC_INVALID', 'c-32'],
    [BASE.replace('skip_s2', 'skipp_s2'), 'SPEC_PARSE', 'skipp'],
    [BASE.replace('/gap', '/gapp'), 'SPEC_PARSE', 'gapp'],
    [BASE.replace('_se0.25', '_se2'), 'SPEC_INVALID', 'se2'],
    [BASE.replace('_e6_', '_e0_'), 'SPEC_INVALID', 'e0'],
    [BASE.replace('_hs', '_swish'), 'SPEC_PARSE', 'swish'],
    [BASE.replace('conv_k3_s2_c32', 'conv_k3_s2_c30_g4'), 'SPEC_INVALID', 'conv_k3_s2_c30_g4'],
    [BASE.replace('/gap', ''), 'SPEC_INVALID', 'fc_c1000'],
    [BASE.replace('/gap', '//gap'), 'SPEC_PARSE', ''],
    [BASE.replace('in224x224x3', 'in224x224'), 'SPEC_PARSE', 'in224x224'],
    [BASE.replace('in224x224x3', 'in0x224x3'), 'SPEC_INVALID', 'in0x224x3'],
    [BASE.replace('conv_k3_s2_c32', 'conv_k3_k5_s2_c32'), 'SPEC_PARSE', 'k5'],
    [BASE.slice(0, BASE.indexOf('_c16')), 'SPEC_PARSE', ''],
    ['in32x32x3/nb201cell[nor_conv_3x3,none', 'SPEC_PARSE', ''],
    ['in32x32x3/nb201cell[nor_conv_3x3,none,none,none,none,conv_5x5]', 'SPEC_PARSE', 'conv_5x5'],
    ['', 'SPEC_PARSE', ''],
  ];
  for (const [text, code, token] of cases) {
    const e = parseOrError(text);
    assert.ok(e, `expected an error for ${JSON.stringify(text)}`);
    assert.equal(e.code, code, `${JSON.stringify(text)}: ${e.message}`);
    assert.equal(e.details['token'], token, `${JSON.stringify(text)}: ${e.message}`);
  }
});

test('every truncation of a valid network string parses or fails with a positioned typed error', () => {
  let errors = 0;
  for (const name of zooNames()) {
    const text = formatNetwork(getZooModel(name));
    for (let cut = 0; cut < text.length; cut++) if (parseOrError(text.slice(0, cut))) errors++;
  }
  assert.ok(errors > 100, `most truncations are errors (${errors})`);
});

test('5,000 random byte mutations never crash', () => {
  const rng = new Rng(7);
  const seeds = [...zooNames().map((n) => formatNetwork(getZooModel(n))), BASE];
  for (let i = 0; i < 200; i++) seeds.push(formatNetwork(randomNetwork(rng)));
  let errors = 0;
  for (let i = 0; i < 5000; i++) {
    let text = rng.pick(seeds);
    const edits = 1 + rng.int(3);
    for (let k = 0; k < edits; k++) {
      const at = rng.int(text.length + 1);
      const ch = rng.next() < 0.5 ? String.fromCharCode(rng.int(256)) : rng.pick(['_', '/', '-', '0', '4', '3', 'x', '[', ']', ',', '.', 'e', 'c', 's', 'k']);
      const mode = rng.int(3);
      text = mode === 0 ? text.slice(0, at) + ch + text.slice(at + 1) : mode === 1 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    }
    if (parseOrError(text)) errors++;
  }
  assert.ok(errors > 2500, `most mutations are errors (${errors})`);
});
