/**
 * `verify`: run an exported model on its target, compare measured latency with the target table's prediction,
 * report memory and cross-format output agreement. Returns a report; the CLI turns `passed: false` into exit 1.
 */
import { walkShapes } from '../arch/shapes.js';
import { loadTargetTables } from '../cost/latency-table.js';
import { predictLatency, tableForInput, type LatencyFallback, type LatencyPrediction } from '../cost/latency-predictor.js';
import { AndroidBackend, backendForTarget, checkBackendVersion } from '../profile/backends.js';
import { ExporterModelFactory } from '../profile/model-factory.js';
import { DEFAULT_PROTOCOL } from '../profile/measure.js';
import { summarize, type SampleSummary } from '../profile/stats.js';
import type { LoadedTarget } from '../targets/schema.js';
import { modelFileForTarget, type ExportDir } from './export-dir.js';
import { crossFormatAgreement, referenceParity, type AgreementReport } from './output-agreement.js';

export interface VerifyOptions {
  readonly tolerancePct: number;
  readonly fallback: LatencyFallback;
  readonly rounds?: number;
}

export interface VerifyReport {
  readonly target: string;
  readonly modelFile: string;
  readonly predicted: LatencyPrediction;
  readonly measured: SampleSummary & { readonly statistic: 'median' };
  /** (measured - predicted) / measured, in % */
  readonly errorPct: number;
  readonly tolerancePct: number;
  readonly memory: { readonly kind: 'rss_delta_mb' | 'benchmark_model_overall_mb'; readonly mb: number } | null;
  readonly agreement: AgreementReport | null;
  readonly warnings: readonly string[];
  readonly passed: boolean;
}

export async function verifyExport(exp: ExportDir, loaded: LoadedTarget, options: VerifyOptions): Promise<VerifyReport> {
  const target = loaded.target;
  const { tables, warnings } = loadTargetTables(loaded.tableFiles, target);
  const table = tableForInput(tables, exp.spec.input);
  const predicted = predictLatency(walkShapes(exp.spec), table, options.fallback);
  const file = modelFileForTarget(exp, target);
  const backend = backendForTarget(target, new ExporterModelFactory());
  let measured: SampleSummary;
  let memory: VerifyReport['memory'] = null;
  try {
    if (target.measure.method !== 'android-adb') checkBackendVersion(backend, target);
    const rssBefore = process.memoryUsage().rss;
    const model = await backend.prepareFile(file);
    try {
      await model.sample(DEFAULT_PROTOCOL.warmupRuns);
      const samples: number[] = [];
      const rounds = options.rounds ?? 10;
      for (let r = 0; r < rounds; r++) samples.push(...(await model.sample(backend instanceof AndroidBackend ? 1 : 10)));
      measured = summarize(samples);
      if (backend instanceof AndroidBackend) {
        const mem = backend.last?.memory;
        if (mem) memory = { kind: 'benchmark_model_overall_mb', mb: mem.overall_mb };
      } else {
        memory = { kind: 'rss_delta_mb', mb: (process.memoryUsage().rss - rssBefore) / (1024 * 1024) };
      }
    } finally {
      await model.dispose();
    }
  } finally {
    backend.close();
  }
  const floatFiles = [...exp.tflite, ...exp.onnx].filter((f) => !/int8/i.test(f.slice(f.lastIndexOf('/') + 1)));
  const agreement = target.measure.method === 'android-adb'
    ? null
    : ((await referenceParity(exp.dir, exp.spec, floatFiles, target.threads)) ?? (await crossFormatAgreement(floatFiles, target.threads)));
  const errorPct = (100 * (measured.median_ms - predicted.total_ms)) / measured.median_ms;
  const passed = Math.abs(errorPct) <= options.tolerancePct && (agreement?.ok ?? true);
  return {
    target: target.id,
    modelFile: file,
    predicted,
    measured: { ...measured, statistic: 'median' },
    errorPct,
    tolerancePct: options.tolerancePct,
    memory,
    agreement,
    warnings: [...warnings, ...(predicted.fallbacks.length > 0 ? [`${predicted.fallbacks.length} layer(s) priced by the ${options.fallback} fallback`] : [])],
    passed,
  };
}
