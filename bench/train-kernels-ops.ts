/**
 * Per-kernel timings for bench/train-kernels.ts: the layernas wasm gradient kernels vs the tfjs cpu backend's
 * kernels (and the stock wasm Conv2DBackpropInput), on shapes of the bench network at batch 64.
 * Figures are process-CPU milliseconds per call (median of reps), which a loaded machine inflates less than
 * wall time; wall ms are printed too.
 */
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from './train-kernels-net.js';
import { installWasmGradientKernels, uninstallWasmGradientKernels } from '../src/train/wasm-kernels/index.js';

interface OpCase {
  label: string;
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: Record<string, unknown>;
}

const N = 64;
const conv = (strides: number, filterShape: number[]): Record<string, unknown> =>
  ({ strides: [strides, strides], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape });
const convIn = (strides: number, inputShape: number[]): Record<string, unknown> =>
  ({ strides: [strides, strides], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape });
const dw = (strides: number, key: 'filterShape' | 'inputShape', shape: number[]): Record<string, unknown> =>
  ({ strides: [strides, strides], pad: 'same', dilations: [1, 1], dimRoundingMode: undefined, [key]: shape });

const CASES: OpCase[] = [
  { label: 'stem 3x3 1->16 @32', kernel: tf.Conv2DBackpropFilter, inputs: { x: [N, 32, 32, 1], dy: [N, 32, 32, 16] }, attrs: conv(1, [3, 3, 1, 16]) },
  { label: 'expand 1x1 16->48 @32', kernel: tf.Conv2DBackpropFilter, inputs: { x: [N, 32, 32, 16], dy: [N, 32, 32, 48] }, attrs: conv(1, [1, 1, 16, 48]) },
  { label: 'project 1x1 144->40 @8', kernel: tf.Conv2DBackpropFilter, inputs: { x: [N, 8, 8, 144], dy: [N, 8, 8, 40] }, attrs: conv(1, [1, 1, 144, 40]) },
  { label: 'expand 1x1 16->48 @32', kernel: tf.Conv2DBackpropInput, inputs: { dy: [N, 32, 32, 48], filter: [1, 1, 16, 48] }, attrs: convIn(1, [N, 32, 32, 16]) },
  { label: 'project 1x1 144->40 @8', kernel: tf.Conv2DBackpropInput, inputs: { dy: [N, 8, 8, 40], filter: [1, 1, 144, 40] }, attrs: convIn(1, [N, 8, 8, 144]) },
  { label: 'dw 3x3 s2 48 @32', kernel: tf.DepthwiseConv2dNativeBackpropFilter, inputs: { x: [N, 32, 32, 48], dy: [N, 16, 16, 48] }, attrs: dw(2, 'filterShape', [3, 3, 48, 1]) },
  { label: 'dw 5x5 s2 144 @16', kernel: tf.DepthwiseConv2dNativeBackpropFilter, inputs: { x: [N, 16, 16, 144], dy: [N, 8, 8, 144] }, attrs: dw(2, 'filterShape', [5, 5, 144, 1]) },
  { label: 'dw 3x3 s2 48 @32', kernel: tf.DepthwiseConv2dNativeBackpropInput, inputs: { dy: [N, 16, 16, 48], filter: [3, 3, 48, 1] }, attrs: dw(2, 'inputShape', [N, 32, 32, 48]) },
  { label: 'dw 5x5 s2 144 @16', kernel: tf.DepthwiseConv2dNativeBackpropInput, inputs: { dy: [N, 8, 8, 144], filter: [5, 5, 144, 1] }, attrs: dw(2, 'inputShape', [N, 16, 16, 144]) },
];

interface Timing { cpuMs: number; wallMs: number }

function time(c: OpCase, reps: number): Timing {
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, shape] of Object.entries(c.inputs)) ts[k] = tf.randomNormal(shape);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const out = tf.engine().runKernel(c.kernel, ts as unknown as tf.NamedTensorMap, c.attrs as tf.NamedAttrMap) as tf.Tensor;
    out.dataSync();
    const w = performance.now() - w0;
    const cu = process.cpuUsage(c0);
    out.dispose();
    if (r > 0) { cpu.push((cu.user + cu.system) / 1000); wall.push(w); } // first call warms up
  }
  tf.dispose(Object.values(ts));
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { cpuMs: med(cpu), wallMs: med(wall) };
}

function gmacs(c: OpCase): number {
  // MACs of the gradient = MACs of the forward conv
  const dy = c.inputs.dy!;
  const f = (c.attrs.filterShape ?? c.inputs.filter) as number[];
  const outPixels = dy[0]! * dy[1]! * dy[2]!;
  return (outPixels * f[0]! * f[1]! * f[2]! * f[3]!) / 1e9;
}

export async function benchKernels(withCpuBackend: boolean, cpuReps = 1, ourReps = 5): Promise<void> {
  console.log('per-kernel CPU ms per call (median), batch 64; GMAC/s of ours; stock = stock tfjs-wasm kernel:');
  console.log(`  ${'kernel'.padEnd(36)} ${'shape'.padEnd(24)} ${'ours'.padStart(8)} ${'GMAC/s'.padStart(7)}  other`);
  for (const c of CASES) {
    await setupBackend('wasm', true);
    await installWasmGradientKernels();
    const o = time(c, ourReps);
    let other = '';
    if (c.kernel === tf.Conv2DBackpropInput) {
      uninstallWasmGradientKernels();
      const s = time(c, ourReps);
      await installWasmGradientKernels();
      other += `stock-wasm ${s.cpuMs.toFixed(1)} (${(s.cpuMs / o.cpuMs).toFixed(1)}x slower)  `;
    }
    if (withCpuBackend) {
      await tf.setBackend('cpu');
      const p = time(c, cpuReps);
      other += `cpu-backend ${p.cpuMs.toFixed(1)} (${(p.cpuMs / o.cpuMs).toFixed(1)}x slower)`;
      await tf.setBackend('wasm');
    }
    console.log(`  ${c.kernel.padEnd(36)} ${c.label.padEnd(24)} ${o.cpuMs.toFixed(1).padStart(8)} ` +
      `${(gmacs(c) / (o.cpuMs / 1000)).toFixed(2).padStart(7)}  ${other}[wall ours ${o.wallMs.toFixed(1)}]`);
  }
}
