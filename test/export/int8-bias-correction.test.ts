// Bias correction for int8 weight rounding (src/export/tflite/bias-correction.ts): with the weights rounded as the int8
// export rounds them, each layer's corrected bias gives the same mean output per channel as the float layer over the
// calibration inputs (padding, stride, groups and depthwise included); the trained biases do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph } from '../../src/graph/ir.js';
import { runReference } from '../../src/graph/reference.js';
import { biasCorrectedForInt8, withInt8RoundedWeights } from '../../src/export/tflite/bias-correction.js';
import { randomInput } from './graph-fixtures.js';

const rand = (rng: Rng, n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * scale);

/** one linear layer (no activation) on a [1, 9, 9, 8] input (odd size: SAME padding is asymmetric at stride 2) */
function oneLayer(kind: string, seed: number): Graph {
  const rng = new Rng(seed);
  const g = new GraphBuilder(kind);
  const x = g.input('input', [1, 9, 9, 8]);
  const w = (n: number): Float32Array => rand(rng, n, 0.3);
  const b = (n: number): Float32Array => rand(rng, n, 0.1);
  if (kind === 'conv 3x3 stride 2') g.output(g.conv('c', x, w(6 * 3 * 3 * 8), [6, 3, 3, 8], b(6), { stride: 2, groups: 1, act: 'none' }));
  else if (kind === 'grouped 1x1') g.output(g.conv('c', x, w(8 * 4), [8, 1, 1, 4], b(8), { stride: 1, groups: 2, act: 'none' }));
  else if (kind === 'depthwise 5x5') g.output(g.conv('c', x, w(5 * 5 * 8), [1, 5, 5, 8], b(8), { stride: 1, groups: 8, act: 'none', depthwise: true }));
  else {
    const flat = g.reshape('flat', x, [1, 9 * 9 * 8]);
    g.output(g.fc('fc', flat, w(10 * 648), 10, b(10), 'none'));
  }
  return g.build();
}

function channelMeans(graph: Graph, samples: readonly Float32Array[]): Float64Array {
  let acc: Float64Array | undefined;
  let n = 0;
  for (const s of samples) {
    const y = runReference(graph, [s]).outputs[0] as Float32Array;
    const shape = graph.tensors[graph.outputs[0] as number]?.shape as readonly number[];
    const C = shape[shape.length - 1] as number;
    acc ??= new Float64Array(C);
    for (let i = 0; i < y.length; i++) acc[i % C] = (acc[i % C] as number) + (y[i] as number);
    n += y.length / C;
  }
  return (acc as Float64Array).map((v) => v / n);
}

for (const kind of ['conv 3x3 stride 2', 'grouped 1x1', 'depthwise 5x5', 'fully connected']) {
  test(`bias correction: ${kind}`, () => {
    const graph = oneLayer(kind, 3);
    // inputs with a non-zero mean per channel, as a ReLU network's activations have
    const samples = Array.from({ length: 6 }, (_, i) => randomInput(10 + i, 9 * 9 * 8).map((v, j) => v + 0.5 + 0.1 * (j % 8)));
    const float = channelMeans(graph, samples);
    const rounded = channelMeans(withInt8RoundedWeights(graph), samples);
    const corrected = channelMeans(withInt8RoundedWeights(biasCorrectedForInt8(graph, samples)), samples);
    const worst = (m: Float64Array): number => Math.max(...m.map((v, c) => Math.abs(v - (float[c] as number))));
    assert.ok(worst(rounded) > 1e-4, `rounding moved the channel means by ${worst(rounded)}`);
    assert.ok(worst(corrected) < 1e-5 + worst(rounded) / 100, `corrected: ${worst(corrected)} vs rounded ${worst(rounded)}`);
  });
}

test('bias correction leaves weights and the float graph alone', () => {
  const graph = oneLayer('conv 3x3 stride 2', 4);
  const samples = [randomInput(1, 9 * 9 * 8)];
  const corrected = biasCorrectedForInt8(graph, samples);
  const op = graph.ops[0] as Graph['ops'][number];
  assert.deepEqual(corrected.tensors[op.inputs[1] as number]?.data, graph.tensors[op.inputs[1] as number]?.data);
  assert.notDeepEqual(corrected.tensors[op.inputs[2] as number]?.data, graph.tensors[op.inputs[2] as number]?.data);
});
