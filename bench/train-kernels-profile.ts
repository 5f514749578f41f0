/**
 * Where does a training step's time go on the tfjs wasm backend with the layernas gradient kernels?
 * Runs forward + backward + SGD steps of the bench network (bench/train-kernels-net.ts) under tf.profile and
 * prints per-kernel process-CPU time (kernels run synchronously on this thread) and per-step time.
 *   npx tsx bench/train-kernels-profile.ts [--backend wasm|cpu] [--steps 5] [--batch 64] [--stock] [--bn fused|custom]
 */
import * as tf from '@tensorflow/tfjs';
import { benchArgs, buildBenchNetwork, makeStep, setupBackend } from './train-kernels-net.js';

const args = benchArgs(process.argv.slice(2));
await setupBackend(args.backend, !args.stock);
// Kernel times as process-CPU ms (the machine may be shared; wall time per kernel would mostly measure the load).
const backend = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
backend.time = async (f) => {
  const c0 = process.cpuUsage();
  f();
  const cu = process.cpuUsage(c0);
  return { kernelMs: (cu.user + cu.system) / 1000 };
};
const net = buildBenchNetwork();
const step = makeStep(net, args.batch, args.bn);
for (let i = 0; i < 2; i++) step(); // warm-up
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const info = await tf.profile(() => { for (let i = 0; i < args.steps; i++) step(); });
const wall = performance.now() - t0;
const cpuAll = process.cpuUsage(cpu0);
const cpuMs = (cpuAll.user + cpuAll.system) / 1000;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  e.calls++;
  byKernel.set(k.name, e);
}
const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernelTotal = rows.reduce((s, [, e]) => s + e.ms, 0);
console.log(`backend ${tf.getBackend()}${args.stock ? ' (stock kernels)' : ' + layernas kernels'}, BN ${args.bn}, batch ${args.batch}, ${args.steps} steps`);
console.log(`per step (profiled): wall ${(wall / args.steps).toFixed(1)} ms, process CPU ${(cpuMs / args.steps).toFixed(1)} ms, ` +
  `inside kernels ${(kernelTotal / args.steps).toFixed(1)} CPU ms, ${(info.kernels.length / args.steps).toFixed(0)} kernel calls`);
console.log('kernel                                CPU ms/step   calls/step  share');
for (const [name, e] of rows.slice(0, 30)) {
  console.log(`${name.padEnd(40)} ${(e.ms / args.steps).toFixed(2).padStart(8)} ${(e.calls / args.steps).toFixed(0).padStart(10)}  ${((100 * e.ms) / kernelTotal).toFixed(1).padStart(5)}%`);
}
