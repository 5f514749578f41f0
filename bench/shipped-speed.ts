/**
 * Bench (issue 18): the files a design run or an export shipped, timed side by side at 1 thread — model_float32.tflite,
 * model_int8.tflite, model.onnx — in interleaved rounds (30 ms between files so a thread pool's spin does not leak
 * into the next file), medians and the ratios the issue judges: int8 / float TFLite (<= 1.0) and float TFLite /
 * ONNX Runtime (<= 1.3). Each file is loaded --loads times (default 3) and every load is timed in every round: one
 * load of a small model can run up to ~25% slower than another load of the same file in the same process (seen for
 * XNNPack's kernels and ours alike; memory placement), so one load per file would judge layout luck.
 *
 *   npx tsx bench/shipped-speed.ts <model dir> [--rounds 15] [--loads 3]
 */
import { join } from 'node:path';
import { OnnxRuntime } from '../src/runtime/onnxruntime.js';
import { TfliteRuntime } from '../src/runtime/tflite.js';
import { median } from '../src/runtime/types.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/shipped-speed.ts <model dir> [--rounds 15]');
const r = process.argv.indexOf('--rounds');
const ROUNDS = r >= 0 ? Number(process.argv[r + 1]) : 15;
const l = process.argv.indexOf('--loads');
const LOADS = l >= 0 ? Number(process.argv[l + 1]) : 3;
const tflite = new TfliteRuntime({ xnnpack: 'required' });
const onnx = new OnnxRuntime();
const FILES = ['model_float32.tflite', 'model_int8.tflite', 'model.onnx'] as const;
const models = [];
for (let k = 0; k < LOADS; k++) {
  for (const [i, name] of FILES.entries()) {
    models.push({ file: i, m: await (name.endsWith('.onnx') ? onnx : tflite).load(join(dir, name), { threads: 1 }) });
  }
}
const samples: number[][] = FILES.map(() => []);
for (const { m } of models) await m.time({ runs: 20, warmup: 5 });
for (let round = 0; round < ROUNDS; round++) {
  for (const { file, m } of models) {
    await new Promise((done) => setTimeout(done, 30));
    samples[file]?.push(median(await m.time({ runs: 20, warmup: 1 })));
  }
}
const med = samples.map((s) => median(s));
FILES.forEach((name, i) => console.log(`${(med[i] as number).toFixed(4).padStart(8)} ms  ${name} (${LOADS} loads × ${ROUNDS} rounds)`));
const [f, q, o] = med as [number, number, number];
console.log(`int8 / float TFLite ${(q / f).toFixed(2)} (goal <= 1.0: ${q <= f ? 'yes' : 'NO'}); float TFLite / ONNX Runtime ${(f / o).toFixed(2)} (goal <= 1.3: ${f / o <= 1.3 ? 'yes' : 'NO'})`);
for (const { m } of models) await m.dispose();
