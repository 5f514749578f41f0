import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isLayernasError } from '../../src/core/errors.js';
import { onnxModelOf, writeOnnx } from '../../src/export/onnx/onnx-writer.js';
import { runReference } from '../../src/graph/reference.js';
import { OnnxRuntime } from '../../src/runtime/onnxruntime.js';
import { calibrate, planActivationParams } from '../../src/export/tflite/calibration.js';
import { allOpsGraph, randomInput } from './graph-fixtures.js';
import { checkOnnxFiles } from './onnx-checker.js';

const dir = mkdtempSync(join(tmpdir(), 'layernas-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function maxRelDiff(a: Float32Array, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
    s = Math.max(s, Math.abs(a[i] as number));
  }
  return d / Math.max(s, 1e-12);
}

test('every IR op type: ONNX passes the checker, loads in ORT with NHWC interface, matches the reference', async () => {
  for (const size of [9, 8]) {
    const g = allOpsGraph(size, size);
    const file = join(dir, `all-ops-${size}.onnx`);
    writeFileSync(file, writeOnnx(g));
    assert.match(checkOnnxFiles([file]), /^ok 1/);
    const model = await new OnnxRuntime().load(file, { threads: 1 });
    assert.deepEqual(model.inputs.map((i) => i.shape), [[1, size, size, 3]]);
    assert.deepEqual(model.outputs.map((o) => o.shape), g.outputs.map((id) => g.tensors[id]?.shape));
    const input = randomInput(size, size * size * 3);
    const ref = runReference(g, input);
    const outs = await model.run([input]);
    outs.forEach((o, i) => assert.ok(maxRelDiff(ref.outputs[i] as Float32Array, o as Float32Array) <= 1e-5, `output ${i}`));
    // the softmax output is a distribution: catches a wrong axis
    assert.ok(Math.abs((outs[0] as Float32Array).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    await model.dispose();
  }
});

test('ONNX model header: IR 8, opset 17, weights transposed to OIHW', () => {
  const m = onnxModelOf(allOpsGraph(3));
  assert.equal(m.irVersion, 8);
  assert.equal(m.opsetVersion, 17);
  const stemW = m.initializers.find((t) => t.name === 'stem.weight');
  assert.deepEqual(stemW?.dims, [8, 3, 3, 3]);
  const dwW = m.initializers.find((t) => t.name === 'dw.weight');
  assert.deepEqual(dwW?.dims, [8, 1, 5, 5]);
  assert.ok(m.nodes.some((n) => n.opType === 'HardSigmoid' && n.attributes.some((a) => a.name === 'alpha' && Math.abs((a.value as number) - 1 / 6) < 1e-9)));
});

test('ORT load errors are typed: garbage file → MODEL_INVALID, missing file → MODEL_INVALID, bad threads → USAGE', async () => {
  const bad = join(dir, 'garbage.onnx');
  writeFileSync(bad, 'this is not a protobuf');
  const ort = new OnnxRuntime();
  await assert.rejects(ort.load(bad, { threads: 1 }), (e) => isLayernasError(e, 'MODEL_INVALID') && e.message.includes(bad));
  await assert.rejects(ort.load(join(dir, 'nope.onnx'), { threads: 1 }), (e) => isLayernasError(e, 'MODEL_INVALID'));
  await assert.rejects(ort.load(bad, { threads: 0 }), (e) => isLayernasError(e, 'USAGE'));
});

test('time() returns one positive sample per run at 1 and 2 threads', async () => {
  const file = join(dir, 'timing.onnx');
  writeFileSync(file, writeOnnx(allOpsGraph(4)));
  for (const threads of [1, 2]) {
    const model = await new OnnxRuntime().load(file, { threads });
    const samples = await model.time({ runs: 5, warmup: 2 });
    assert.equal(samples.length, 5);
    assert.ok(samples.every((s) => s > 0));
    await model.dispose();
  }
});

test('int8 QDQ ONNX: passes the checker, runs in ORT, stays within 5% of the output scale of the float reference', async () => {
  const g = allOpsGraph(21, 9);
  const calibration = Array.from({ length: 8 }, (_, i) => randomInput(100 + i, 9 * 9 * 3));
  const activations = planActivationParams(g, calibrate(g, calibration));
  const model = onnxModelOf(g, { int8Activations: activations });
  assert.ok(model.nodes.filter((n) => n.opType === 'QuantizeLinear').length >= g.ops.length - 2);
  assert.ok(model.initializers.some((t) => t.name === 'stem.weight_int8' && t.dataType === 3));
  assert.ok(model.initializers.some((t) => t.name === 'stem.bias_int32' && t.dataType === 6));
  const file = join(dir, 'int8.onnx');
  writeFileSync(file, writeOnnx(g, { int8Activations: activations }));
  assert.match(checkOnnxFiles([file]), /^ok 1/);
  const m = await new OnnxRuntime().load(file, { threads: 1 });
  for (let k = 0; k < 3; k++) {
    const input = randomInput(200 + k, 9 * 9 * 3);
    const ref = runReference(g, input).outputs;
    const outs = await m.run([input]);
    outs.forEach((o, i) => assert.ok(maxRelDiff(ref[i] as Float32Array, o as Float32Array) <= 0.05, `input ${k} output ${i}: ${maxRelDiff(ref[i] as Float32Array, o as Float32Array)}`));
  }
  await m.dispose();
});

test("interface 'nchw' (one-block profiling models): no edge Transposes, same numbers as the NHWC file", async () => {
  const { parseNetwork } = await import('../../src/arch/grammar.js');
  const { initWeights } = await import('../../src/arch/weights.js');
  const { lowerNetwork } = await import('../../src/graph/lower.js');
  const spec = parseNetwork('in6x5x8/ir_k3_s2_e3_c16');
  const g = lowerNetwork(spec, initWeights(spec, 4).tensors);
  const nchw = onnxModelOf(g, { interface: 'nchw' });
  assert.equal(nchw.nodes.filter((n) => n.opType === 'Transpose').length, 0);
  assert.deepEqual(nchw.inputs.map((i) => i.shape), [[1, 8, 6, 5]]);
  assert.deepEqual(nchw.outputs.map((o) => o.shape), [[1, 16, 3, 3]]);
  const fa = join(dir, 'block-nhwc.onnx');
  const fb = join(dir, 'block-nchw.onnx');
  writeFileSync(fa, writeOnnx(g));
  writeFileSync(fb, writeOnnx(g, { interface: 'nchw' }));
  assert.match(checkOnnxFiles([fb]), /^ok 1/);
  const x = randomInput(7, 6 * 5 * 8); // NHWC
  const xc = new Float32Array(x.length);
  for (let h = 0; h < 6; h++) for (let w = 0; w < 5; w++) for (let c = 0; c < 8; c++) xc[c * 30 + h * 5 + w] = x[(h * 5 + w) * 8 + c] as number;
  const a = (await (await new OnnxRuntime().load(fa, { threads: 1 })).run([x]))[0] as Float32Array;
  const b = (await (await new OnnxRuntime().load(fb, { threads: 1 })).run([xc]))[0] as Float32Array;
  const bt = new Float32Array(b.length);
  for (let h = 0; h < 3; h++) for (let w = 0; w < 3; w++) for (let c = 0; c < 16; c++) bt[(h * 3 + w) * 16 + c] = b[c * 9 + h * 3 + w] as number;
  assert.ok(maxRelDiff(a, bt) <= 1e-6);
});
