import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetwork } from '../../src/arch/grammar.js';
import { readWeights } from '../../src/arch/weights.js';
import { isLayernasError } from '../../src/core/errors.js';
import { InputConverter, loadDataset } from '../../src/data/index.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { runReference } from '../../src/graph/reference.js';
import { selectTrainingBackend } from '../../src/train/backend.js';
import { ExternalTrainer, PYTORCH_REFERENCE_COMMAND } from '../../src/train/external.js';
import { buildNetwork } from '../../src/train/network.js';
import { settingsFor } from '../../src/train/settings.js';
import { predictLogits } from '../../src/train/trainer.js';
import { loadNetworkWeights } from '../../src/train/weights-io.js';

const PY = '/usr/bin/python3';
const SPEC = parseNetwork('in28x28x1/conv_k3_s2_c8/ir_k3_s2_e2_c16_se0.25/conv_k1_s1_c32_hs/gap/fc_c10');
const job = (dir: string) => ({
  spec: SPEC, dataset: loadDataset({ kind: 'fashion-mnist' }), evaluateTest: false, outputDir: dir,
  settings: settingsFor('proxy', { epochs: 1, trainSubset: 256, validationSubset: 100, batchSize: 32, warmupSteps: 2 }),
});
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ext-'));

async function failure(command: string[], timeoutMs = 60_000): Promise<{ message: string; stderrTail: string }> {
  try {
    await new ExternalTrainer({ name: 'fake', command, timeoutMs }).train(job(tmp()));
  } catch (e) {
    assert.ok(isLayernasError(e, 'TRAINER_FAILED'), `expected TRAINER_FAILED, got ${String(e)}`);
    return { message: e.message, stderrTail: String(e.details.stderrTail ?? '') };
  }
  assert.fail('the trainer should have failed');
}

test('external trainer: garbage output and no result file -> TRAINER_FAILED with the stderr tail', { timeout: 60_000 }, async () => {
  const f = await failure([PY, '-c', 'import sys; print("%%garbage%%"); sys.stderr.write("boom on stderr\\n")']);
  assert.match(f.message, /no result file/);
  assert.match(f.stderrTail, /boom on stderr/);
});

test('external trainer: a result file that is garbage or off-schema -> TRAINER_FAILED', { timeout: 60_000 }, async () => {
  const garbage = await failure([PY, '-c', 'import json,sys; r=json.load(open(sys.argv[1])); open(r["resultFile"],"w").write("{not json")', '{request}']);
  assert.match(garbage.message, /not JSON/);
  const schema = await failure([PY, '-c', 'import json,sys; r=json.load(open(sys.argv[1])); json.dump({"protocol":"layernas-train/1"}, open(r["resultFile"],"w"))', '{request}']);
  assert.match(schema.message, /invalid result/);
});

test('external trainer: non-zero exit -> TRAINER_FAILED naming the code, stderr tail bounded', { timeout: 60_000 }, async () => {
  const f = await failure([PY, '-c', 'import sys; sys.stderr.write("x" * 9000 + "THE END\\n"); sys.exit(3)']);
  assert.match(f.message, /code 3/);
  assert.ok(f.stderrTail.endsWith('THE END\n'));
  assert.ok(f.stderrTail.length <= 4000);
});

test('external trainer: timeout -> TRAINER_FAILED and the process is killed', { timeout: 60_000 }, async () => {
  const t0 = Date.now();
  const f = await failure([PY, '-c', 'import time; time.sleep(60)'], 1500);
  assert.match(f.message, /timed out after 1500 ms/);
  assert.ok(Date.now() - t0 < 30_000);
});

test('PyTorch-trained weights: our graph reference and tfjs give PyTorch eval predictions', { timeout: 300_000 }, async () => {
  const dir = tmp();
  const trainer = new ExternalTrainer({ name: 'pytorch', command: PYTORCH_REFERENCE_COMMAND, timeoutMs: 240_000, env: { LAYERNAS_THREADS: '1' } });
  const r = await trainer.train(job(dir));
  assert.equal(r.trainer.name, 'pytorch');
  const n = 40;
  const [py, script] = PYTORCH_REFERENCE_COMMAND as [string, string];
  const torchLogits = JSON.parse(execFileSync(py, [script, '--threads', '1', '--predict', r.weightsDir, '--n', String(n), join(dir, 'request.json')], { encoding: 'utf8' })) as number[][];
  const weights = await readWeights(r.weightsDir);
  const graph = lowerNetwork(SPEC, weights.tensors);
  const ds = loadDataset({ kind: 'fashion-mnist' });
  const conv = new InputConverter(ds.test, SPEC.input);
  const idx = Array.from({ length: n }, (_, i) => i);
  const { x } = conv.batch(ds.test, idx);
  const per = conv.perImage;
  await selectTrainingBackend('cpu');
  const net = buildNetwork(SPEC, 0);
  loadNetworkWeights(net, weights);
  const tfjsLogits = predictLogits(net, x, n);
  net.dispose();
  const argmax = (a: ArrayLike<number>): number => { let b = 0; for (let k = 1; k < a.length; k++) if ((a[k] as number) > (a[b] as number)) b = k; return b; };
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const ref = runReference(graph, x.slice(i * per, (i + 1) * per)).outputs[0] as Float32Array;
    const t = torchLogits[i] as number[];
    const scale = Math.max(...t.map(Math.abs));
    ref.forEach((v, k) => assert.ok(Math.abs(v - (t[k] as number)) <= 1e-4 * scale, `image ${i} logit ${k}: graph ${v} vs torch ${t[k]}`));
    if (argmax(ref) === argmax(t) && argmax(tfjsLogits.subarray(i * 10, i * 10 + 10)) === argmax(t)) agree++;
  }
  assert.equal(agree, n, 'identical predictions');
});
