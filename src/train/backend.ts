/**
 * tfjs backend selection for training: `@tensorflow/tfjs-node` when it loads, else the wasm backend with our
 * gradient kernels (src/train/wasm-kernels), else the cpu backend. The choice and why are reported in results.
 */
import * as tf from '@tensorflow/tfjs';
import { LayernasError } from '../core/errors.js';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  readonly name: BackendName;
  /** why this backend (and why not the better ones) */
  readonly reason: string;
}

// module paths kept in variables: these modules are optional (tfjs-node) or land separately (wasm kernels)
const TFJS_NODE = '@tensorflow/tfjs-node';
const WASM_KERNELS = './wasm-kernels/index.js';

async function tryTensorflow(): Promise<string | undefined> {
  try {
    await import(TFJS_NODE);
    if (!(await tf.setBackend('tensorflow'))) return 'tfjs-node loaded but its backend did not initialise';
    return undefined;
  } catch (e) {
    return `tfjs-node unavailable (${((e as Error).message ?? String(e)).split('\n')[0]})`;
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    const kernels = (await import(WASM_KERNELS)) as { installWasmGradientKernels?: () => Promise<void> };
    if (typeof kernels.installWasmGradientKernels !== 'function') return 'wasm gradient kernels module has no installWasmGradientKernels()';
    if (!(await tf.setBackend('wasm'))) return 'wasm backend did not initialise';
    await tf.ready();
    await kernels.installWasmGradientKernels();
    return undefined;
  } catch (e) {
    return `wasm training unavailable (${((e as Error).message ?? String(e)).split('\n')[0]})`;
  }
}

let selected: BackendInfo | undefined;

/** Select (once per process) the fastest training backend that works; an explicit preference that fails is an error. */
export async function selectTrainingBackend(pref: BackendPreference = 'auto'): Promise<BackendInfo> {
  if (selected && (pref === 'auto' || pref === selected.name)) return selected;
  const notes: string[] = [];
  if (pref === 'auto' || pref === 'tensorflow') {
    const why = await tryTensorflow();
    if (why === undefined) return (selected = { name: 'tensorflow', reason: 'tfjs-node loaded' });
    if (pref === 'tensorflow') throw new LayernasError('RUNTIME_UNAVAILABLE', `${why}; install @tensorflow/tfjs-node or use --backend wasm|cpu`, {});
    notes.push(why);
  }
  if (pref === 'auto' || pref === 'wasm') {
    const why = await tryWasm();
    if (why === undefined) return (selected = { name: 'wasm', reason: [...notes, 'wasm + layernas gradient kernels'].join('; ') });
    if (pref === 'wasm') throw new LayernasError('RUNTIME_UNAVAILABLE', `${why}; use --backend cpu`, {});
    notes.push(why);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return (selected = { name: 'cpu', reason: [...notes, 'tfjs cpu backend'].join('; ') });
}
