/**
 * Bench (export part A, ONNX side): our MobileNetV2-1.0 @224 — time to lower / write ONNX / write TF.js, file sizes,
 * and ONNX Runtime 1.30 latency medians at 1 and 2 intra-op threads (interleaved rounds so machine-load changes hit
 * both alike). TFLite columns are in bench/int8-speed.ts, which also times our ONNX in ORT.
 *
 *   npx tsx bench/export-mobilenetv2-latency.ts [--runs 40] [--warmup 5]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initWeights } from '../src/arch/weights.js';
import { getZooModel } from '../src/arch/zoo.js';
import { writeOnnx } from '../src/export/onnx/onnx-writer.js';
import { writeTfjs } from '../src/export/tfjs/tfjs-writer.js';
import { parityInput } from '../src/export/index.js';
import { lowerNetwork } from '../src/graph/lower.js';
import { runReference } from '../src/graph/reference.js';
import { OnnxRuntime } from '../src/runtime/onnxruntime.js';
import { median } from '../src/runtime/types.js';
import { compareOutputs } from '../src/runtime/parity.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('runs', 40);
const WARMUP = arg('warmup', 5);
const q = (s: readonly number[], p: number): number => [...s].sort((a, b) => a - b)[Math.min(s.length - 1, Math.floor(p * s.length))] as number;

const dir = mkdtempSync(join(tmpdir(), 'layernas-bench-export-'));
try {
  const spec = getZooModel('mobilenet_v2_100');
  let t = performance.now();
  const weights = initWeights(spec, 1);
  const tInit = performance.now() - t;
  t = performance.now();
  const graph = lowerNetwork(spec, weights.tensors, { softmax: true });
  const tLower = performance.now() - t;
  t = performance.now();
  const onnx = writeOnnx(graph);
  const tOnnx = performance.now() - t;
  t = performance.now();
  const tfjs = writeTfjs(graph);
  const tTfjs = performance.now() - t;
  const file = join(dir, 'mobilenet_v2_100.onnx');
  writeFileSync(file, onnx);
  console.log(`MobileNetV2-1.0 @224: ${graph.ops.length} IR ops; init ${tInit.toFixed(0)} ms, lower ${tLower.toFixed(0)} ms, ` +
    `write ONNX ${tOnnx.toFixed(0)} ms (${onnx.length} B), write TF.js ${tTfjs.toFixed(0)} ms (${tfjs.reduce((s, f) => s + f.bytes.length, 0)} B in ${tfjs.length} files)`);

  const input = parityInput(spec);
  t = performance.now();
  const ref = runReference(graph, input).outputs[0] as Float32Array;
  console.log(`reference forward pass ${(performance.now() - t).toFixed(0)} ms`);
  const ort = new OnnxRuntime();
  const models = await Promise.all([1, 2].map(async (threads) => ({ threads, model: await ort.load(file, { threads }), samples: [] as number[] })));
  const parity = compareOutputs(ref, (await models[0]!.model.run([input]))[0] as Float32Array);
  console.log(`ORT vs reference: max |Δ| ${parity.relDiff.toExponential(2)} of output scale`);
  for (const m of models) await m.model.time({ runs: 0, warmup: WARMUP, inputs: [input] });
  for (let r = 0; r < Math.ceil(RUNS / 4); r++) for (const m of models) m.samples.push(...await m.model.time({ runs: 4, warmup: 0, inputs: [input] }));
  console.log(`ONNX Runtime ${ort.version}, ${RUNS} runs each after ${WARMUP} warm-ups (shared machine: expect noise)`);
  for (const m of models) {
    console.log(`  threads ${m.threads}: median ${median(m.samples).toFixed(2)} ms  p10–p90 ${q(m.samples, 0.1).toFixed(2)}–${q(m.samples, 0.9).toFixed(2)} ms  (n=${m.samples.length})`);
    await m.model.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
