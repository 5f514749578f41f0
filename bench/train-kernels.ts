/**
 * Training speed of the in-process trainer's step on each engine, and per-kernel timings of the layernas wasm
 * gradient kernels vs the tfjs cpu backend (and the stock wasm Conv2DBackpropInput).
 *
 *   npx tsx bench/train-kernels.ts [--rounds 3] [--images 640] [--cpu-images 64] [--batch 64] [--skip-kernels]
 *                                  [--cpu-kernels]   (per-kernel figures of the tfjs cpu backend too: slow)
 *
 * --images 60000 trains one Fashion-MNIST-sized epoch per engine and round. Engines are measured interleaved,
 * round by round, so a shared machine's load drifts over all of them alike; every figure is printed per round
 * with wall and process-CPU time. Data is random (throughput does not depend on pixel values).
 * Engines: tfjs-wasm + layernas kernels, tfjs-wasm + only the 3 missing conv kernels (conv-only), tfjs cpu,
 * PyTorch CPU (/usr/bin/python3, torch.set_num_threads(2), bench/train-kernels-torch.py).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { BENCH_NETWORK, buildBenchNetwork, makeStep, setupBackend } from './train-kernels-net.js';
import { installWasmGradientKernels } from '../src/train/wasm-kernels/index.js';
import { benchKernels } from './train-kernels-ops.js';

const argv = process.argv.slice(2);
const opt = (flag: string, dflt: number): number => { const i = argv.indexOf(flag); return i >= 0 ? Number(argv[i + 1]) : dflt; };
const rounds = opt('--rounds', 3);
const batch = opt('--batch', 64);
const images = opt('--images', 640);
const cpuImages = opt('--cpu-images', 64);

interface Run { engine: string; images: number; wallS: number; cpuS: number }
const runs: Run[] = [];

function report(r: Run): void {
  runs.push(r);
  console.log(`  ${r.engine.padEnd(26)} ${(r.images / r.wallS).toFixed(1).padStart(7)} img/s wall   ` +
    `${(r.images / r.cpuS).toFixed(1).padStart(7)} img/CPU-s   (${r.images} images, ${r.wallS.toFixed(1)} s)`);
}

async function tfjsRun(engine: string, backend: 'wasm' | 'cpu', kernels: 'all' | 'conv-only', n: number): Promise<void> {
  await setupBackend(backend, true);
  if (backend === 'wasm') await installWasmGradientKernels({ stepKernels: kernels === 'all' });
  const net = buildBenchNetwork();
  const step = makeStep(net, batch);
  if (backend === 'wasm') step(); // warm-up (XNNPACK operator creation, kernel instantiation); cpu is too slow to bother
  const steps = Math.max(1, Math.round(n / batch));
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const wallS = (performance.now() - w0) / 1000;
  const cu = process.cpuUsage(c0);
  net.dispose();
  report({ engine, images: steps * batch, wallS, cpuS: (cu.user + cu.system) / 1e6 });
}

function torchRun(n: number): void {
  const script = fileURLToPath(new URL('./train-kernels-torch.py', import.meta.url));
  const steps = Math.max(1, Math.round(n / batch));
  const out = execFileSync('/usr/bin/python3', [script, '--net', BENCH_NETWORK, '--batch', String(batch),
    '--steps', String(steps), '--threads', '2'], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { wallSeconds: number; cpuSeconds: number };
  report({ engine: 'pytorch-cpu (2 threads)', images: steps * batch, wallS: r.wallSeconds, cpuS: r.cpuSeconds });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

console.log(`network ${BENCH_NETWORK}, batch ${batch}`);
if (!argv.includes('--skip-kernels')) await benchKernels(argv.includes('--cpu-kernels'));
for (let r = 1; r <= rounds; r++) {
  console.log(`round ${r}/${rounds}`);
  await tfjsRun('tfjs-wasm + layernas', 'wasm', 'all', images);
  torchRun(images);
  if (r === 1) await tfjsRun('tfjs-wasm + conv kernels', 'wasm', 'conv-only', images);
}
if (cpuImages > 0) {
  console.log('tfjs cpu backend (one measurement, it is slow):');
  await tfjsRun('tfjs cpu', 'cpu', 'all', cpuImages);
}

console.log('\nsummary (median over rounds; the spread shows the machine noise)');
const engines = [...new Set(runs.map((r) => r.engine))];
const med = new Map<string, number>();
for (const e of engines) {
  const rs = runs.filter((r) => r.engine === e).map((r) => r.images / r.wallS);
  med.set(e, median(rs));
  console.log(`  ${e.padEnd(26)} median ${median(rs).toFixed(1).padStart(7)} img/s   min ${Math.min(...rs).toFixed(1)}  max ${Math.max(...rs).toFixed(1)}  (n=${rs.length})`);
}
const ratios = runs.filter((r) => r.engine === 'tfjs-wasm + layernas').map((w, i) => {
  const t = runs.filter((r) => r.engine.startsWith('pytorch'))[i];
  return t ? (w.images / w.wallS) / (t.images / t.wallS) : NaN;
});
console.log(`ratio tfjs-wasm+layernas / pytorch-cpu per round: ${ratios.map((x) => x.toFixed(2)).join(', ')}; ` +
  `median ${median(ratios).toFixed(2)} (goal >= 0.50)`);
console.log(`tfjs backend at exit: ${tf.getBackend()}`);
