/**
 * One small interface over every inference runtime layernas runs exported models in
 * (ONNX Runtime: src/runtime/onnxruntime.ts; TFLite: src/runtime/tflite.ts).
 *
 * Load failures are typed: a file that cannot be parsed → 'MODEL_INVALID'; a runtime that cannot be loaded on
 * this machine → 'RUNTIME_UNAVAILABLE' with the fix in the message.
 */

export type RuntimeDType = 'float32' | 'int8' | 'uint8' | 'int32';

export type RuntimeTensorData = Float32Array | Int8Array | Uint8Array | Int32Array;

export interface RuntimeTensorInfo {
  readonly name: string;
  /** e.g. [1, 224, 224, 3]; a dynamic dimension is -1 */
  readonly shape: readonly number[];
  readonly dtype: RuntimeDType;
}

export interface RuntimeLoadOptions {
  /** intra-op threads (>= 1) */
  readonly threads: number;
}

export interface TimingOptions {
  readonly runs: number;
  readonly warmup: number;
  /** inputs to time with; default: zeros of each input's shape */
  readonly inputs?: readonly RuntimeTensorData[];
}

export interface LoadedModel {
  readonly inputs: readonly RuntimeTensorInfo[];
  readonly outputs: readonly RuntimeTensorInfo[];
  /** one tensor per model input, in `inputs` order; returns one tensor per output, in `outputs` order */
  run(inputs: readonly RuntimeTensorData[]): Promise<RuntimeTensorData[]>;
  /** wall-clock milliseconds of each of `runs` invocations after `warmup` untimed ones */
  time(options: TimingOptions): Promise<number[]>;
  dispose(): Promise<void>;
}

export interface ModelRuntime {
  /** e.g. 'onnxruntime', 'tflite' */
  readonly id: string;
  /** version string of the native runtime, recorded with latency measurements */
  readonly version: string;
  load(file: string, options: RuntimeLoadOptions): Promise<LoadedModel>;
}

/** number of elements of a static shape */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * Math.max(1, b), 1);
}

/** zero-filled tensor of the given info (dynamic dims taken as 1) */
export function zerosFor(info: RuntimeTensorInfo): RuntimeTensorData {
  const n = elementCount(info.shape);
  switch (info.dtype) {
    case 'float32': return new Float32Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': return new Uint8Array(n);
    case 'int32': return new Int32Array(n);
  }
}

/** median of samples (no mutation) */
export { median } from '../core/median.js';
