/**
 * What XNNPack takes from our .tflite files (the runner addon's delegation report) and whether the thread count
 * reaches XNNPack's thread pool. Regressions here cost speed silently (a node XNNPack leaves to TFLite's own kernels
 * splits the graph into partitions; a thread count that does not arrive leaves one core idle), so they are tests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseNetwork } from '../../src/arch/grammar.js';
import { initWeights } from '../../src/arch/weights.js';
import { Rng } from '../../src/core/rng.js';
import { buildTflite } from '../../src/export/tflite/index.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { TfliteRuntime } from '../../src/runtime/tflite.js';

const ARCH = 'in32x32x3/conv_k3_s2_c16/ir_k3_s1_e1_c16/ir_k5_s2_e6_c24/ir_k5_s1_e6_c24/conv_k1_s1_c64/gap/fc_c10';
const runtime = new TfliteRuntime({ xnnpack: 'required' });
/** XNNPack alone: the int8 pointwise convolutions stay on XNNPack instead of layernas's VNNI kernels */
const xnnpackOnly = new TfliteRuntime({ xnnpack: 'required', int8Kernels: 'xnnpack' });
const VNNI = /\bavx512_vnni\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
/** the 1x1 convolutions of ARCH: expansion and projection of the two e6 blocks, projection of the e1 block, conv_k1 */
const POINTWISE = 6;

function graphOf(softmax: boolean) {
  const spec = parseNetwork(ARCH);
  return lowerNetwork(spec, initWeights(spec, 3).tensors, { softmax });
}

function calibration(n: number): Float32Array[] {
  const rng = new Rng(5);
  return Array.from({ length: n }, () => Float32Array.from({ length: 32 * 32 * 3 }, () => rng.next()));
}

for (const softmax of [false, true]) {
  for (const precision of ['float32', 'int8'] as const) {
    test(`${precision} mobile network${softmax ? ' with softmax' : ''}: XNNPack takes every node, one partition`, async () => {
      const graph = graphOf(softmax);
      const bytes = precision === 'float32' ? buildTflite(graph).bytes : buildTflite(graph, { quantization: { calibration: calibration(2) } }).bytes;
      const m = await xnnpackOnly.loadBytes(bytes, { threads: 1 });
      const d = m.delegation;
      assert.ok(d, 'the runner reports the delegation');
      assert.deepEqual(d.kept, {}, `nodes left on TFLite's own kernels: ${JSON.stringify(d.kept)}`);
      assert.equal(d.delegated, d.nodes);
      assert.equal(d.partitions, 1);
      await m.dispose();
      // the default runtime: int8 pointwise convolutions on our VNNI kernels where the CPU has VNNI, the rest XNNPack's
      const mo = await runtime.loadBytes(bytes, { threads: 1 });
      const o = mo.delegation;
      await mo.dispose();
      assert.ok(o);
      assert.deepEqual(o.kept, {});
      assert.equal(o.int8Kernels, precision === 'int8' && VNNI ? POINTWISE : 0);
      assert.equal(o.delegated + o.int8Kernels, o.nodes);
    });
  }
}

test('the load\'s thread count reaches XNNPack: a thread pool for 2 threads, none for 1', async () => {
  const bytes = buildTflite(graphOf(false)).bytes;
  for (const [threads, pool] of [[1, false], [2, true]] as const) {
    const m = await runtime.loadBytes(bytes, { threads });
    assert.equal(m.delegation?.threadPool, pool, `threads ${threads}`);
    await m.dispose();
  }
});

test('float and int8 outputs agree through the fused graph (softmax in float at the end of the int8 model)', async () => {
  const graph = graphOf(true);
  const cal = calibration(8);
  const f = await runtime.loadBytes(buildTflite(graph).bytes, { threads: 1 });
  const q = await runtime.loadBytes(buildTflite(graph, { quantization: { calibration: cal } }).bytes, { threads: 1 });
  const [pf] = await f.run([cal[0] as Float32Array]);
  const [pq] = await q.run([cal[0] as Float32Array]);
  const sum = (pq as Float32Array).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `int8 model's float softmax sums to ${sum}`);
  const maxDiff = Math.max(...Array.from(pf as Float32Array, (v, i) => Math.abs(v - ((pq as Float32Array)[i] as number))));
  assert.ok(maxDiff < 0.1, `probabilities differ by ${maxDiff}`);
});
