/**
 * tfjs kernelFuncs for the wasm backend that run our SIMD gradient kernels on tensors in place
 * (inputs are read straight from the tfjs wasm heap, the output is allocated there with makeOutput).
 */
import * as tf from '@tensorflow/tfjs';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { LayernasError } from '../../core/errors.js';
import { isWasmMemory, type WasmMemory, type WasmModule } from './wasm-api.js';
import { instantiateGradKernels, type GradKernelExports, type WasmHeap } from './module.js';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type PadAttr = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type RoundingAttr = 'floor' | 'round' | 'ceil' | undefined;

interface EmscriptenModuleView {
  asm?: { memory?: unknown };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** One instance of our module per tfjs wasm backend (each backend owns a separate heap). */
const instances = new WeakMap<BackendWasm, GradKernelExports>();

export function wasmBackendOf(backend: unknown, kernelName: string): BackendWasm {
  if (!(backend instanceof BackendWasm)) {
    throw new LayernasError('RUNTIME_UNAVAILABLE',
      `layernas kernel ${kernelName} is registered for the wasm backend but was called with another backend`);
  }
  return backend;
}

export function heapOf(backend: BackendWasm): WasmHeap {
  const m = backend.wasm as unknown as EmscriptenModuleView;
  const memory = m.asm?.memory;
  if (!isWasmMemory(memory)) {
    throw new LayernasError('RUNTIME_UNAVAILABLE',
      'cannot find the tfjs wasm backend memory (backend.wasm.asm.memory); @tensorflow/tfjs-backend-wasm 4.22 is required');
  }
  return { memory, malloc: (n) => m._malloc(n), free: (p) => m._free(p) };
}

export function kernelsFor(backend: BackendWasm, mod: WasmModule): GradKernelExports {
  let k = instances.get(backend);
  if (k === undefined) {
    k = instantiateGradKernels(mod, heapOf(backend));
    instances.set(backend, k);
  }
  return k;
}

function ptr(backend: BackendWasm, t: tf.TensorInfo, kernelName: string, name: string): number {
  if (t.dtype !== 'float32') {
    throw new LayernasError('TRAINER_FAILED', `${kernelName}: input ${name} must be float32, got ${t.dtype}`,
      { kernelName, input: name, dtype: t.dtype });
  }
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

function requireNhwc(kernelName: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new LayernasError('TRAINER_FAILED', `${kernelName}: only NHWC is supported by the layernas wasm kernels, got ${String(dataFormat)}`,
      { kernelName, dataFormat });
  }
}

function requireUnitDilation(kernelName: string, info: Conv2DInfo): void {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new LayernasError('TRAINER_FAILED', `${kernelName}: dilations must be 1, got ${info.dilationHeight}x${info.dilationWidth}`,
      { kernelName });
  }
}

/** Geometry arguments shared by all four kernels, in the C argument order after the channel counts. */
function geometry(info: Conv2DInfo): [number, number, number, number, number, number] {
  return [info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left];
}

function withScratch<T>(heap: WasmHeap, bytes: number, f: (p: number) => T): T {
  const p = heap.malloc(Math.max(bytes, 16)) >>> 0;
  try {
    return f(p);
  } finally {
    heap.free(p);
  }
}

export function makeConv2DBackpropFilter(mod: WasmModule): tf.KernelFunc {
  const name = tf.Conv2DBackpropFilter;
  return ({ inputs, backend: b, attrs }) => {
    const backend = wasmBackendOf(b, name);
    const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as { strides: [number, number] | number; pad: PadAttr; dataFormat?: string;
      dimRoundingMode: RoundingAttr; filterShape: [number, number, number, number] };
    requireNhwc(name, a.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape,
      a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const out = backend.makeOutput([...a.filterShape], 'float32');
    kernelsFor(backend, mod).conv2d_backprop_filter(ptr(backend, x, name, 'x'), ptr(backend, dy, name, 'dy'),
      ptr(backend, out, name, 'dw'), info.batchSize, info.inHeight, info.inWidth, info.inChannels,
      info.outHeight, info.outWidth, info.outChannels, ...geometry(info));
    return out;
  };
}

export function makeConv2DBackpropInput(mod: WasmModule): tf.KernelFunc {
  const name = tf.Conv2DBackpropInput;
  return ({ inputs, backend: b, attrs }) => {
    const backend = wasmBackendOf(b, name);
    const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as { strides: [number, number] | number; pad: PadAttr; dataFormat?: string;
      dimRoundingMode: RoundingAttr; inputShape: [number, number, number, number] };
    requireNhwc(name, a.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number],
      a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const out = backend.makeOutput([...a.inputShape], 'float32');
    const heap = heapOf(backend);
    withScratch(heap, 4 * info.filterHeight * info.filterWidth * info.inChannels * info.outChannels, (wt) =>
      kernelsFor(backend, mod).conv2d_backprop_input(ptr(backend, dy, name, 'dy'), ptr(backend, filter, name, 'filter'),
        ptr(backend, out, name, 'dx'), wt, info.batchSize, info.inHeight, info.inWidth, info.inChannels,
        info.outHeight, info.outWidth, info.outChannels, ...geometry(info)));
    return out;
  };
}

export function makeDepthwiseBackpropFilter(mod: WasmModule): tf.KernelFunc {
  const name = tf.DepthwiseConv2dNativeBackpropFilter;
  return ({ inputs, backend: b, attrs }) => {
    const backend = wasmBackendOf(b, name);
    const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as { strides: [number, number] | number; dilations: [number, number] | number;
      pad: PadAttr; dimRoundingMode: RoundingAttr; filterShape: [number, number, number, number] };
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape,
      a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    requireUnitDilation(name, info);
    const out = backend.makeOutput([...a.filterShape], 'float32');
    kernelsFor(backend, mod).depthwise_backprop_filter(ptr(backend, x, name, 'x'), ptr(backend, dy, name, 'dy'),
      ptr(backend, out, name, 'dw'), info.batchSize, info.inHeight, info.inWidth, info.inChannels, a.filterShape[3],
      info.outHeight, info.outWidth, ...geometry(info));
    return out;
  };
}

export function makeDepthwiseBackpropInput(mod: WasmModule): tf.KernelFunc {
  const name = tf.DepthwiseConv2dNativeBackpropInput;
  return ({ inputs, backend: b, attrs }) => {
    const backend = wasmBackendOf(b, name);
    const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as { strides: [number, number] | number; dilations: [number, number] | number;
      pad: PadAttr; dimRoundingMode: RoundingAttr; inputShape: [number, number, number, number] };
    const fshape = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, fshape, a.strides, a.dilations, a.pad,
      a.dimRoundingMode, true);
    requireUnitDilation(name, info);
    const out = backend.makeOutput([...a.inputShape], 'float32');
    const heap = heapOf(backend);
    withScratch(heap, 8 * info.filterHeight * info.filterWidth, (taps) =>
      kernelsFor(backend, mod).depthwise_backprop_input(ptr(backend, dy, name, 'dy'),
        ptr(backend, filter, name, 'filter'), ptr(backend, out, name, 'dx'), taps, info.batchSize, info.inHeight,
        info.inWidth, info.inChannels, fshape[3], info.outHeight, info.outWidth, ...geometry(info)));
    return out;
  };
}
