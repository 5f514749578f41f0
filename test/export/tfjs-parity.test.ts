/** TF.js layers format: written by us, loaded back with tf.loadLayersModel (cpu backend), compared with the reference. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { initWeights } from '../../src/arch/weights.js';
import { fbnetNetwork, getZooModel } from '../../src/arch/zoo.js';
import { isLayernasError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { TfjsLayersRuntime } from '../../src/runtime/tfjs.js';
import { writeTfjs } from '../../src/export/tfjs/tfjs-writer.js';
import type { Graph } from '../../src/graph/ir.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { checkParity } from '../../src/runtime/parity.js';
import { allOpsGraph, randomInput } from './graph-fixtures.js';
import { randomArch, type SpaceName } from './random-archs.js';

const dir = mkdtempSync(join(tmpdir(), 'layernas-tfjs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const runtime = new TfjsLayersRuntime();
let counter = 0;

async function tfjsParity(graph: Graph, input: Float32Array, shardBytes?: number): Promise<number> {
  const out = join(dir, `m${counter++}`);
  mkdirSync(out);
  for (const f of writeTfjs(graph, shardBytes ? { shardBytes } : {})) writeFileSync(join(out, f.name), f.bytes);
  const report = await checkParity(graph, input, [{ format: 'tfjs', file: join(out, 'model.json'), runtime }]);
  const e = report.entries[0];
  assert.ok(e && e.argmaxAgrees, `${graph.name}: argmax differs`);
  return e.relDiff;
}

test('every IR op type (except grouped conv) round-trips through model.json + several shards', async () => {
  for (const size of [9, 8]) {
    const g = allOpsGraph(size, size, false);
    const rel = await tfjsParity(g, randomInput(size, size * size * 3), 1024);
    assert.ok(rel <= 1e-5, `size ${size}: rel diff ${rel}`);
  }
  assert.ok(readdirSync(join(dir, 'm0')).filter((f) => f.endsWith('.bin')).length > 1, 'expected several weight shards');
});

test('grouped convolution → EXPORT_UNSUPPORTED naming the op and the format', () => {
  assert.throws(() => writeTfjs(allOpsGraph(1)), (e) => isLayernasError(e, 'EXPORT_UNSUPPORTED') && e.message.includes('grouped') && e.message.includes('TF.js'));
  const g2 = fbnetNetwork([1, ...Array(21).fill(0)]);
  assert.throws(() => writeTfjs(lowerNetwork(g2, initWeights(g2, 1).tensors)), (e) => isLayernasError(e, 'EXPORT_UNSUPPORTED') && e.message.includes('l1.project'));
});

test('zoo MobileNetV3-Large @224 (softmax) agrees with the reference ≤ 1e-4', async () => {
  for (const name of ['mobilenet_v3_large_100']) {
    const spec = getZooModel(name);
    const g = lowerNetwork(spec, initWeights(spec, 2).tensors, { softmax: true });
    const rel = await tfjsParity(g, randomInput(1, 224 * 224 * 3));
    assert.ok(rel <= 1e-4, `${name}: rel diff ${rel}`);
  }
});

const PER_SPACE = Number(process.env.LAYERNAS_TFJS_PARITY_COUNT ?? 8);
test(`${PER_SPACE} random architectures per search space (FBNet without g2 ops) agree ≤ 1e-4`, async () => {
  const rng = new Rng(77);
  for (const space of ['nb201', 'nats_sss', 'fbnet', 'mobilenetv2'] as SpaceName[]) {
    for (let k = 0; k < PER_SPACE; k++) {
      const spec = space === 'fbnet' ? fbnetNetwork(Array.from({ length: 22 }, () => rng.pick([0, 2, 3, 4, 6, 7, 8]))) : randomArch(space, rng);
      const g = lowerNetwork(spec, initWeights(spec, k).tensors);
      const rel = await tfjsParity(g, randomInput(k, spec.input.height * spec.input.width * spec.input.channels));
      assert.ok(rel <= 1e-4, `${space} #${k}: rel diff ${rel}`);
    }
  }
});
