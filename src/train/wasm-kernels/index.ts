/**
 * Gradient kernels for @tensorflow/tfjs-backend-wasm, written in C with wasm SIMD (native/wasm-kernels/).
 *
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter or
 * DepthwiseConv2dNativeBackpropInput kernel (training a conv net fails with "kernel not registered"), and its
 * Conv2DBackpropInput is a scalar loop. installWasmGradientKernels() registers ours for all four.
 *
 * Call it once at backend setup, before the first gradient is computed (before or after tf.setBackend('wasm')):
 *   import '@tensorflow/tfjs-backend-wasm';
 *   await installWasmGradientKernels();
 *   await tf.setBackend('wasm');
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { compileGradKernels } from './module.js';
import { installGradientOverrides, uninstallGradientOverrides } from './gradients.js';
import { makeBatchMatMul } from './matmul-kernel.js';
import {
  BATCHNORM_GRAD_KERNEL, BROADCAST_LEADING_KERNEL, MUL_SCALED_KERNEL, RELU6_GRAD_KERNEL, makeBatchNormGrad,
  makeBatchNormForward, makeBroadcastLeading, makeLeadingReduce, makeMulScaled, makeRelu6Grad, makeSharedCast,
  makeSharedIdentity,
} from './norm-kernels.js';
import {
  makeConv2DBackpropFilter, makeConv2DBackpropInput, makeDepthwiseBackpropFilter, makeDepthwiseBackpropInput,
} from './kernels.js';

export { GRAD_KERNELS_WASM_PATH } from './module.js';

export const WASM_GRADIENT_KERNEL_NAMES = [
  tf.Conv2DBackpropFilter,
  tf.Conv2DBackpropInput,
  tf.DepthwiseConv2dNativeBackpropFilter,
  tf.DepthwiseConv2dNativeBackpropInput,
] as const;

export interface InstallOptions {
  /** Also replace the stock (scalar) wasm Conv2DBackpropInput. Default true. */
  readonly replaceConv2DBackpropInput?: boolean;
  /**
   * Also speed up what dominates a step once convolutions are fast (default true): fused BatchNorm and Relu6
   * gradients, one-pass Mean/Sum/Square gradients (gradient overrides active only on the wasm backend),
   * leading-axes Sum/Mean, BatchMatMul with one transposed operand (the gradients of a matMul).
   */
  readonly stepKernels?: boolean;
}

type Saved = { config: tf.KernelConfig | undefined };
const replaced = new Map<string, Saved>();

/** The kernel registered before our first install (the stock one, if any). */
function stockKernel(kernelName: string): tf.KernelConfig | undefined {
  return replaced.has(kernelName) ? replaced.get(kernelName)?.config : tf.getKernel(kernelName, 'wasm');
}

function register(kernelName: string, kernelFunc: tf.KernelFunc): void {
  const previous = tf.getKernel(kernelName, 'wasm');
  if (!replaced.has(kernelName)) replaced.set(kernelName, { config: previous });
  if (previous !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  // keep the stock setupFunc: our kernels fall back to the stock kernelFunc, which needs it
  const setupFunc = replaced.get(kernelName)?.config?.setupFunc;
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(setupFunc ? { setupFunc } : {}) });
}

function registerStepKernels(mod: Awaited<ReturnType<typeof compileGradKernels>>): void {
  register(BATCHNORM_GRAD_KERNEL, makeBatchNormGrad(mod));
  register(RELU6_GRAD_KERNEL, makeRelu6Grad(mod));
  register(BROADCAST_LEADING_KERNEL, makeBroadcastLeading(mod));
  register(MUL_SCALED_KERNEL, makeMulScaled(mod));
  for (const name of [tf.Sum, tf.Mean] as const) {
    const stock = stockKernel(name);
    if (stock !== undefined) register(name, makeLeadingReduce(mod, name, stock));
  }
  const matmul = stockKernel(tf.BatchMatMul);
  if (matmul !== undefined) register(tf.BatchMatMul, makeBatchMatMul(mod, matmul));
  const bn = stockKernel(tf.FusedBatchNorm);
  if (bn !== undefined) register(tf.FusedBatchNorm, makeBatchNormForward(mod, bn));
  const identity = stockKernel(tf.Identity);
  if (identity !== undefined) register(tf.Identity, makeSharedIdentity(identity));
  const cast = stockKernel(tf.Cast);
  if (cast !== undefined) register(tf.Cast, makeSharedCast(cast));
  installGradientOverrides();
}

/** Registers the layernas wasm gradient kernels for the 'wasm' backend. Idempotent. */
export async function installWasmGradientKernels(options: InstallOptions = {}): Promise<void> {
  const mod = await compileGradKernels();
  register(tf.Conv2DBackpropFilter, makeConv2DBackpropFilter(mod));
  register(tf.DepthwiseConv2dNativeBackpropFilter, makeDepthwiseBackpropFilter(mod));
  register(tf.DepthwiseConv2dNativeBackpropInput, makeDepthwiseBackpropInput(mod));
  if (options.replaceConv2DBackpropInput ?? true) {
    register(tf.Conv2DBackpropInput, makeConv2DBackpropInput(mod));
  } else {
    restore(tf.Conv2DBackpropInput);
  }
  if (options.stepKernels ?? true) {
    registerStepKernels(mod);
  } else {
    for (const name of [BATCHNORM_GRAD_KERNEL, RELU6_GRAD_KERNEL, BROADCAST_LEADING_KERNEL, MUL_SCALED_KERNEL, tf.Sum,
      tf.Mean, tf.BatchMatMul, tf.FusedBatchNorm, tf.Identity, tf.Cast]) restore(name);
    uninstallGradientOverrides();
  }
}

function restore(kernelName: string): void {
  const saved = replaced.get(kernelName);
  if (saved === undefined) return;
  if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  if (saved.config !== undefined) {
    tf.registerKernel(saved.config);
    // a stock kernel replaced before the backend initialised never had its setup run
    const backend = tf.findBackend('wasm');
    if (backend !== null && saved.config.setupFunc) saved.config.setupFunc(backend);
  }
  replaced.delete(kernelName);
}

/** Puts back whatever was registered before installWasmGradientKernels() (used by benchmarks and tests). */
export function uninstallWasmGradientKernels(): void {
  for (const name of [...replaced.keys()]) restore(name);
  uninstallGradientOverrides();
}
