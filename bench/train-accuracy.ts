/**
 * Must-show: a small MobileNet-style network trained on Fashion-MNIST with the full setting; prints test accuracy and
 * wall time. Engines: tfjs (in-process; --backend auto|wasm|cpu) or an external trainer command (--trainer pytorch).
 *   npx tsx bench/train-accuracy.ts [--trainer tfjs|pytorch] [--backend auto] [--epochs 3] [--arch <string>] [--out <dir>]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetwork } from '../src/arch/grammar.js';
import { loadDataset } from '../src/data/index.js';
import { settingsFor } from '../src/train/settings.js';
import { TfjsTrainer } from '../src/train/tfjs-trainer.js';
import { ExternalTrainer, PYTORCH_REFERENCE_COMMAND } from '../src/train/external.js';
import type { BackendPreference } from '../src/train/backend.js';
import type { Trainer } from '../src/train/types.js';

export const SMALL_FASHION_NET = 'in28x28x1/conv_k3_s2_c16/ir_k3_s1_e3_c16/ir_k3_s2_e4_c32/ir_k3_s1_e4_c32/ir_k3_s2_e4_c64/conv_k1_s1_c128/gap/fc_c10';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const trainerName = arg('trainer', 'tfjs');
const spec = parseNetwork(arg('arch', SMALL_FASHION_NET));
const settings = settingsFor('full', { epochs: Number(arg('epochs', '3')), batchSize: Number(arg('batch', '64')) });
const out = arg('out', mkdtempSync(join(tmpdir(), `train-acc-${trainerName}-`)));
const trainer: Trainer = trainerName === 'pytorch'
  ? new ExternalTrainer({ name: 'pytorch', command: PYTORCH_REFERENCE_COMMAND, timeoutMs: 4 * 3600_000 })
  : new TfjsTrainer(arg('backend', 'auto') as BackendPreference);
const ds = loadDataset({ kind: 'fashion-mnist' });
console.log(`trainer=${trainerName} arch=${arg('arch', SMALL_FASHION_NET)} settings=${JSON.stringify(settings)} out=${out}`);
const t0 = performance.now();
let last = 0;
const result = await trainer.train({ spec, dataset: ds, settings, evaluateTest: true, outputDir: out }, (p) => {
  const now = performance.now();
  if (now - last > 30_000 || p.step === p.steps) {
    last = now;
    console.log(`epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} ${p.imagesPerSecond.toFixed(1)} img/s`);
  }
});
const wall = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ trainer: result.trainer, metrics: result.metrics, weightsDir: result.weightsDir }, null, 1));
console.log(`RESULT ${trainerName}/${result.trainer.backend}: test accuracy ${((result.metrics.testAccuracy ?? 0) * 100).toFixed(2)}% ` +
  `(validation ${(result.metrics.valAccuracy * 100).toFixed(2)}%), ${settings.epochs} epochs on ${result.metrics.trainImages} images, wall ${wall.toFixed(0)} s, ` +
  `${result.metrics.imagesPerSecond.toFixed(1)} img/s while training`);
