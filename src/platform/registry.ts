/**
 * The platform registry: a target resolves once to the platform that runs its model files: which export format
 * it runs, whether it runs in this process, and the latency backend that loads, times and profiles files
 * (host TFLite, host ONNX Runtime, an Android phone over adb). Nothing outside src/platform switches on runtime
 * names, measure methods or model file extensions; test/structure/platform-switches.test.ts checks it.
 */
import { LayernasError } from '../core/errors.js';
import { AndroidBenchmarkRunner } from '../device/android-benchmark.js';
import type { ModelFactory } from '../export/model-factory.js';
import { OnnxRuntime } from '../runtime/onnxruntime.js';
import { TfliteRuntime } from '../runtime/tflite.js';
import type { AndroidAdbMeasure, Target } from '../targets/schema.js';
import { AndroidBackend, HostBackend, type LatencyBackend } from './backends.js';
import { isFileOfFormat } from './host-runtimes.js';

export type MeasureMethod = Target['measure']['method'];
export type PlatformFormat = 'tflite' | 'onnx';

export interface Platform {
  readonly method: MeasureMethod;
  readonly target: Target;
  /** the export format of the files it runs */
  readonly format: PlatformFormat;
  /** model file extension of that format, for messages */
  readonly extension: string;
  /**
   * runs in this process: its timings can be speed-anchored, its memory is this process's RSS, and its files' outputs
   * can be checked here. A phone is measured through its own tools only.
   */
  readonly onHost: boolean;
  /** the latency backend that loads, times and profiles this platform's files (one-block models built by `factory`) */
  backend(factory: ModelFactory): LatencyBackend;
  /** does `file` hold a model this platform runs (by its name)? */
  runsFile(file: string): boolean;
  /** how to reach the device over adb (phone kits, src/profile/kit.ts); null for platforms that are not an adb phone */
  readonly adb: AndroidAdbMeasure | null;
}

type PlatformSpec = Omit<Platform, 'target' | 'backend' | 'runsFile' | 'method' | 'adb'> & {
  /** target.runtime.name this method measures */
  readonly runtime: Target['runtime']['name'];
  readonly backend: (target: Target, factory: ModelFactory) => LatencyBackend;
};

const PLATFORMS: { readonly [M in MeasureMethod]: PlatformSpec } = {
  'host-tflite': {
    format: 'tflite', extension: '.tflite', onHost: true, runtime: 'tflite',
    backend: (target, factory) => {
      const m = target.measure as Extract<Target['measure'], { method: 'host-tflite' }>;
      return new HostBackend(new TfliteRuntime({ xnnpack: m.delegate === 'xnnpack' ? 'required' : 'off', int8Kernels: m.int8Kernels }), 'tflite', target.threads, target, factory);
    },
  },
  'host-onnxruntime': {
    format: 'onnx', extension: '.onnx', onHost: true, runtime: 'onnxruntime',
    backend: (target, factory) => new HostBackend(new OnnxRuntime(), 'onnx', target.threads, target, factory),
  },
  'android-adb': {
    format: 'tflite', extension: '.tflite', onHost: false, runtime: 'tflite',
    backend: (target, factory) => new AndroidBackend(new AndroidBenchmarkRunner(target.measure as Extract<Target['measure'], { method: 'android-adb' }>), target, factory),
  },
};

/** the platform of a target (TARGET_INVALID when its runtime is not the one its measure method runs) */
export function resolvePlatform(target: Target): Platform {
  const method = target.measure.method;
  const spec = PLATFORMS[method];
  if (target.runtime.name !== spec.runtime) {
    throw new LayernasError('TARGET_INVALID', `target ${target.id}: ${method} needs runtime.name "${spec.runtime}"`, { target: target.id });
  }
  return {
    method, target, format: spec.format, extension: spec.extension, onHost: spec.onHost,
    backend: (factory) => spec.backend(target, factory),
    runsFile: (file) => isFileOfFormat(file, spec.format),
    adb: target.measure.method === 'android-adb' ? target.measure : null,
  };
}

/** The latency backend of a target's platform. */
export function backendForTarget(target: Target, factory: ModelFactory): LatencyBackend {
  return resolvePlatform(target).backend(factory);
}

/** the export formats some platform runs */
export const PLATFORM_FORMATS: readonly PlatformFormat[] = [...new Set(Object.values(PLATFORMS).map((p) => p.format))];

/** does `file` hold a model of a format some platform runs (by its name)? */
export function isPlatformFile(file: string): boolean {
  return PLATFORM_FORMATS.some((f) => isFileOfFormat(file, f));
}
