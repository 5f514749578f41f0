/**
 * TFLite writer, op by op: a hand-made graph per op (and a MobileNetV2-style network) written float32 and int8,
 * loaded in TFLite 2.9 (with the XNNPack plugin and on the plain interpreter), compared with the reference
 * forward pass (src/graph/reference.ts). Float: max |Δ| <= 1e-4 relative to the output scale.
 * int8: within a few quantization steps of the output range.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Graph } from '../../src/graph/ir.js';
import { runReference } from '../../src/graph/reference.js';
import { buildTflite, writeTflite } from '../../src/export/tflite/index.js';
import { TfliteRuntime, type XnnpackMode } from '../../src/runtime/tflite.js';
import { GraphBuilder, mobilenetV2Like, randomInput, relativeMaxError } from './tflite-fixtures.js';

type Case = [name: string, build: (g: GraphBuilder, x: number) => number, inputShape?: number[]];

const CASES: Case[] = [
  ['conv2d same stride 1 relu6', (g, x) => g.conv(x, 8, 3, 1, 'relu6')],
  ['conv2d same stride 2 relu', (g, x) => g.conv(x, 8, 5, 2, 'relu')],
  ['conv2d valid stride 2 (odd size)', (g, x) => g.conv(x, 6, 3, 2, 'none', 1, 'valid'), [1, 11, 11, 4]],
  ['conv2d 1x1', (g, x) => g.conv(x, 16, 1, 1, 'none')],
  ['grouped conv2d (groups 2)', (g, x) => g.conv(x, 8, 3, 1, 'relu', 2)],
  ['grouped conv2d with groups = channels (depthwise)', (g, x) => g.conv(x, 4, 3, 2, 'relu6', 4)],
  ['depthwise conv2d stride 1', (g, x) => g.dw(x, 3, 1, 'relu6')],
  ['depthwise conv2d 5x5 stride 2', (g, x) => g.dw(x, 5, 2, 'none')],
  ['fully connected on [1,C]', (g, x) => g.fc(g.flatten(g.gap(x)), 7, 'relu')],
  ['fully connected on NHWC (flattened)', (g, x) => g.fc(x, 5)],
  ['add with fused relu', (g, x) => g.binary('add', g.conv(x, 4, 3, 1, 'none'), x, 'relu')],
  ['mul broadcast (squeeze-excite)', (g, x) => g.binary('mul', x, g.unary('logistic', g.gap(x)))],
  ['relu', (g, x) => g.unary('relu', x)],
  ['relu6', (g, x) => g.unary('relu6', g.conv(x, 4, 1, 1, 'none'))],
  ['hard_swish', (g, x) => g.unary('hard_swish', g.conv(x, 4, 1, 1, 'none'))],
  ['logistic', (g, x) => g.unary('logistic', x)],
  ['hard_sigmoid', (g, x) => g.unary('hard_sigmoid', g.conv(x, 4, 1, 1, 'none'))],
  ['avg pool same (padding excluded)', (g, x) => g.pool('avg_pool2d', x, 3, 2, 'same'), [1, 9, 9, 4]],
  ['avg pool valid', (g, x) => g.pool('avg_pool2d', x, 2, 2, 'valid')],
  ['max pool same', (g, x) => g.pool('max_pool2d', x, 3, 2, 'same')],
  ['global average pool', (g, x) => g.gap(x)],
  ['reshape', (g, x) => g.flatten(g.gap(x))],
  ['softmax', (g, x) => g.unary('softmax', g.fc(g.flatten(g.gap(x)), 10))],
  ['zeros_like (NB201 none edge) + add', (g, x) => g.binary('add', g.unary('zeros_like', x), g.conv(x, 4, 1, 1, 'none'))],
  ['zeros_like feeding relu → conv (NB201 none → conv edge)', (g, x) => g.binary('add', g.conv(g.unary('relu', g.unary('zeros_like', x)), 4, 1, 1, 'none'), x)],
];

function caseGraph(name: string, build: Case[1], shape: number[] = [1, 8, 8, 4]): Graph {
  const g = new GraphBuilder(name.replace(/\W+/g, '-'), name.length);
  const x = g.tensor('input', shape);
  return g.build([x], [build(g, x)]);
}

async function floatError(graph: Graph, xnnpack: XnnpackMode, threads = 1): Promise<number> {
  const shape = graph.tensors[graph.inputs[0] as number]?.shape as number[];
  const x = randomInput(shape, 11);
  const m = await new TfliteRuntime({ xnnpack }).loadBytes(writeTflite(graph), { threads });
  const [out] = await m.run([x]);
  return relativeMaxError(out as Float32Array, runReference(graph, x).outputs[0] as Float32Array);
}

/** int8 model error, in units of the output's quantization step */
async function int8Steps(graph: Graph): Promise<number> {
  const shape = graph.tensors[graph.inputs[0] as number]?.shape as number[];
  const calibration = Array.from({ length: 8 }, (_, i) => randomInput(shape, 100 + i));
  const q = buildTflite(graph, { quantization: { calibration } });
  const m = await new TfliteRuntime({ xnnpack: 'auto' }).loadBytes(q.bytes, { threads: 1 });
  const step = q.outputParams[0]?.scale[0] as number;
  let worst = 0;
  for (const x of calibration.slice(0, 3)) {
    const [out] = await m.run([x]);
    const ref = runReference(graph, x).outputs[0] as Float32Array;
    (out as Float32Array).forEach((v, i) => { worst = Math.max(worst, Math.abs(v - (ref[i] as number)) / step); });
  }
  return worst;
}

describe('float32 TFLite matches the reference forward pass (<= 1e-4 relative)', () => {
  for (const [name, build, shape] of CASES) {
    test(name, async () => {
      const graph = caseGraph(name, build, shape);
      for (const mode of ['auto', 'off'] as const) {
        const err = await floatError(graph, mode);
        assert.ok(err <= 1e-4, `${name} (xnnpack ${mode}): relative error ${err}`);
      }
    });
  }
});

describe('int8 TFLite stays within a few quantization steps of the reference', () => {
  for (const [name, build, shape] of CASES) {
    test(name, async () => {
      const steps = await int8Steps(caseGraph(name, build, shape));
      // each int8 layer adds up to ~1 step of rounding; 1x1/3x3 graphs here have at most 3 quantized layers
      assert.ok(steps <= 6, `${name}: int8 error ${steps.toFixed(2)} output steps`);
    });
  }
});

test('MobileNetV2-style network: float parity with and without XNNPack, 2 threads, int8 close', async () => {
  const graph = mobilenetV2Like(48, [16, 24, 24, 32, 32]);
  assert.ok((await floatError(graph, 'auto', 2)) <= 1e-4);
  assert.ok((await floatError(graph, 'off', 1)) <= 1e-4);
  const shape = [1, 48, 48, 3];
  const calibration = Array.from({ length: 8 }, (_, i) => randomInput(shape, 200 + i));
  const q = buildTflite(graph, { quantization: { calibration } });
  const m = await new TfliteRuntime({ xnnpack: 'auto' }).loadBytes(q.bytes, { threads: 1 });
  const x = randomInput(shape, 300);
  const [out] = await m.run([x]);
  const ref = runReference(graph, x).outputs[0] as Float32Array;
  const err = relativeMaxError(out as Float32Array, ref);
  assert.ok(err < 0.1, `int8 softmax differs from reference by ${err} relative`);
});

test('the schema subset in export/tflite/schema.fbs decodes what the writer wrote (flatc)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layernas-tflite-flatc-'));
  try {
    const graph = caseGraph('grouped', (g, x) => g.unary('hard_sigmoid', g.conv(x, 8, 3, 1, 'relu', 2)));
    const file = join(dir, 'model.tflite');
    writeFileSync(file, buildTflite(graph, { quantization: { calibration: [randomInput([1, 8, 8, 4], 1)] } }).bytes);
    const schema = join(import.meta.dirname, '..', '..', 'export', 'tflite', 'schema.fbs');
    execFileSync('flatc', ['--json', '--strict-json', '--raw-binary', '-o', dir, schema, '--', file]);
    const json = JSON.parse(execFileSync('cat', [join(dir, 'model.json')], { encoding: 'utf8' })) as {
      version: number; operator_codes: { builtin_code: string; version: number }[];
      subgraphs: { tensors: { type: string; quantization?: { scale?: number[]; quantized_dimension?: number } }[] }[];
    };
    assert.equal(json.version, 3);
    const codes = json.operator_codes.map((c) => `${c.builtin_code}@${c.version}`).sort();
    assert.deepEqual(codes, ['ADD@2', 'CONCATENATION@2', 'CONV_2D@3', 'DEQUANTIZE@2', 'MUL@2', 'QUANTIZE@2', 'SPLIT@2']);
    const perChannel = json.subgraphs[0]?.tensors.filter((t) => t.type === 'INT8' && (t.quantization?.scale?.length ?? 0) > 1);
    assert.equal(perChannel?.length, 2, 'one per-channel weight tensor per group');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
