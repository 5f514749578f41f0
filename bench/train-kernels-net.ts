/**
 * The bench network of bench/train-kernels*.ts: a 32x32 MobileNet-style net built by the in-process trainer's own
 * network builder (src/train/network.ts), and one training step exactly as src/train/trainer.ts does it
 * (variableGrads of softmax cross-entropy with label smoothing, then the trainer's SGD momentum optimizer).
 */
import * as tf from '@tensorflow/tfjs';
import { parseNetwork } from '../src/arch/grammar.js';
import { buildNetwork, type TrainableNetwork } from '../src/train/network.js';
import { makeOptimizer } from '../src/train/optimizer.js';
import { settingsFor } from '../src/train/settings.js';
import type { NetParam } from '../src/train/params.js';
import { installWasmGradientKernels, uninstallWasmGradientKernels } from '../src/train/wasm-kernels/index.js';
import { Rng } from '../src/core/rng.js';

/** Stem conv 3x3 c16, inverted-residual blocks e3/e6 k3/k5 with stride-2 stages, 1x1 head, gap, fc 10. */
export const BENCH_NETWORK =
  'in32x32x1/conv_k3_s1_c16_relu6/ir_k3_s2_e3_c24_relu6/ir_k3_s1_e3_c24_relu6/ir_k5_s2_e6_c40_relu6/' +
  'ir_k3_s1_e6_c40_relu6/ir_k5_s2_e6_c80_relu6/ir_k3_s1_e6_c80_relu6/conv_k1_s1_c256_relu6/gap/fc_c10';

export type BnMode = 'fused' | 'custom';
export interface BenchArgs { backend: 'wasm' | 'cpu'; steps: number; batch: number; stock: boolean; bn: BnMode }

export function benchArgs(argv: string[]): BenchArgs {
  const get = (flag: string): string | undefined => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const backend = get('--backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, got ${backend}`);
  const bn = get('--bn') ?? 'fused';
  if (bn !== 'fused' && bn !== 'custom') throw new Error(`--bn must be fused or custom, got ${bn}`);
  return { backend, steps: Number(get('--steps') ?? 5), batch: Number(get('--batch') ?? 64), stock: argv.includes('--stock'), bn };
}

export async function setupBackend(backend: 'wasm' | 'cpu', ourKernels: boolean): Promise<void> {
  if (backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (ourKernels) await installWasmGradientKernels(); else uninstallWasmGradientKernels();
  }
  await tf.setBackend(backend);
  await tf.ready();
}

export function buildBenchNetwork(seed = 0): TrainableNetwork {
  return buildNetwork(parseNetwork(BENCH_NETWORK), seed);
}

/**
 * Returns a function doing one full training step (fwd + bwd + SGD) on a fixed random batch; returns the loss.
 * `bn` is the trainer's training-mode BN formulation (src/train/layers.ts ForwardContext.bnGradient).
 */
export function makeStep(net: TrainableNetwork, batch: number, bn: BnMode = 'fused'): () => number {
  const s = settingsFor('full', { batchSize: batch });
  const opt = makeOptimizer(s, net.store.params);
  const trainable = net.store.params.filter((p) => p.trainable);
  const varList = trainable.map((p) => p.variable);
  const rng = new Rng(1);
  const { height: H, width: W, channels: C } = net.spec.input;
  const x = new Float32Array(batch * H * W * C).map(() => rng.next());
  const y = Int32Array.from({ length: batch }, () => rng.int(net.numClasses));
  const ctx = { training: true, bnMomentum: 0.1, bnGradient: bn };
  return () => tf.tidy(() => {
    const xs = tf.tensor4d(x, [batch, H, W, C]);
    const ys = tf.oneHot(tf.tensor1d(y, 'int32'), net.numClasses);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(ys, net.forward(xs, ctx), undefined, s.labelSmoothing) as tf.Scalar, varList);
    const byParam = new Map<NetParam, tf.Tensor>(trainable.map((p) => [p, grads[p.variable.name] as tf.Tensor]));
    opt.step(byParam, 0.01);
    return value.dataSync()[0] as number;
  });
}
