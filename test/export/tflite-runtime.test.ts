/**
 * TFLite runtime (src/runtime/tflite.ts) on models we did not write (Google's official uint8 MobileNets), the
 * runner addon build (XNNPack, threads, delegation report), and bad input: corrupt model files, ops TFLite cannot express, wrong weight shapes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isLayernasError } from '../../src/core/errors.js';
import type { Graph, GraphOp } from '../../src/graph/ir.js';
import { writeTflite } from '../../src/export/tflite/index.js';
import { sharedDataDir } from '../../src/space/data-files.js';
import { TfliteRuntime } from '../../src/runtime/tflite.js';
import { GraphBuilder } from './tflite-fixtures.js';

const refModel = (name: string): string => join(sharedDataDir(), 'reference-models', name);
const dir = mkdtempSync(join(tmpdir(), 'layernas-tflite-rt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const [file, size] of [['mobilenet_v2_1.0_224_quant.tflite', 224], ['mobilenet_v1_0.25_128_quant.tflite', 128]] as const) {
  test(`official ${file} loads and runs (probabilities sum to 1, same result with and without XNNPack)`, async () => {
    const outputs: Uint8Array[] = [];
    for (const xnnpack of ['auto', 'off'] as const) {
      const m = await new TfliteRuntime({ xnnpack }).load(refModel(file), { threads: 2 });
      assert.deepEqual(m.inputs[0]?.shape, [1, size, size, 3]);
      assert.equal(m.inputs[0]?.dtype, 'uint8');
      assert.deepEqual(m.outputs[0]?.shape, [1, 1001]);
      const img = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 37 + (i >> 7)) % 256);
      const [out] = await m.run([img]);
      outputs.push(out as Uint8Array);
      const times = await m.time({ runs: 2, warmup: 1 });
      assert.equal(times.length, 2);
      await m.dispose();
    }
    const [a, b] = outputs as [Uint8Array, Uint8Array];
    // uint8 softmax (scale 1/256, zero point 0): the 1001 rounded probabilities sum to a little under 1
    const sum = a.reduce((s, v) => s + v, 0) / 256;
    assert.ok(sum > 0.75 && sum < 1.05, `probabilities sum to ${sum}`);
    assert.deepEqual(a, b);
  });
}

test('the TFLite runner addon (XNNPack) was built at install (scripts/build-native.mjs)', () => {
  assert.equal(new TfliteRuntime({ xnnpack: 'required' }).xnnpackAvailable(), true,
    'native/tflite-runner/build/layernas_tflite.node is missing: run `node scripts/build-native.mjs`');
});

test('xnnpack "required" with a missing plugin → RUNTIME_UNAVAILABLE naming the fix', async () => {
  const rt = new TfliteRuntime({ xnnpack: 'required', pluginPath: join(dir, 'missing.so') });
  await assert.rejects(rt.load(refModel('mobilenet_v1_0.25_128_quant.tflite'), { threads: 1 }),
    (e: unknown) => isLayernasError(e, 'RUNTIME_UNAVAILABLE') && /build-native/.test(e.message));
});

test('corrupt or missing .tflite files → MODEL_INVALID', async () => {
  const rt = new TfliteRuntime({ xnnpack: 'auto' });
  const real = readFileSync(refModel('mobilenet_v1_0.25_128_quant.tflite'));
  const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 251);
  const fakeIdent = garbage.slice();
  fakeIdent.set([0x54, 0x46, 0x4c, 0x33], 4);  // "TFL3" identifier, nonsense tables
  const cases: [string, Uint8Array][] = [
    ['truncated.tflite', real.subarray(0, real.length >> 1)],
    ['garbage.tflite', garbage],
    ['fake-identifier.tflite', fakeIdent],
    ['empty.tflite', new Uint8Array(0)],
  ];
  for (const [name, bytes] of cases) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    await assert.rejects(rt.load(file, { threads: 1 }), (e: unknown) => isLayernasError(e, 'MODEL_INVALID') && e.message.includes(name), name);
  }
  await assert.rejects(rt.load(join(dir, 'nope.tflite'), { threads: 1 }), (e: unknown) => isLayernasError(e, 'MODEL_INVALID'));
  await assert.rejects(rt.load(refModel('mobilenet_v1_0.25_128_quant.tflite'), { threads: 0 }), (e: unknown) => isLayernasError(e, 'USAGE'));
});

function withOp(mutate: (g: GraphBuilder, x: number) => void): Graph {
  const g = new GraphBuilder('bad');
  const x = g.tensor('input', [1, 4, 4, 2]);
  mutate(g, x);
  return g.build([x], [g.tensors.length - 1]);
}

test('an op TFLite cannot express → EXPORT_UNSUPPORTED naming op and origin', () => {
  const graph = withOp((g, x) => {
    const y = g.tensor('y', [1, 4, 4, 2]);
    g.ops.push({ type: 'gelu', inputs: [x], outputs: [y], origin: 'l0.act' } as unknown as GraphOp);
  });
  assert.throws(() => writeTflite(graph), (e: unknown) => isLayernasError(e, 'EXPORT_UNSUPPORTED') && /gelu/.test(e.message) && /l0\.act/.test(e.message));
});

test('weights of the wrong shape → WEIGHTS_INVALID', () => {
  const graph = withOp((g, x) => {
    const w = g.random('w', [3, 3, 3, 5], 0.1);  // expects [O, kh, kw, 2]
    const b = g.random('b', [3], 0.1);
    const y = g.tensor('y', [1, 4, 4, 3]);
    g.ops.push({ type: 'conv2d', inputs: [x, w, b], outputs: [y], origin: 'l0.conv', stride: 1, padding: 'same', groups: 1, act: 'none' });
  });
  assert.throws(() => writeTflite(graph), (e: unknown) => isLayernasError(e, 'WEIGHTS_INVALID') && /l0\.conv/.test(e.message));
});
