/**
 * Where latency is measured: in this process (TFLite / ONNX Runtime) or on an Android phone (benchmark_model via
 * adb). A backend prepares a model once; `sample(runs)` then times `runs` invocations and returns per-run ms
 * (Android: one figure per call, benchmark_model's median or, when it prints none, its mean).
 * Backends are made by the platform registry (registry.ts) from a target; nothing else constructs them by name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import type { AndroidBenchmarkRunner, AndroidRunResult } from '../device/android-benchmark.js';
import type { LoadedModel, ModelRuntime } from '../runtime/types.js';
import type { Target } from '../targets/schema.js';
import type { BuildOptions, ModelFactory, ModelFormat } from '../export/model-factory.js';
import { isFileOfFormat } from './host-runtimes.js';

/** memory figure of a prepared model: this process's RSS growth since loading it, or the device's own report */
export interface MemoryFigure {
  readonly kind: 'rss_delta_mb' | 'benchmark_model_overall_mb';
  readonly mb: number;
}

export interface PreparedModel {
  sample(runs: number): Promise<number[]>;
  /** memory after the runs so far (null when the platform reports none) */
  memory(): MemoryFigure | null;
  dispose(): Promise<void>;
}

export interface LatencyBackend {
  /** runtime version string actually used (compared with the target's) */
  readonly runtimeVersion: string;
  readonly format: ModelFormat;
  prepare(spec: NetworkSpec, name: string, options?: BuildOptions): Promise<PreparedModel>;
  /** an existing model file (e.g. from `layernas export`) */
  prepareFile(file: string): Promise<PreparedModel>;
  /** TABLE_MISMATCH when the runtime here is not the version the target (and its tables) were made for */
  checkVersion(): void;
  close(): void;
}

let fileCounter = 0;
function safeName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}-${process.pid}-${fileCounter++}`;
}

/** A temporary folder made on first use (constructing a backend does no I/O), removed by remove(). */
export class LazyTempDir {
  private made: string | undefined;
  constructor(private readonly prefix: string) {}
  get path(): string {
    this.made ??= mkdtempSync(join(tmpdir(), this.prefix));
    return this.made;
  }
  get exists(): boolean {
    return this.made !== undefined;
  }
  remove(): void {
    if (this.made) rmSync(this.made, { recursive: true, force: true });
    this.made = undefined;
  }
}

/** TFLite or ONNX Runtime in this process. */
export class HostBackend implements LatencyBackend {
  private readonly dir = new LazyTempDir('layernas-profile-');

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
    const file = join(this.dir.path, `${safeName(name)}.${this.format}`);
    writeFileSync(file, this.factory.build(spec, this.format, this.target.precision, options));
    const prepared = await this.prepareFile(file);
    return { ...prepared, dispose: async () => { await prepared.dispose(); rmSync(file, { force: true }); } };
  }

  async prepareFile(file: string): Promise<PreparedModel> {
    const rssBefore = process.memoryUsage().rss;
    const model: LoadedModel = await this.runtime.load(file, { threads: this.threads });
    return {
      sample: (runs: number) => model.time({ runs, warmup: 0 }),
      memory: () => ({ kind: 'rss_delta_mb', mb: (process.memoryUsage().rss - rssBefore) / (1024 * 1024) }),
      dispose: () => model.dispose(),
    };
  }

  checkVersion(): void {
    checkBackendVersion(this, this.target);
  }

  close(): void {
    this.dir.remove();
  }
}

/** An Android phone through adb + benchmark_model (TFLite models only). */
export class AndroidBackend implements LatencyBackend {
  readonly format = 'tflite' as const;
  private readonly dir = new LazyTempDir('layernas-android-');

  constructor(
    private readonly runner: AndroidBenchmarkRunner,
    private readonly target: Target,
    private readonly factory: ModelFactory,
  ) {}

  get runtimeVersion(): string {
    return this.target.runtime.version; // benchmark_model does not print its version; the target's word is taken
  }

  async prepare(spec: NetworkSpec, name: string, options: BuildOptions = {}): Promise<PreparedModel> {
    const file = join(this.dir.path, `${safeName(name)}.tflite`);
    writeFileSync(file, this.factory.build(spec, 'tflite', this.target.precision, options));
    const prepared = await this.prepareFile(file);
    return { ...prepared, dispose: async () => rmSync(file, { force: true }) };
  }

  /** the last benchmark_model result (memory figures for `verify`) */
  last: AndroidRunResult | undefined;

  async prepareFile(file: string): Promise<PreparedModel> {
    if (!isFileOfFormat(file, this.format)) {
      throw new LayernasError('USAGE', `android-adb targets run .tflite models only; got ${file}`, { file });
    }
    let last: AndroidRunResult | undefined;
    return {
      sample: async () => {
        const r = await this.runner.run({ modelFile: file, threads: this.target.threads });
        this.last = r;
        last = r;
        return [r.median_ms ?? r.avg_ms];
      },
      memory: () => (last?.memory ? { kind: 'benchmark_model_overall_mb', mb: last.memory.overall_mb } : null),
      dispose: async () => {},
    };
  }

  /** benchmark_model does not print its version: the target's word is taken (nothing to check) */
  checkVersion(): void {}

  close(): void {
    this.dir.remove();
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
