/**
 * Must-show: training throughput of the same 32x32 MobileNet-style network, one epoch over a fixed Fashion-MNIST
 * subset (resized 28->32, 1->3 channels), per engine: tfjs-wasm (+ layernas gradient kernels), tfjs cpu,
 * PyTorch CPU (reference trainer, 1 and all threads). Prints images/second and the ratio to PyTorch.
 *   npx tsx bench/train-throughput.ts [--images 2048] [--cpu-images 256] [--batch 64] [--engines wasm,wasm2,cpu,pytorch]
 * (wasm2 = tfjs-wasm with a data-parallel replica on the second core, src/train/data-parallel.ts)
 * Timing counts training steps only (no data loading, evaluation or process start). The machine is shared: run
 * it on an idle machine for stable figures.
 */
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetwork } from '../src/arch/grammar.js';
import { loadDataset } from '../src/data/index.js';
import { settingsFor } from '../src/train/settings.js';
import { TfjsTrainer } from '../src/train/tfjs-trainer.js';
import { ExternalTrainer, PYTORCH_REFERENCE_COMMAND } from '../src/train/external.js';
import type { Trainer } from '../src/train/types.js';

export const THROUGHPUT_NET = 'in32x32x3/conv_k3_s2_c16/ir_k3_s1_e1_c16/ir_k3_s2_e4_c24/ir_k3_s1_e4_c24/ir_k5_s2_e4_c40_se0.25_hsig/ir_k3_s1_e4_c40/conv_k1_s1_c128/gap/fc_c10';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const images = Number(arg('images', '2048'));
const cpuImages = Number(arg('cpu-images', '256'));
const batch = Number(arg('batch', '64'));
const engines = arg('engines', 'wasm,wasm2,cpu,pytorch').split(',');
const spec = parseNetwork(arg('arch', THROUGHPUT_NET));
const ds = loadDataset({ kind: 'fashion-mnist' });
const cores = availableParallelism();

async function measure(label: string, trainer: Trainer, n: number): Promise<number> {
  const settings = settingsFor('proxy', { epochs: 1, batchSize: batch, trainSubset: n, validationSubset: 200, warmupSteps: 5 });
  const out = mkdtempSync(join(tmpdir(), `thr-${label.replace(/\W/g, '')}-`));
  const r = await trainer.train({ spec, dataset: ds, settings, evaluateTest: false, outputDir: out });
  const ips = r.metrics.imagesPerSecond;
  console.log(`${label.padEnd(22)} ${ips.toFixed(1).padStart(8)} img/s   (${n} images, batch ${batch}, backend ${r.trainer.backend})`);
  return ips;
}

console.log(`arch ${arg('arch', THROUGHPUT_NET)}; ${cores} cores; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const res: Record<string, number> = {};
if (engines.includes('wasm')) res['tfjs-wasm'] = await measure('tfjs-wasm', new TfjsTrainer('wasm'), images);
if (engines.includes('wasm2')) res['tfjs-wasm-2threads'] = await measure('tfjs-wasm (2 threads, data-parallel)', new TfjsTrainer('wasm', { threads: 2 }), images);
if (engines.includes('cpu')) res['tfjs-cpu'] = await measure('tfjs-cpu', new TfjsTrainer('cpu'), cpuImages);
if (engines.includes('pytorch')) {
  res['pytorch-1thread'] = await measure('pytorch (1 thread)', new ExternalTrainer({ name: 'pytorch', command: PYTORCH_REFERENCE_COMMAND, timeoutMs: 3600_000, env: { LAYERNAS_THREADS: '1' } }), images);
  res[`pytorch-${cores}threads`] = await measure(`pytorch (${cores} threads)`, new ExternalTrainer({ name: 'pytorch', command: PYTORCH_REFERENCE_COMMAND, timeoutMs: 3600_000, env: { LAYERNAS_THREADS: String(cores) } }), images);
}
const torch = Math.max(res['pytorch-1thread'] ?? 0, res[`pytorch-${cores}threads`] ?? 0);
if (torch > 0) {
  for (const k of ['tfjs-wasm', 'tfjs-wasm-2threads', 'tfjs-cpu']) {
    if (res[k] !== undefined) console.log(`${k} / best PyTorch CPU = ${((res[k] as number) / torch * 100).toFixed(1)}% (goal >= 50%)`);
  }
  if (res['tfjs-wasm'] !== undefined && res['pytorch-1thread'] !== undefined) {
    console.log(`same cores: tfjs-wasm / PyTorch 1 thread = ${((res['tfjs-wasm'] as number) / (res['pytorch-1thread'] as number) * 100).toFixed(1)}%` +
      (res['tfjs-wasm-2threads'] !== undefined && res[`pytorch-${cores}threads`] !== undefined ? `; tfjs-wasm 2 threads / PyTorch ${cores} threads = ${((res['tfjs-wasm-2threads'] as number) / (res[`pytorch-${cores}threads`] as number) * 100).toFixed(1)}%` : ''));
  }
}
console.log(`JSON ${JSON.stringify({ imagesPerSecond: res, batch, images, cpuImages })}`);
