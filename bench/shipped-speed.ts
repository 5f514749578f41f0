/**
 * Bench (issue 18): the files a design run or an export shipped, timed side by side at 1 thread — model_float32.tflite,
 * model_int8.tflite, model.onnx — in interleaved rounds (30 ms between files so a thread pool's spin does not leak
 * into the next file), medians and the ratios the issue judges: int8 / float TFLite (<= 1.0) and float TFLite /
 * ONNX Runtime (<= 1.3).
 *
 *   npx tsx bench/shipped-speed.ts <model dir> [--rounds 15]
 */
import { join } from 'node:path';
import { OnnxRuntime } from '../src/runtime/onnxruntime.js';
import { TfliteRuntime } from '../src/runtime/tflite.js';
import { median } from '../src/runtime/types.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/shipped-speed.ts <model dir> [--rounds 15]');
const r = process.argv.indexOf('--rounds');
const ROUNDS = r >= 0 ? Number(process.argv[r + 1]) : 15;
const tflite = new TfliteRuntime({ xnnpack: 'required' });
const models = [
  ['model_float32.tflite', await tflite.load(join(dir, 'model_float32.tflite'), { threads: 1 })],
  ['model_int8.tflite', await tflite.load(join(dir, 'model_int8.tflite'), { threads: 1 })],
  ['model.onnx', await new OnnxRuntime().load(join(dir, 'model.onnx'), { threads: 1 })],
] as const;
const samples: number[][] = models.map(() => []);
for (const [, m] of models) await m.time({ runs: 20, warmup: 5 });
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, [, m]] of models.entries()) {
    await new Promise((done) => setTimeout(done, 30));
    samples[i]?.push(median(await m.time({ runs: 20, warmup: 1 })));
  }
}
const med = samples.map((s) => median(s));
models.forEach(([name], i) => console.log(`${(med[i] as number).toFixed(4).padStart(8)} ms  ${name}`));
const [f, q, o] = med as [number, number, number];
console.log(`int8 / float TFLite ${(q / f).toFixed(2)} (goal <= 1.0: ${q <= f ? 'yes' : 'NO'}); float TFLite / ONNX Runtime ${(f / o).toFixed(2)} (goal <= 1.3: ${f / o <= 1.3 ? 'yes' : 'NO'})`);
for (const [, m] of models) await m.dispose();
