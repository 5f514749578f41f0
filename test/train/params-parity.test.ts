import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { parseNetwork } from '../../src/arch/grammar.js';
import { countTrainable, listParameters } from '../../src/arch/params.js';
import { initWeights } from '../../src/arch/weights.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { runReference } from '../../src/graph/reference.js';
import { selectTrainingBackend } from '../../src/train/backend.js';
import { buildNetwork } from '../../src/train/network.js';
import { PYTORCH_REFERENCE_COMMAND } from '../../src/train/external.js';
import { checkParameterList, loadNetworkWeights } from '../../src/train/weights-io.js';
import { predictLogits } from '../../src/train/trainer.js';
import { Rng } from '../../src/core/rng.js';
import { KIND_SPECS } from './helpers.js';

test('tfjs trainer parameters equal listParameters (names, order, PyTorch shapes) for every layer kind', async () => {
  await selectTrainingBackend('cpu');
  for (const arch of KIND_SPECS) {
    const net = buildNetwork(parseNetwork(arch), 1);
    try {
      checkParameterList(net);
    } finally {
      net.dispose();
    }
  }
});

test('PyTorch reference trainer: same tensor names, shapes and parameter count as layernas', { timeout: 180_000 }, () => {
  const specs = KIND_SPECS.map((a) => parseNetwork(a));
  const [py, script] = PYTORCH_REFERENCE_COMMAND as [string, string];
  const file = `/tmp/layernas-describe-${process.pid}.json`;
  writeFileSync(file, JSON.stringify(specs));
  const out = JSON.parse(execFileSync(py, [script, '--threads', '1', '--describe', file], { encoding: 'utf8' })) as { params: number; tensors: { name: string; shape: number[]; trainable: boolean }[] }[];
  specs.forEach((spec, i) => {
    const ours = listParameters(spec);
    const theirs = out[i] as (typeof out)[number];
    assert.equal(theirs.params, countTrainable(ours), `${KIND_SPECS[i]}: parameter count`);
    assert.deepEqual(theirs.tensors.map((t) => `${t.name}:${t.shape.join('x')}:${t.trainable}`),
      ours.map((t) => `${t.name}:${t.shape.join('x')}:${t.trainable}`));
  });
});

test('tfjs eval-mode forward equals the graph reference forward pass for every layer kind', async () => {
  await selectTrainingBackend('cpu');
  for (const arch of KIND_SPECS) {
    const spec = parseNetwork(arch);
    const weights = initWeights(spec, 7);
    const net = buildNetwork(spec, 1);
    try {
      loadNetworkWeights(net, weights);
      const graph = lowerNetwork(spec, weights.tensors);
      const rng = new Rng(3);
      const n = 2;
      const per = spec.input.height * spec.input.width * spec.input.channels;
      const x = new Float32Array(n * per).map(() => rng.next());
      const ours = predictLogits(net, x, n);
      const classes = ours.length / n;
      for (let i = 0; i < n; i++) {
        const ref = runReference(graph, x.slice(i * per, (i + 1) * per)).outputs[0] as Float32Array;
        const scale = Math.max(...Array.from(ref, Math.abs), 1e-6);
        for (let k = 0; k < classes; k++) {
          assert.ok(Math.abs((ours[i * classes + k] as number) - (ref[k] as number)) <= 1e-4 * scale,
            `${arch} image ${i} logit ${k}: tfjs ${ours[i * classes + k]} vs reference ${ref[k]}`);
        }
      }
    } finally {
      net.dispose();
    }
  }
  assert.equal(tf.memory().numTensors < 10_000, true);
});

