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
}

type Saved = { config: tf.KernelConfig | undefined };
const replaced = new Map<string, Saved>();

function register(kernelName: string, kernelFunc: tf.KernelFunc): void {
  const previous = tf.getKernel(kernelName, 'wasm');
  if (!replaced.has(kernelName)) replaced.set(kernelName, { config: previous });
  if (previous !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
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
}

function restore(kernelName: string): void {
  const saved = replaced.get(kernelName);
  if (saved === undefined) return;
  if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  if (saved.config !== undefined) tf.registerKernel(saved.config);
  replaced.delete(kernelName);
}

/** Puts back whatever was registered before installWasmGradientKernels() (used by benchmarks and tests). */
export function uninstallWasmGradientKernels(): void {
  for (const name of [...replaced.keys()]) restore(name);
}
