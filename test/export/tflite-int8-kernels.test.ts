/**
 * layernas's int8 pointwise kernels (native/tflite-runner/int8_pointwise.c, AVX-512 VNNI) give the same int8
 * outputs as XNNPack's own QS8 kernels, bit for bit, on the shapes that stress a GEMM micro-tile: channel counts
 * that are not multiples of 4 or 16, pixel counts that are not multiples of 8, each fused activation, and chains
 * of pointwise convolutions whose intermediate tensors the delegate allocates itself. On a CPU without VNNI the
 * delegate takes nothing (asserted too), so this file checks the fallback there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildTflite } from '../../src/export/tflite/index.js';
import type { FusedActivation } from '../../src/graph/ir.js';
import { TfliteRuntime } from '../../src/runtime/tflite.js';
import { GraphBuilder, mobilenetV2Like, randomInput } from './tflite-fixtures.js';

const VNNI = /\bavx512_vnni\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
const ours = new TfliteRuntime({ xnnpack: 'required' });
const xnnpack = new TfliteRuntime({ xnnpack: 'required', int8Kernels: 'xnnpack' });

async function compare(name: string, bytes: Uint8Array, input: Float32Array | Int8Array, pointwise: number): Promise<void> {
  const a = await ours.loadBytes(bytes, { threads: 1 }, name);
  const b = await xnnpack.loadBytes(bytes, { threads: 1 }, name);
  assert.equal(a.delegation?.int8Kernels, VNNI ? pointwise : 0, `${name}: nodes on our kernels`);
  assert.equal(b.delegation?.int8Kernels, 0, `${name}: int8Kernels 'xnnpack' keeps them on XNNPack`);
  assert.deepEqual(a.delegation?.kept, {}, `${name}: nothing left on TFLite's reference kernels`);
  const [ya] = await a.run([input]);
  const [yb] = await b.run([input]);
  assert.equal(ya?.length, yb?.length);
  const diff = Array.from(ya as ArrayLike<number>).findIndex((v, i) => v !== (yb as ArrayLike<number>)[i]);
  assert.equal(diff, -1, `${name}: output ${diff} differs: ${(ya as ArrayLike<number>)[diff]} vs ${(yb as ArrayLike<number>)[diff]}`);
  await a.dispose();
  await b.dispose();
}

function int8Input(n: number, seed: number): Int8Array {
  const f = randomInput([n], seed);
  return Int8Array.from(f, (v) => Math.max(-128, Math.min(127, Math.round(v * 60))));
}

const SHAPES: [number, number, number, number, FusedActivation][] = [
  // H, W, K (in), N (out), activation
  [7, 7, 5, 7, 'none'],
  [3, 5, 24, 16, 'relu6'],
  [9, 9, 13, 17, 'relu'],
  [8, 8, 67, 40, 'relu6'],
  [1, 1, 160, 1, 'none'],
  [14, 14, 96, 33, 'none'],
];

for (const [H, W, K, N, act] of SHAPES) {
  test(`pointwise ${H}x${W} ${K}->${N} ${act}: our VNNI kernel equals XNNPack (int8 I/O)`, async () => {
    const g = new GraphBuilder(`pw-${K}-${N}`, K * N);
    const x = g.tensor('x', [1, H, W, K]);
    g.conv(x, N, 1, 1, act);
    const graph = g.build([x], [g.tensors.length - 1]);
    const cal = [randomInput([1, H, W, K], 1), randomInput([1, H, W, K], 2)];
    const bytes = buildTflite(graph, { quantization: { calibration: cal, io: 'int8' } }).bytes;
    await compare(`pw ${K}->${N}`, bytes, int8Input(H * W * K, 3), 1);
  });
}

test('a chain of pointwise convolutions (intermediates owned by the delegate) and a residual add', async () => {
  const g = new GraphBuilder('chain', 11);
  const x = g.tensor('x', [1, 10, 10, 12]);
  const a = g.conv(x, 20, 1, 1, 'relu6');
  const b = g.conv(a, 12, 1, 1, 'none');
  const c = g.binary('add', b, x);
  g.conv(c, 9, 1, 1, 'relu');
  const graph = g.build([x], [g.tensors.length - 1]);
  const cal = [randomInput([1, 10, 10, 12], 4), randomInput([1, 10, 10, 12], 5)];
  const bytes = buildTflite(graph, { quantization: { calibration: cal, io: 'int8' } }).bytes;
  await compare('chain', bytes, int8Input(1200, 6), 3);
});

test('a MobileNetV2-like network (float I/O, softmax): same probabilities as XNNPack alone', async () => {
  const graph = mobilenetV2Like(64, [16, 24, 32], 9);
  const shape = graph.tensors[graph.inputs[0] as number]?.shape ?? [];
  const cal = [1, 2, 3].map((s) => randomInput(shape, s));
  const bytes = buildTflite(graph, { quantization: { calibration: cal } }).bytes;
  // expansion and projection of 2 blocks, the final 1x1 conv (the classifier is FULLY_CONNECTED: XNNPack's)
  await compare('mobilenetv2-like', bytes, randomInput(shape, 7), 5);
});

test('at 2 threads XNNPack keeps every node (our kernels are single-threaded)', async () => {
  const graph = mobilenetV2Like(32, [16, 24], 9);
  const shape = graph.tensors[graph.inputs[0] as number]?.shape ?? [];
  const bytes = buildTflite(graph, { quantization: { calibration: [randomInput(shape, 1)] } }).bytes;
  const m = await ours.loadBytes(bytes, { threads: 2 });
  assert.equal(m.delegation?.int8Kernels, 0);
  assert.equal(m.delegation?.partitions, 1);
  await m.dispose();
});
