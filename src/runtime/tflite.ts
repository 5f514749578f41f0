/**
 * TensorFlow Lite 2.9 behind the ModelRuntime interface.
 *
 * Runs on our runner addon (src/runtime/tflite-native.ts, native/tflite-runner) when it was built: XNNPack
 * delegate created directly with the load's thread count (interpreter threads and XNNPack's thread pool), flag
 * QS8 (signed int8 on XNNPack; TFLite 2.9's XNNPack cannot take uint8 models), a delegation report, invokes
 * timed in C. Without the addon (no gcc at install) it falls back to tfjs-tflite-node's binding on the plain
 * interpreter.
 *
 * xnnpack: 'auto'     XNNPack when the addon was built, else warn once and run the plain interpreter;
 *          'required' fail with RUNTIME_UNAVAILABLE (and the fix) when the addon is missing;
 *          'off'      plain interpreter (TFLite's own kernels).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { LayernasError } from '../core/errors.js';
import { DEFAULT_TFLITE_RUNNER, delegationReport, loadRunnerAddon, type DelegationReport, type NativeTensor, type RunnerHandle, type TfliteRunnerAddon } from './tflite-native.js';
import type { LoadedModel, ModelRuntime, RuntimeDType, RuntimeLoadOptions, RuntimeTensorData, RuntimeTensorInfo, TimingOptions } from './types.js';
import { zerosFor } from './types.js';

export type { DelegationReport } from './tflite-native.js';

/** the tfjs-tflite-node objects the fallback uses */
interface TfjsTensorInfo {
  readonly name: string;
  readonly dataType: string;
  readonly shape: string;
  data(): RuntimeTensorData;
}
interface TfjsInterpreter {
  getInputs(): TfjsTensorInfo[];
  getOutputs(): TfjsTensorInfo[];
  infer(): boolean;
}
type TfjsInterpreterClass = new (model: ArrayBuffer, options: { threads: number }) => TfjsInterpreter;

export type XnnpackMode = 'auto' | 'required' | 'off';

export interface TfliteRuntimeOptions {
  readonly xnnpack: XnnpackMode;
  /** path of our runner addon (.node); default: native/tflite-runner/build/layernas_tflite.node in this package */
  readonly pluginPath?: string;
  /** int8 pointwise convolutions of 1-thread interpreters on our AVX-512 VNNI kernels (native/tflite-runner/
   *  int8_pointwise.c) where the CPU has VNNI ('layernas', the default), or on XNNPack only ('xnnpack') */
  readonly int8Kernels?: 'layernas' | 'xnnpack';
}

/** XNNPack delegate flags of TFLite 2.9: 1 = QS8 (signed int8). QU8 (2) fails to prepare on real uint8 models. */
const XNNPACK_FLAG_QS8 = 1;
/** our runner's own flag bit (never passed to XNNPack): int8 pointwise convolutions on layernas's VNNI kernels */
const RUNNER_FLAG_INT8_KERNELS = 1 << 16;
const NO_DELEGATE = -1;

/** kept for callers that name the native file; it is now the runner addon */
export const DEFAULT_XNNPACK_PLUGIN = DEFAULT_TFLITE_RUNNER;

const BUILD_FIX = 'Fix: install gcc and run `node scripts/build-native.mjs` (it also runs on `npm install`).';

function loadTfjsInterpreter(): TfjsInterpreterClass {
  try {
    const mod = createRequire(import.meta.url)('tfjs-tflite-node') as { TFLiteNodeModelRunner?: TfjsInterpreterClass };
    if (typeof mod.TFLiteNodeModelRunner !== 'function') throw new Error('module has no TFLiteNodeModelRunner');
    return mod.TFLiteNodeModelRunner;
  } catch (e) {
    throw new LayernasError('RUNTIME_UNAVAILABLE',
      `TFLite (tfjs-tflite-node) cannot be loaded: ${(e as Error).message}. Fix: run \`npm install\` in the layernas directory ` +
      '(tfjs-tflite-node must build its native addon; allowScripts must permit it).', { runtime: 'tflite' }, { cause: e });
  }
}

const DTYPES: Readonly<Record<string, RuntimeDType>> = {
  float32: 'float32', int8: 'int8', uint8: 'uint8', int32: 'int32', FLOAT32: 'float32', INT8: 'int8', UINT8: 'uint8', INT32: 'int32',
};

function dtypeOf(name: string, type: string, file: string): RuntimeDType {
  const d = DTYPES[type];
  if (!d) throw new LayernasError('MODEL_INVALID', `${file}: tensor '${name}' has type ${type}, not supported by layernas runtimes`, { file });
  return d;
}

function invokeFailed(e: unknown): LayernasError {
  return new LayernasError('MODEL_INVALID', `TFLite inference failed: ${(e as Error).message}`, {}, { cause: e });
}

/** A model on our runner addon (XNNPack or plain interpreter). */
class RunnerModel implements LoadedModel {
  readonly inputs: readonly RuntimeTensorInfo[];
  readonly outputs: readonly RuntimeTensorInfo[];
  /** what XNNPack took (undefined on the plain interpreter) */
  readonly delegation: DelegationReport | undefined;
  private handle: RunnerHandle | undefined;

  constructor(private readonly addon: TfliteRunnerAddon, handle: RunnerHandle, file: string, readonly delegated: boolean) {
    this.handle = handle;
    const d = addon.describe(handle);
    const info = (t: NativeTensor): RuntimeTensorInfo => ({ name: t.name, shape: [...t.shape], dtype: dtypeOf(t.name, t.type, file) });
    this.inputs = d.inputs.map(info);
    this.outputs = d.outputs.map(info);
    this.delegation = d.delegation ? delegationReport(d.delegation) : undefined;
  }

  private h(): RunnerHandle {
    if (!this.handle) throw new LayernasError('USAGE', 'TFLite model was disposed');
    return this.handle;
  }

  private feed(inputs: readonly RuntimeTensorData[]): void {
    if (inputs.length !== this.inputs.length) throw new LayernasError('USAGE', `model has ${this.inputs.length} input(s), got ${inputs.length}`);
    inputs.forEach((src, i) => {
      const want = zerosFor(this.inputs[i] as RuntimeTensorInfo);
      if (src.constructor !== want.constructor || src.length !== want.length) {
        throw new LayernasError('USAGE', `input '${this.inputs[i]?.name}' expects ${want.length} ${this.inputs[i]?.dtype} values, got ${src.length} as ${src.constructor.name}`);
      }
      this.addon.setInput(this.h(), i, src);
    });
  }

  async run(inputs: readonly RuntimeTensorData[]): Promise<RuntimeTensorData[]> {
    this.feed(inputs);
    try {
      this.addon.invoke(this.h());
    } catch (e) {
      throw invokeFailed(e);
    }
    return this.outputs.map((info, i) => {
      const out = zerosFor(info);
      this.addon.getOutput(this.h(), i, out);
      return out;
    });
  }

  async time(options: TimingOptions): Promise<number[]> {
    this.feed(options.inputs ?? this.inputs.map(zerosFor));
    try {
      if (options.warmup > 0) this.addon.time(this.h(), options.warmup);
      return Array.from(this.addon.time(this.h(), options.runs));
    } catch (e) {
      throw invokeFailed(e);
    }
  }

  async dispose(): Promise<void> {
    this.handle = undefined;  // the addon frees the interpreter when the handle is garbage-collected
  }
}

/** Fallback without our addon: tfjs-tflite-node's binding, plain interpreter. */
class TfjsModel implements LoadedModel {
  readonly inputs: readonly RuntimeTensorInfo[];
  readonly outputs: readonly RuntimeTensorInfo[];
  readonly delegated = false;
  readonly delegation = undefined;
  private native: TfjsInterpreter | undefined;

  constructor(native: TfjsInterpreter, file: string) {
    this.native = native;
    const describe = (list: TfjsTensorInfo[]): RuntimeTensorInfo[] => list.map((t) => ({
      name: t.name, shape: t.shape === '' ? [] : t.shape.split(',').map(Number), dtype: dtypeOf(t.name, t.dataType, file),
    }));
    this.inputs = describe(native.getInputs());
    this.outputs = describe(native.getOutputs());
  }

  private interpreter(): TfjsInterpreter {
    if (!this.native) throw new LayernasError('USAGE', 'TFLite model was disposed');
    return this.native;
  }

  private feed(inputs: readonly RuntimeTensorData[]): void {
    const native = this.interpreter().getInputs();
    if (inputs.length !== native.length) throw new LayernasError('USAGE', `model has ${native.length} input(s), got ${inputs.length}`);
    native.forEach((t, i) => {
      const target = t.data();
      const src = inputs[i] as RuntimeTensorData;
      if (src.constructor !== target.constructor || src.length !== target.length) {
        throw new LayernasError('USAGE', `input '${t.name}' expects ${target.length} ${t.dataType} values, got ${src.length} as ${src.constructor.name}`);
      }
      target.set(src as never);
    });
  }

  private invoke(): void {
    try {
      this.interpreter().infer();
    } catch (e) {
      throw invokeFailed(e);
    }
  }

  async run(inputs: readonly RuntimeTensorData[]): Promise<RuntimeTensorData[]> {
    this.feed(inputs);
    this.invoke();
    return this.interpreter().getOutputs().map((t) => t.data().slice());
  }

  async time(options: TimingOptions): Promise<number[]> {
    this.feed(options.inputs ?? this.inputs.map(zerosFor));
    for (let i = 0; i < options.warmup; i++) this.invoke();
    const samples: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const t0 = performance.now();
      this.invoke();
      samples.push(performance.now() - t0);
    }
    return samples;
  }

  async dispose(): Promise<void> {
    this.native = undefined;
  }
}

export type TfliteLoadedModel = RunnerModel | TfjsModel;

export class TfliteRuntime implements ModelRuntime {
  readonly id = 'tflite';
  /** the TFLite library (tfjs-tflite-node's libtensorflowlite_c.so); targets and tables name it */
  readonly version = 'tflite-2.9 (tfjs-tflite-node 0.0.2)';
  private warned = false;

  constructor(private readonly options: TfliteRuntimeOptions = { xnnpack: 'auto' }) {}

  private addonPath(): string {
    return this.options.pluginPath ?? DEFAULT_TFLITE_RUNNER;
  }

  /** true when our runner addon was built (models will be delegated unless xnnpack is 'off') */
  xnnpackAvailable(): boolean {
    return loadRunnerAddon(this.addonPath()) !== undefined;
  }

  private addon(): TfliteRunnerAddon | undefined {
    const addon = loadRunnerAddon(this.addonPath());
    if (addon || this.options.xnnpack === 'off') return addon;
    if (this.options.xnnpack === 'required') {
      throw new LayernasError('RUNTIME_UNAVAILABLE', `the TFLite runner addon ${this.addonPath()} (XNNPack) is missing. ${BUILD_FIX}`, { plugin: this.addonPath() });
    }
    if (!this.warned) {
      this.warned = true;
      process.emitWarning(`layernas: TFLite runner addon ${this.addonPath()} is missing; TFLite runs on the plain interpreter (slower). ${BUILD_FIX}`);
    }
    return undefined;
  }

  /** Load a model from bytes (e.g. straight from the writer); `where` names it in errors. */
  async loadBytes(bytes: Uint8Array, options: RuntimeLoadOptions, where = '<memory>'): Promise<TfliteLoadedModel> {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new LayernasError('USAGE', `threads must be a positive integer, got ${options.threads}`);
    }
    const ident = bytes.length >= 8 ? String.fromCharCode(...bytes.subarray(4, 8)) : '';
    if (ident !== 'TFL3') {
      throw new LayernasError('MODEL_INVALID', `${where} is not a TFLite model (no "TFL3" identifier at byte 4; ${bytes.length} bytes)`, { file: where });
    }
    const cannotLoad = (e: unknown): LayernasError =>
      new LayernasError('MODEL_INVALID', `TFLite cannot load ${where}: ${(e as Error).message.trim()}`, { file: where }, { cause: e });
    const addon = this.addon();
    if (addon) {
      const delegated = this.options.xnnpack !== 'off';
      let handle: RunnerHandle;
      try {
        const ours = this.options.int8Kernels === 'xnnpack' ? 0 : RUNNER_FLAG_INT8_KERNELS;
        handle = addon.create(bytes, options.threads, delegated ? XNNPACK_FLAG_QS8 | ours : NO_DELEGATE);
      } catch (e) {
        throw cannotLoad(e);
      }
      return new RunnerModel(addon, handle, where, delegated);
    }
    const Interpreter = loadTfjsInterpreter();
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    try {
      return new TfjsModel(new Interpreter(buffer, { threads: options.threads }), where);
    } catch (e) {
      throw cannotLoad(e);
    }
  }

  async load(file: string, options: RuntimeLoadOptions): Promise<LoadedModel> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      throw new LayernasError('MODEL_INVALID', `model file ${file} does not exist or cannot be read`, { file }, { cause: e });
    }
    return this.loadBytes(bytes, options, file);
  }
}
