/**
 * Bench (issue 18): one operator at MobileNetV2 shapes, float32 vs int8 in TFLite 2.9 + XNNPack (1 thread), so the
 * int8 speed-up of whole networks can be traced to the kernels. Every model is one XNNPack partition (printed).
 * Interleaved rounds, medians; the machine is shared.
 *
 *   npx tsx bench/int8-op-speed.ts [--rounds 15]
 */
import { Rng } from '../src/core/rng.js';
import { buildTflite } from '../src/export/tflite/index.js';
import { TfliteRuntime } from '../src/runtime/tflite.js';
import { median, type LoadedModel } from '../src/runtime/types.js';
import { GraphBuilder } from '../test/export/tflite-fixtures.js';

const i = process.argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(process.argv[i + 1]) : 15;

const CASES: [string, number[], (g: GraphBuilder, x: number) => number][] = [
  ['conv 3x3 s2 224x224 3->32 relu6', [1, 224, 224, 3], (g, x) => g.conv(x, 32, 3, 2, 'relu6')],
  ['pointwise 56x56 24->144 relu6', [1, 56, 56, 24], (g, x) => g.conv(x, 144, 1, 1, 'relu6')],
  ['depthwise 3x3 56x56x144 relu6', [1, 56, 56, 144], (g, x) => g.dw(x, 3, 1, 'relu6')],
  ['pointwise 56x56 144->24', [1, 56, 56, 144], (g, x) => g.conv(x, 24, 1, 1, 'none')],
  ['pointwise 28x28 192->32', [1, 28, 28, 192], (g, x) => g.conv(x, 32, 1, 1, 'none')],
  ['pointwise 7x7 320->1280 relu6', [1, 7, 7, 320], (g, x) => g.conv(x, 1280, 1, 1, 'relu6')],
];

const rt = new TfliteRuntime({ xnnpack: 'required' });
const rows: { name: string; models: { label: string; m: LoadedModel; s: number[] }[] }[] = [];
for (const [name, shape, build] of CASES) {
  const g = new GraphBuilder(name);
  const x = g.tensor('x', shape);
  build(g, x);
  const graph = g.build([x], [g.tensors.length - 1]);
  const rng = new Rng(3);
  const n = shape.reduce((a, b) => a * b, 1);
  const cal = [Float32Array.from({ length: n }, () => rng.next() * 2 - 1)];
  const variants: [string, Uint8Array][] = [
    ['float32', buildTflite(graph).bytes],
    ['int8 (float I/O)', buildTflite(graph, { quantization: { calibration: cal } }).bytes],
    ['int8 (int8 I/O)', buildTflite(graph, { quantization: { calibration: cal, io: 'int8' } }).bytes],
  ];
  const models = [];
  for (const [label, bytes] of variants) models.push({ label, m: await rt.loadBytes(bytes, { threads: 1 }), s: [] as number[] });
  rows.push({ name, models });
}
for (const r of rows) for (const v of r.models) await v.m.time({ runs: 3, warmup: 3 });
for (let k = 0; k < ROUNDS; k++) for (const r of rows) for (const v of r.models) v.s.push(...await v.m.time({ runs: 5, warmup: 0 }));
console.log('operator                              float32 ms   int8 ms (float I/O)   int8 ms (int8 I/O)   float/int8 (int8 I/O)');
for (const r of rows) {
  const [f, q, qi] = r.models.map((v) => median(v.s)) as [number, number, number];
  const parts = r.models.map((v) => (v.m as { delegation?: { partitions: number } }).delegation?.partitions).join('/');
  console.log(`${r.name.padEnd(36)} ${f.toFixed(4).padStart(9)}   ${q.toFixed(4).padStart(12)}          ${qi.toFixed(4).padStart(12)}         ${(f / qi).toFixed(2).padStart(6)}   (partitions ${parts})`);
}
