import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(argv, { stderr: (t) => { err += t; } });
  return { code, err };
}

test('layernas train: bad input exits 2 with a clear message', async () => {
  const missing = await run(['train', 'in16x16x1/conv_k3_s2_c8/gap/fc_c10', '--dataset', 'fashion-mnist:/nonexistent']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /DATASET_MISSING.*apt-get install dataset-fashion-mnist/s);
  const setting = await run(['train', 'in16x16x1/conv_k3_s2_c8/gap/fc_c10', '--setting', 'turbo']);
  assert.equal(setting.code, 2);
  assert.match(setting.err, /setting/);
  const cmd = await run(['train', 'in16x16x1/conv_k3_s2_c8/gap/fc_c10', '--trainer', 'command']);
  assert.equal(cmd.code, 2);
  assert.match(cmd.err, /--command/);
});

test('layernas train: a failing external command exits 1 with its stderr tail', { timeout: 60_000 }, async () => {
  const r = await run(['train', 'in16x16x1/conv_k3_s2_c8/gap/fc_c10', '--dataset', 'mnist', '--setting', 'proxy', '--trainer', 'command',
    '--command', '/usr/bin/python3', '--command=-c', '--command', 'import sys; sys.stderr.write("out of cheese\\n"); sys.exit(5)', '--out', `/tmp/cli-train-fail-${process.pid}`]);
  assert.equal(r.code, 1);
  assert.match(r.err, /TRAINER_FAILED/);
  assert.match(r.err, /out of cheese/);
});
