/**
 * Issue 18's export figures (used by bench/int8-speed.ts --export):
 *  - wall time of `layernas export mobilenet_v2_100 --int8` (the CLI as a user runs it);
 *  - top-1 agreement of an int8 file with its float file on the first N Fashion-MNIST test images (the default
 *    job's 2,000), for an export directory holding model_float32.tflite and model_int8.tflite (e.g. a design's
 *    model/ directory), both run in TFLite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputConverter } from '../src/data/batches.js';
import { loadDataset, parseDatasetRef } from '../src/data/load.js';
import { TfliteRuntime } from '../src/runtime/tflite.js';

const ROOT = new URL('..', import.meta.url).pathname;

export function exportWallSeconds(): { seconds: number; calibrationLine: string } {
  const out = mkdtempSync(join(tmpdir(), 'layernas-bench-export-'));
  try {
    const t0 = performance.now();
    const r = spawnSync('npx', ['layernas', 'export', 'mobilenet_v2_100', '--int8', '--out', join(out, 'm')], { cwd: ROOT, encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`layernas export failed (${r.status}): ${r.stderr.slice(-2000)}`);
    return { seconds, calibrationLine: (r.stderr.split('\n').find((l) => l.includes('int8 calibration:')) ?? '').trim() };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const argmax = (y: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < y.length; i++) if ((y[i] as number) > (y[best] as number)) best = i;
  return best;
};

export async function int8Agreement(modelDir: string, images: number): Promise<{ images: number; identical: number }> {
  const test = loadDataset(parseDatasetRef('fashion-mnist')).test;
  const rt = new TfliteRuntime({ xnnpack: 'required' });
  const f = await rt.load(join(modelDir, 'model_float32.tflite'), { threads: 1 });
  const q = await rt.load(join(modelDir, 'model_int8.tflite'), { threads: 1 });
  const shape = f.inputs[0]?.shape ?? [];
  const conv = new InputConverter(test, { height: shape[1] as number, width: shape[2] as number, channels: shape[3] as number });
  const x = new Float32Array(conv.perImage);
  const n = Math.min(images, test.count);
  let identical = 0;
  for (let i = 0; i < n; i++) {
    conv.convertInto(test, i, x, 0);
    const [yf] = await f.run([x]);
    const [yq] = await q.run([x]);
    if (argmax(yf as Float32Array) === argmax(yq as Float32Array)) identical++;
  }
  await f.dispose();
  await q.dispose();
  return { images: n, identical };
}
