/**
 * TensorFlow Lite 2.9 (tfjs-tflite-node 0.0.2) behind the ModelRuntime interface, optionally with the XNNPack
 * delegate through our external-delegate plugin (native/xnnpack-delegate, built by scripts/build-native.mjs).
 *
 * xnnpack: 'auto'     use the plugin when it was built, else warn once and run the plain interpreter;
 *          'required' fail with RUNTIME_UNAVAILABLE (and the fix) when the plugin is missing;
 *          'off'      plain interpreter.
 * Signed int8 models run on XNNPack (delegate flag QS8); uint8 models stay on the interpreter's kernels.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LayernasError } from '../core/errors.js';
import { dataLocations } from '../core/locations.js';
import type { LoadedModel, ModelRuntime, RuntimeDType, RuntimeLoadOptions, RuntimeTensorData, RuntimeTensorInfo, TimingOptions } from './types.js';
import { zerosFor } from './types.js';

/** the native tfjs-tflite-node objects we use */
interface NativeTensorInfo {
  readonly name: string;
  readonly dataType: string;
  readonly shape: string;
  data(): RuntimeTensorData;
}
interface NativeInterpreter {
  getInputs(): NativeTensorInfo[];
  getOutputs(): NativeTensorInfo[];
  infer(): boolean;
}
interface NativeInterpreterOptions {
  threads: number;
  delegate?: { path: string; options: Array<[string, string]> };
}
type NativeInterpreterClass = new (model: ArrayBuffer, options: NativeInterpreterOptions) => NativeInterpreter;

export type XnnpackMode = 'auto' | 'required' | 'off';

export interface TfliteRuntimeOptions {
  readonly xnnpack: XnnpackMode;
  /** path of the plugin .so; default: native/xnnpack-delegate/build/liblayernas_xnnpack.so in this package */
  readonly pluginPath?: string;
}

/** XNNPack delegate flag: run signed int8 (QS8) operators too */
const XNNPACK_FLAG_QS8 = 1;

export const DEFAULT_XNNPACK_PLUGIN = join(dataLocations().native, 'xnnpack-delegate', 'build', 'liblayernas_xnnpack.so');

const BUILD_FIX = 'Fix: install gcc and run `node scripts/build-native.mjs` (it also runs on `npm install`).';

function loadInterpreterClass(): NativeInterpreterClass {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('tfjs-tflite-node') as { TFLiteNodeModelRunner?: NativeInterpreterClass };
    if (typeof mod.TFLiteNodeModelRunner !== 'function') throw new Error('module has no TFLiteNodeModelRunner');
    return mod.TFLiteNodeModelRunner;
  } catch (e) {
    throw new LayernasError('RUNTIME_UNAVAILABLE',
      `TFLite (tfjs-tflite-node) cannot be loaded: ${(e as Error).message}. Fix: run \`npm install\` in the layernas directory ` +
      '(tfjs-tflite-node must build its native addon; allowScripts must permit it).', { runtime: 'tflite' }, { cause: e });
  }
}

function dtypeOf(t: NativeTensorInfo, file: string): RuntimeDType {
  switch (t.dataType) {
    case 'float32': return 'float32';
    case 'int8': return 'int8';
    case 'uint8': return 'uint8';
    case 'int32': return 'int32';
    default:
      throw new LayernasError('MODEL_INVALID', `${file}: tensor '${t.name}' has type ${t.dataType}, not supported by layernas runtimes`, { file });
  }
}

function describe(list: NativeTensorInfo[], file: string): RuntimeTensorInfo[] {
  return list.map((t) => ({ name: t.name, shape: t.shape === '' ? [] : t.shape.split(',').map(Number), dtype: dtypeOf(t, file) }));
}

class TfliteLoadedModel implements LoadedModel {
  readonly inputs: readonly RuntimeTensorInfo[];
  readonly outputs: readonly RuntimeTensorInfo[];
  private native: NativeInterpreter | undefined;

  constructor(native: NativeInterpreter, file: string, readonly delegated: boolean) {
    this.native = native;
    this.inputs = describe(native.getInputs(), file);
    this.outputs = describe(native.getOutputs(), file);
  }

  private interpreter(): NativeInterpreter {
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
      throw new LayernasError('MODEL_INVALID', `TFLite inference failed: ${(e as Error).message}`, {}, { cause: e });
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
    this.native = undefined;  // the addon frees the interpreter when it is garbage-collected
  }
}

export class TfliteRuntime implements ModelRuntime {
  readonly id = 'tflite';
  readonly version = 'tflite-2.9 (tfjs-tflite-node 0.0.2)';
  private warned = false;

  constructor(private readonly options: TfliteRuntimeOptions = { xnnpack: 'auto' }) {}

  /** true when the XNNPack plugin file exists (models will be delegated unless xnnpack is 'off') */
  xnnpackAvailable(): boolean {
    return existsSync(this.options.pluginPath ?? DEFAULT_XNNPACK_PLUGIN);
  }

  private delegate(threads: number): NativeInterpreterOptions['delegate'] {
    if (this.options.xnnpack === 'off') return undefined;
    const path = this.options.pluginPath ?? DEFAULT_XNNPACK_PLUGIN;
    if (existsSync(path)) return { path, options: [['num_threads', String(threads)], ['flags', String(XNNPACK_FLAG_QS8)]] };
    if (this.options.xnnpack === 'required') {
      throw new LayernasError('RUNTIME_UNAVAILABLE', `XNNPack delegate plugin ${path} is missing. ${BUILD_FIX}`, { plugin: path });
    }
    if (!this.warned) {
      this.warned = true;
      process.emitWarning(`layernas: XNNPack delegate plugin ${path} is missing; TFLite runs on the plain interpreter (slower). ${BUILD_FIX}`);
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
    const Interpreter = loadInterpreterClass();
    const delegate = this.delegate(options.threads);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    let native: NativeInterpreter;
    try {
      native = new Interpreter(buffer, { threads: options.threads, ...(delegate ? { delegate } : {}) });
    } catch (e) {
      throw new LayernasError('MODEL_INVALID', `TFLite cannot load ${where}: ${(e as Error).message.trim()}`, { file: where }, { cause: e });
    }
    return new TfliteLoadedModel(native, where, delegate !== undefined);
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
