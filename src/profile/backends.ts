/**
 * Where latency is measured: in this process (TFLite / ONNX Runtime) or on an Android phone (benchmark_model via
 * adb). A backend prepares a model once; `sample(runs)` then times `runs` invocations and returns per-run ms
 * (Android: one figure per call, benchmark_model's median or, when it prints none, its mean).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { AndroidBenchmarkRunner, type AndroidRunResult } from '../device/android-benchmark.js';
import { OnnxRuntime } from '../runtime/onnxruntime.js';
import { TfliteRuntime } from '../runtime/tflite.js';
import type { LoadedModel, ModelRuntime } from '../runtime/types.js';
import type { Target } from '../targets/schema.js';
import type { BuildOptions, ModelFactory, ModelFormat } from '../export/model-factory.js';

export interface PreparedModel {
  sample(runs: number): Promise<number[]>;
  dispose(): Promise<void>;
}

export interface LatencyBackend {
  /** runtime version string actually used (compared with the target's) */
  readonly runtimeVersion: string;
  readonly format: ModelFormat;
  prepare(spec: NetworkSpec, name: string, options?: BuildOptions): Promise<PreparedModel>;
  /** an existing model file (e.g. from `layernas export`) */
  prepareFile(file: string): Promise<PreparedModel>;
  close(): void;
}

let fileCounter = 0;
function safeName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}-${process.pid}-${fileCounter++}`;
}

/** TFLite or ONNX Runtime in this process. */
export class HostBackend implements LatencyBackend {
  private readonly dir = mkdtempSync(join(tmpdir(), 'layernas-profile-'));

  constructor(
    private readonly runtime: ModelRuntime,
    readonly format: ModelFormat,
    private readonly threads: number,
    private readonly target: Target,
    private readonly factory: ModelFactory,
  ) {}

  get runtimeVersion(): string {
    return this.runtime.version;
  }

  async prepare(spec: NetworkSpec, name: string, options: BuildOptions = {}): Promise<PreparedModel> {
    const file = join(this.dir, `${safeName(name)}.${this.format}`);
    writeFileSync(file, this.factory.build(spec, this.format, this.target.precision, options));
    const prepared = await this.prepareFile(file);
    return { ...prepared, dispose: async () => { await prepared.dispose(); rmSync(file, { force: true }); } };
  }

  async prepareFile(file: string): Promise<PreparedModel> {
    const model: LoadedModel = await this.runtime.load(file, { threads: this.threads });
    return { sample: (runs: number) => model.time({ runs, warmup: 0 }), dispose: () => model.dispose() };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An Android phone through adb + benchmark_model (TFLite models only). */
export class AndroidBackend implements LatencyBackend {
  readonly format = 'tflite' as const;
  private readonly dir = mkdtempSync(join(tmpdir(), 'layernas-android-'));

  constructor(
    private readonly runner: AndroidBenchmarkRunner,
    private readonly target: Target,
    private readonly factory: ModelFactory,
  ) {}

  get runtimeVersion(): string {
    return this.target.runtime.version; // benchmark_model does not print its version; the target's word is taken
  }

  async prepare(spec: NetworkSpec, name: string, options: BuildOptions = {}): Promise<PreparedModel> {
    const file = join(this.dir, `${safeName(name)}.tflite`);
    writeFileSync(file, this.factory.build(spec, 'tflite', this.target.precision, options));
    const prepared = await this.prepareFile(file);
    return { ...prepared, dispose: async () => rmSync(file, { force: true }) };
  }

  /** the last benchmark_model result (memory figures for `verify`) */
  last: AndroidRunResult | undefined;

  async prepareFile(file: string): Promise<PreparedModel> {
    return {
      sample: async () => {
        const r = await this.runner.run({ modelFile: file, threads: this.target.threads });
        this.last = r;
        return [r.median_ms ?? r.avg_ms];
      },
      dispose: async () => {},
    };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The backend a target's measure method names. */
export function backendForTarget(target: Target, factory: ModelFactory): LatencyBackend {
  const m = target.measure;
  switch (m.method) {
    case 'host-tflite':
      if (target.runtime.name !== 'tflite') throw new LayernasError('TARGET_INVALID', `target ${target.id}: host-tflite needs runtime.name "tflite"`, { target: target.id });
      return new HostBackend(new TfliteRuntime({ xnnpack: m.delegate === 'xnnpack' ? 'required' : 'off' }), 'tflite', target.threads, target, factory);
    case 'host-onnxruntime':
      if (target.runtime.name !== 'onnxruntime') throw new LayernasError('TARGET_INVALID', `target ${target.id}: host-onnxruntime needs runtime.name "onnxruntime"`, { target: target.id });
      return new HostBackend(new OnnxRuntime(), 'onnx', target.threads, target, factory);
    case 'android-adb':
      return new AndroidBackend(new AndroidBenchmarkRunner(m), target, factory);
  }
}

/** A host backend must run the runtime version the target (and its tables) were made for. */
export function checkBackendVersion(backend: LatencyBackend, target: Target): void {
  if (backend.runtimeVersion !== target.runtime.version) {
    throw new LayernasError('TABLE_MISMATCH', `target ${target.id} is for runtime version "${target.runtime.version}" but this machine runs "${backend.runtimeVersion}"`, {
      target: target.id,
      expected: target.runtime.version,
      actual: backend.runtimeVersion,
    });
  }
}
