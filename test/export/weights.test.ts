import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseNetwork } from '../../src/arch/grammar.js';
import { listParameters } from '../../src/arch/params.js';
import { initWeights, readWeights, validateWeights, writeWeights, type WeightTensor } from '../../src/arch/weights.js';
import { getZooModel } from '../../src/arch/zoo.js';
import { isLayernasError } from '../../src/core/errors.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { runReference } from '../../src/graph/reference.js';
import { compareOutputs } from '../../src/runtime/parity.js';
import { randomInput } from './graph-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'layernas-weights-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('writeWeights → readWeights round-trips every value bit-exactly; init is deterministic per seed', async () => {
  const spec = getZooModel('nats_sss:8:16:24:32:40');
  const w = initWeights(spec, 7);
  assert.deepEqual([...w.tensors.keys()], listParameters(spec).map((p) => p.name));
  const out = join(dir, 'rt');
  await writeWeights(out, w);
  const back = await readWeights(out);
  assert.equal(back.arch, w.arch);
  for (const [name, t] of w.tensors) {
    const b = back.tensors.get(name) as WeightTensor;
    assert.deepEqual(b.shape, t.shape, name);
    assert.deepEqual(Buffer.from(b.data.buffer), Buffer.from(t.data.buffer), name);
  }
  const again = initWeights(spec, 7);
  const other = initWeights(spec, 8);
  const first = listParameters(spec)[0]?.name as string;
  assert.deepEqual(again.tensors.get(first)?.data, w.tensors.get(first)?.data);
  assert.notDeepEqual(other.tensors.get(first)?.data, w.tensors.get(first)?.data);
  const header = JSON.parse(readFileSync(join(out, 'weights.json'), 'utf8'));
  assert.equal(header.format, 'layernas-weights');
  assert.equal(header.tensors[1].offset, header.tensors[0].byteLength);
});

test('wrong shape, missing tensor, extra tensor → WEIGHTS_INVALID naming the tensor and shapes', () => {
  const spec = getZooModel('nats_sss:8:16:24:32:40');
  const w = new Map(initWeights(spec, 1).tensors);
  const name = 'l0.conv.weight';
  const t = w.get(name) as WeightTensor;
  const wrong = new Map(w);
  wrong.set(name, { shape: [8, 3, 1, 9], data: t.data });
  assert.throws(() => lowerNetwork(spec, wrong), (e) => isLayernasError(e, 'WEIGHTS_INVALID') && e.message.includes(name) && e.message.includes('[8,3,1,9]') && e.message.includes('[8,3,3,3]'));
  const missing = new Map(w);
  missing.delete('l1.e0.bn.running_var');
  assert.throws(() => validateWeights(spec, missing), (e) => isLayernasError(e, 'WEIGHTS_INVALID') && e.message.includes('l1.e0.bn.running_var'));
  const extra = new Map(w);
  extra.set('l99.x.weight', { shape: [1], data: new Float32Array(1) });
  assert.throws(() => validateWeights(spec, extra), (e) => isLayernasError(e, 'WEIGHTS_INVALID') && e.message.includes('l99.x.weight'));
});

test('corrupt weights files → WEIGHTS_INVALID naming the file', async () => {
  const spec = getZooModel('nats_sss:8:8:8:8:8');
  const out = join(dir, 'corrupt');
  await writeWeights(out, initWeights(spec, 1));
  const header = JSON.parse(readFileSync(join(out, 'weights.json'), 'utf8'));
  header.tensors[2].byteLength += 4;
  writeFileSync(join(out, 'weights.json'), JSON.stringify(header));
  await assert.rejects(readWeights(out), (e) => isLayernasError(e, 'WEIGHTS_INVALID') && e.message.includes('weights.json') && e.message.includes(header.tensors[2].name));
  writeFileSync(join(out, 'weights.json'), '{"format": "something-else"}');
  await assert.rejects(readWeights(out), (e) => isLayernasError(e, 'WEIGHTS_INVALID'));
  await assert.rejects(readWeights(join(dir, 'absent')), (e) => isLayernasError(e, 'WEIGHTS_INVALID'));
});

test('BN folding, SAME padding and layouts agree with unfolded tfjs ops on the PyTorch-layout weights', () => {
  // conv(k3,s2)+BN+relu6 on an even size (asymmetric SAME padding), depthwise+BN+hswish, bnact, gap, fc
  const spec = parseNetwork('in10x10x3/conv_k3_s2_c8_relu6/conv_k5_s1_c8_g8_hs/bnact_relu/gap/fc_c5_noact');
  const w = initWeights(spec, 3).tensors;
  const x = randomInput(4, 10 * 10 * 3);
  const ours = runReference(lowerNetwork(spec, w), x).outputs[0] as Float32Array;
  const get = (n: string): tf.Tensor => {
    const t = w.get(n) as WeightTensor;
    return tf.tensor(t.data, [...t.shape]);
  };
  const bn = (y: tf.Tensor4D, p: string): tf.Tensor4D => tf.batchNorm(y, get(`${p}.running_mean`) as tf.Tensor1D, get(`${p}.running_var`) as tf.Tensor1D,
    get(`${p}.bias`) as tf.Tensor1D, get(`${p}.weight`) as tf.Tensor1D, 1e-5);
  const expected = tf.tidy(() => {
    let y = tf.tensor4d(x, [1, 10, 10, 3]);
    y = tf.conv2d(y, get('l0.conv.weight').transpose([2, 3, 1, 0]) as tf.Tensor4D, 2, 'same');
    y = tf.clipByValue(bn(y, 'l0.conv.bn'), 0, 6);
    y = tf.depthwiseConv2d(y, get('l1.conv.weight').transpose([2, 3, 0, 1]) as tf.Tensor4D, 1, 'same');
    y = bn(y, 'l1.conv.bn');
    y = tf.mul(y, tf.div(tf.relu6(tf.add(y, 3)), 6));
    y = tf.relu(bn(y, 'l2.bn'));
    const flat = tf.mean(y, [1, 2]);
    return tf.add(tf.matMul(flat, get('l4.fc.weight') as tf.Tensor2D, false, true), get('l4.fc.bias')).dataSync() as Float32Array;
  });
  const cmp = compareOutputs(expected, ours);
  assert.ok(cmp.relDiff < 1e-5, `rel diff ${cmp.relDiff}`);
});
