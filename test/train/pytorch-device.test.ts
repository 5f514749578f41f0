/**
 * The PyTorch reference trainer picks its device: auto = CUDA when torch sees a GPU (mixed precision, channels-last),
 * else the CPU as before; cuda without a GPU is an error, never a silent CPU run. The choice reaches the trainer
 * through LAYERNAS_TRAINER_DEVICE (src/train/choice.ts). The CUDA training path runs only where a GPU exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTrainerChoice } from '../../src/train/choice.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TRAIN = resolve(ROOT, 'trainers/pytorch/train.py');
const PY = '/usr/bin/python3';

function py(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PY, [TRAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hasCuda = py(['--print-device', 'x']).stdout.includes('"device": "cuda"');

test('select_device: auto takes the GPU when there is one, the CPU otherwise; cuda without a GPU is refused', () => {
  const r = spawnSync(PY, ['-c', [
    'import sys, json', `sys.path.insert(0, ${JSON.stringify(resolve(ROOT, 'trainers/pytorch'))})`, 'import train as t',
    'out = [t.select_device("auto", True)[0], t.select_device("auto", False)[0], t.select_device("cpu", True)[0], t.select_device("cuda", True)[0]]',
    'try:\n    t.select_device("cuda", False)\n    out.append("no error")\nexcept ValueError as e:\n    out.append("error")',
    'print(json.dumps(out))',
  ].join('\n')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), ['cuda', 'cpu', 'cpu', 'cuda', 'error']);
});

test('on this machine: auto resolves to what torch sees, the env var reaches the trainer, --device cuda fails clearly without a GPU', () => {
  const auto = JSON.parse(py(['--print-device', 'x']).stdout) as { device: string; backend: string };
  assert.equal(auto.device, hasCuda ? 'cuda' : 'cpu');
  if (!hasCuda) assert.match(auto.backend, /^torch-cpu x\d+$/);
  const viaEnv = JSON.parse(py(['--print-device', 'x'], { LAYERNAS_TRAINER_DEVICE: 'cpu' }).stdout) as { device: string };
  assert.equal(viaEnv.device, 'cpu');
  if (!hasCuda) {
    const cuda = py(['--print-device', '--device', 'cuda', 'x']);
    assert.equal(cuda.code, 2);
    assert.match(cuda.stderr, /--device cuda: torch sees no CUDA GPU/);
  }
});

test('the trainer choice passes the device to the external trainer as LAYERNAS_TRAINER_DEVICE', () => {
  const c = parseTrainerChoice('pytorch', { timeoutMs: 1000, device: 'cuda', threads: 2 });
  assert.equal(c.kind, 'command');
  assert.deepEqual(c.kind === 'command' ? c.env : null, { LAYERNAS_THREADS: '2', LAYERNAS_TRAINER_DEVICE: 'cuda' });
});

test('CUDA training path (mixed precision, channels-last) trains and reports the GPU backend', { skip: hasCuda ? false : 'no CUDA GPU on this machine' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'layernas-cuda-'));
  try {
    const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/layernas.js'), 'train', 'in32x32x3/conv_k3_s2_c8/gap/fc_c10', '--trainer', 'pytorch', '--setting', 'proxy',
      '--epochs', '1', '--out', dir, '--json'], { encoding: 'utf8', env: { ...process.env, LAYERNAS_TRAINER_DEVICE: 'cuda', LAYERNAS_MAX_STEPS: '20' }, timeout: 600_000 });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { trainer: { backend: string }; metrics: { valAccuracy: number } };
    assert.match(result.trainer.backend, /^torch-cuda .* amp channels-last$/);
    assert.ok(Number.isFinite(result.metrics.valAccuracy));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
