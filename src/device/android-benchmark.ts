/**
 * Measure a .tflite model on an Android device: push TFLite's benchmark_model (once per session) and the model,
 * run benchmark_model with the target's thread count, parse its output.
 */
import { basename } from 'node:path';
import { LayernasError } from '../core/errors.js';
import type { AndroidAdbMeasure } from '../targets/schema.js';
import { ExecFileAdbClient, type AdbClient } from './adb.js';
import { parseBenchmarkModelOutput, type BenchmarkModelResult } from './benchmark-model-output.js';

export interface AndroidRunRequest {
  readonly modelFile: string;
  readonly threads: number;
}

export interface AndroidRunResult extends BenchmarkModelResult {
  /** the benchmark_model command as run on the device (argv, unquoted) */
  readonly deviceArgv: readonly string[];
  readonly rawOutput: string;
}

/** Builds benchmark_model's argv for one model. Exported for tests and for `--dry-run` style reporting. */
export function benchmarkModelArgv(measure: AndroidAdbMeasure, deviceModelPath: string, threads: number): string[] {
  const bin = `${measure.deviceDir}/benchmark_model`;
  return [
    bin,
    `--graph=${deviceModelPath}`,
    `--num_threads=${threads}`,
    `--warmup_runs=${measure.warmupRuns}`,
    `--num_runs=${measure.runs}`,
    ...measure.extraArgs,
  ];
}

export class AndroidBenchmarkRunner {
  private binaryPushed = false;
  private readonly adb: AdbClient;

  constructor(
    private readonly measure: AndroidAdbMeasure,
    adb?: AdbClient,
  ) {
    this.adb = adb ?? new ExecFileAdbClient({ adb: measure.adb, serial: measure.serial });
  }

  private async prepare(): Promise<void> {
    if (this.binaryPushed) return;
    await this.adb.shell(['mkdir', '-p', this.measure.deviceDir]);
    const bin = `${this.measure.deviceDir}/benchmark_model`;
    await this.adb.push(this.measure.benchmarkModel, bin);
    await this.adb.shell(['chmod', '755', bin]);
    this.binaryPushed = true;
  }

  async run(req: AndroidRunRequest): Promise<AndroidRunResult> {
    await this.prepare();
    const deviceModel = `${this.measure.deviceDir}/${basename(req.modelFile)}`;
    await this.adb.push(req.modelFile, deviceModel);
    const argv = benchmarkModelArgv(this.measure, deviceModel, req.threads);
    const out = await this.adb.shell(argv);
    const text = `${out.stdout}\n${out.stderr}`;
    const parsed = parseBenchmarkModelOutput(text);
    if (parsed.threads_reported !== null && parsed.threads_reported !== req.threads) {
      throw new LayernasError('DEVICE_FAILED', `benchmark_model reports ${parsed.threads_reported} threads but ${req.threads} were asked for`, {
        asked: req.threads,
        reported: parsed.threads_reported,
      });
    }
    return { ...parsed, deviceArgv: argv, rawOutput: text };
  }
}
