/** Every zoo network at its default input size: ONNX passes the checker, runs in ORT, matches the reference. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { initWeights } from '../../src/arch/weights.js';
import { getZooModel, zooNames, ZOO_FAMILIES } from '../../src/arch/zoo.js';
import { writeOnnx } from '../../src/export/onnx/onnx-writer.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { OnnxRuntime } from '../../src/runtime/onnxruntime.js';
import { writeTflite } from '../../src/export/tflite/index.js';
import { TfliteRuntime } from '../../src/runtime/tflite.js';
import { checkParity, compareOutputs } from '../../src/runtime/parity.js';
import { randomInput } from './graph-fixtures.js';
import { checkOnnxFiles } from './onnx-checker.js';

const dir = mkdtempSync(join(tmpdir(), 'layernas-zoo-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const names = [...zooNames(), ...ZOO_FAMILIES.map((f) => f.example)];

for (const name of names) {
  test(`zoo ${name.slice(0, 60)}: ONNX checker, ORT (1 and 2 threads) vs reference and vs TFLite ≤ 1e-4, softmax output`, async () => {
    const spec = getZooModel(name);
    const graph = lowerNetwork(spec, initWeights(spec, 11).tensors, { softmax: true });
    const file = join(dir, `${spec.name ?? 'model'}.onnx`.replace(/[^A-Za-z0-9_.-]/g, '_'));
    writeFileSync(file, writeOnnx(graph));
    assert.match(checkOnnxFiles([file]), /^ok 1/);
    const input = randomInput(5, spec.input.height * spec.input.width * spec.input.channels);
    const ort = new OnnxRuntime();
    const report = await checkParity(graph, input, [1, 2].map((threads) => ({ format: `onnx@${threads}`, file, runtime: ort, threads })));
    assert.equal(report.entries.length, 2);
    for (const e of report.entries) assert.ok(e.relDiff <= 1e-4 && e.argmaxAgrees, `${name} ${e.format}: rel diff ${e.relDiff}`);
    // the two formats against each other (TFLite float from part B's writer, XNNPack when built)
    const tfliteFile = file.replace(/\.onnx$/, '.tflite');
    writeFileSync(tfliteFile, writeTflite(graph));
    const run = async (rt: OnnxRuntime | TfliteRuntime, f: string): Promise<Float32Array> => {
      const m = await rt.load(f, { threads: 1 });
      const y = Float32Array.from((await m.run([input]))[0] as Float32Array);
      await m.dispose();
      return y;
    };
    const cross = compareOutputs(await run(ort, file), await run(new TfliteRuntime({ xnnpack: 'auto' }), tfliteFile));
    assert.ok(cross.relDiff <= 1e-4 && cross.argmaxAgrees, `${name}: ONNX vs TFLite rel diff ${cross.relDiff}`);
  });
}
