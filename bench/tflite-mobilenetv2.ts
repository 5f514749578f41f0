/**
 * Bench: our MobileNetV2-1.0 @224 (zoo spec → deterministic weights → lowerNetwork → our writers) in
 * TFLite 2.9 + XNNPack (float32 and int8) and in ONNX Runtime (float32, our ONNX writer), at 1 and 2 threads.
 * Runs are interleaved in rounds; prints median and p10–p90 of each (the spread shows the noise of a shared
 * machine), and the goals:
 *   TFLite float ≤ 1.3 × ORT float (same threads); int8 faster than float.
 *
 *   npx tsx bench/tflite-mobilenetv2.ts [--runs 30] [--warmup 5]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/core/rng.js';
import { initWeights } from '../src/arch/weights.js';
import { mobilenetV2 } from '../src/arch/zoo.js';
import { lowerNetwork } from '../src/graph/lower.js';
import { buildTflite } from '../src/export/tflite/index.js';
import { writeOnnx } from '../src/export/onnx/onnx-writer.js';
import { OnnxRuntime } from '../src/runtime/onnxruntime.js';
import { TfliteRuntime } from '../src/runtime/tflite.js';
import type { LoadedModel, ModelRuntime } from '../src/runtime/types.js';
import { median } from '../src/runtime/types.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('runs', 30);
const WARMUP = arg('warmup', 5);

function quantile(samples: readonly number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

function image(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: 224 * 224 * 3 }, () => rng.next() * 2 - 1);
}

interface Entry {
  readonly label: string;
  readonly threads: number;
  readonly model: LoadedModel;
  readonly samples: number[];
}

async function load(label: string, runtime: ModelRuntime, file: string, threads: number): Promise<Entry> {
  return { label, threads, model: await runtime.load(file, { threads }), samples: [] };
}

/** Interleaved rounds (each model a few runs per round) so a load change on the shared machine hits all alike. */
async function measureInterleaved(entries: readonly Entry[]): Promise<void> {
  const input = [image(1)];
  for (const e of entries) await e.model.time({ runs: 0, warmup: WARMUP, inputs: input });
  const perRound = 3;
  for (let r = 0; r < Math.ceil(RUNS / perRound); r++) {
    for (const e of entries) e.samples.push(...await e.model.time({ runs: perRound, warmup: 0, inputs: input }));
  }
  for (const e of entries) {
    const m = median(e.samples);
    console.log(`${e.label.padEnd(38)} threads ${e.threads}  median ${m.toFixed(2).padStart(7)} ms   ` +
      `p10–p90 ${quantile(e.samples, 0.1).toFixed(2)}–${quantile(e.samples, 0.9).toFixed(2)} ms  (n=${e.samples.length})`);
    await e.model.dispose();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'layernas-bench-mbv2-'));
try {
  const spec = mobilenetV2(1.0);
  const graph = lowerNetwork(spec, initWeights(spec, 1).tensors, { softmax: true });
  const t0 = performance.now();
  const float = buildTflite(graph);
  const t1 = performance.now();
  process.stdout.write('calibrating int8 on 4 random images (reference forward pass) ...');
  const int8 = buildTflite(graph, { quantization: { calibration: [2, 3, 4, 5].map(image), onProgress: (d, n) => process.stdout.write(` ${d}/${n}`) } });
  const t2 = performance.now();
  const onnx = writeOnnx(graph);
  console.log(`\nwrite: float tflite ${(t1 - t0).toFixed(0)} ms, int8 tflite ${(t2 - t1).toFixed(0)} ms (incl. calibration)`);
  console.log(`sizes: float .tflite ${float.bytes.length} B, int8 .tflite ${int8.bytes.length} B (${(100 * int8.bytes.length / float.bytes.length).toFixed(1)}%), .onnx ${onnx.length} B`);
  const files = { float: join(dir, 'f.tflite'), int8: join(dir, 'q.tflite'), onnx: join(dir, 'm.onnx') };
  writeFileSync(files.float, float.bytes);
  writeFileSync(files.int8, int8.bytes);
  writeFileSync(files.onnx, onnx);

  const xnn = new TfliteRuntime({ xnnpack: 'required' });
  const plain = new TfliteRuntime({ xnnpack: 'off' });
  const ort = new OnnxRuntime();
  console.log(`MobileNetV2-1.0 @224, ${RUNS} runs after ${WARMUP} warm-ups; machine shared with other jobs: expect noise`);
  const entries: Entry[] = [];
  for (const threads of [1, 2]) {
    entries.push(await load('ONNX Runtime 1.30 float32', ort, files.onnx, threads));
    entries.push(await load('TFLite 2.9 XNNPack float32', xnn, files.float, threads));
    entries.push(await load('TFLite 2.9 XNNPack int8', xnn, files.int8, threads));
  }
  entries.push(await load('TFLite 2.9 plain interpreter float32', plain, files.float, 1));
  entries.push(await load('TFLite 2.9 plain interpreter int8', plain, files.int8, 1));
  await measureInterleaved(entries);
  const med = (i: number): number => median((entries[i] as Entry).samples);
  const results: Record<string, number> = { ort1: med(0), f1: med(1), q1: med(2), ort2: med(3), f2: med(4), q2: med(5) };
  for (const threads of [1, 2]) {
    const f = results[`f${threads}`] as number;
    const o = results[`ort${threads}`] as number;
    const q = results[`q${threads}`] as number;
    console.log(`threads ${threads}: TFLite float / ORT = ${(f / o).toFixed(2)} (goal ≤ 1.3: ${f / o <= 1.3 ? 'met' : 'NOT met'}); ` +
      `int8 / float = ${(q / f).toFixed(2)} (goal < 1: ${q < f ? 'met' : 'NOT met'})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
