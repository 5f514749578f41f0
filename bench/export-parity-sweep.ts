/**
 * The parity sweep across formats: every zoo network and N random architectures of each search space
 * (default 50) → ONNX (checker, ORT) and TFLite float (XNNPack when built) → max |Δ| relative to the output scale
 * against the reference forward pass and between the two formats. Prints the worst case per group.
 *
 *   npx tsx bench/export-parity-sweep.ts [--count 50]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkSpec } from '../src/arch/spec.js';
import { initWeights } from '../src/arch/weights.js';
import { getZooModel, zooNames, ZOO_FAMILIES } from '../src/arch/zoo.js';
import { Rng } from '../src/core/rng.js';
import { parityInput } from '../src/export/index.js';
import { writeOnnx } from '../src/export/onnx/onnx-writer.js';
import { writeTflite } from '../src/export/tflite/index.js';
import { lowerNetwork } from '../src/graph/lower.js';
import { runReference } from '../src/graph/reference.js';
import { OnnxRuntime } from '../src/runtime/onnxruntime.js';
import { TfliteRuntime } from '../src/runtime/tflite.js';
import type { ModelRuntime } from '../src/runtime/types.js';
import { compareOutputs } from '../src/runtime/parity.js';
import { randomArch, type SpaceName } from '../test/export/random-archs.js';

const i = process.argv.indexOf('--count');
const COUNT = i >= 0 ? Number(process.argv[i + 1]) : 50;
const dir = mkdtempSync(join(tmpdir(), 'layernas-sweep-'));
const ort = new OnnxRuntime();
const tfl = new TfliteRuntime({ xnnpack: 'auto' });

async function run(rt: ModelRuntime, file: string, x: Float32Array): Promise<Float32Array> {
  const m = await rt.load(file, { threads: 1 });
  const y = Float32Array.from((await m.run([x]))[0] as Float32Array);
  await m.dispose();
  return y;
}

async function group(label: string, specs: readonly NetworkSpec[]): Promise<void> {
  let worst = { onnx: 0, tflite: 0, cross: 0 };
  let argmaxMisses = 0;
  const files: string[] = [];
  const t0 = performance.now();
  for (const [k, spec] of specs.entries()) {
    const graph = lowerNetwork(spec, initWeights(spec, k).tensors);
    const onnx = join(dir, `${label}-${k}.onnx`);
    const tflite = join(dir, `${label}-${k}.tflite`);
    writeFileSync(onnx, writeOnnx(graph));
    writeFileSync(tflite, writeTflite(graph));
    files.push(onnx);
    const x = parityInput(spec, k + 1);
    const ref = runReference(graph, x).outputs[0] as Float32Array;
    const [yo, yt] = [await run(ort, onnx, x), await run(tfl, tflite, x)];
    const [co, ct, cx] = [compareOutputs(ref, yo), compareOutputs(ref, yt), compareOutputs(yo, yt)];
    worst = { onnx: Math.max(worst.onnx, co.relDiff), tflite: Math.max(worst.tflite, ct.relDiff), cross: Math.max(worst.cross, cx.relDiff) };
    if (!co.argmaxAgrees || !ct.argmaxAgrees) argmaxMisses++;
  }
  const checker = execFileSync('/usr/bin/python3', ['-c', 'import onnx,sys\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok", len(sys.argv)-1)', ...files], { encoding: 'utf8' }).trim();
  for (const f of files) { rmSync(f); rmSync(f.replace(/\.onnx$/, '.tflite')); }
  const ok = Math.max(worst.onnx, worst.tflite, worst.cross) <= 1e-4 && argmaxMisses === 0;
  console.log(`${label.padEnd(12)} n=${String(specs.length).padStart(3)}  onnx-vs-ref ${worst.onnx.toExponential(2)}  tflite-vs-ref ${worst.tflite.toExponential(2)}  ` +
    `onnx-vs-tflite ${worst.cross.toExponential(2)}  argmax misses ${argmaxMisses}  checker: ${checker}  ${ok ? 'OK (≤ 1e-4)' : 'FAIL'}  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

try {
  console.log(`worst max |Δ| relative to output scale; XNNPack plugin ${tfl.xnnpackAvailable() ? 'built (delegated)' : 'missing (plain TFLite)'}`);
  await group('zoo', [...zooNames(), ...ZOO_FAMILIES.map((f) => f.example)].map((n) => getZooModel(n)));
  for (const space of ['nb201', 'nats_sss', 'fbnet', 'mobilenetv2'] as SpaceName[]) {
    const rng = new Rng(0xbe7c + space.length);
    await group(space, Array.from({ length: COUNT }, () => randomArch(space, rng)));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
