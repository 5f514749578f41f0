/**
 * `verify`: run the deployed file of an export (the one the target's precision names: int8 targets run the int8
 * file) on its target, compare its measured latency with the target table's prediction and, given a budget, with
 * the budget; report memory and output agreement. The verdict is every check of src/verify/checks.ts holding; the
 * CLI and `design` turn `passed: false` into a non-zero exit naming each failed check and its threshold.
 */
import { walkShapes } from '../arch/shapes.js';
import { loadTargetTables } from '../cost/latency-table.js';
import { predictLatency, tableForInput, type LatencyFallback, type LatencyPrediction } from '../cost/latency-predictor.js';
import { pricedWithTableHead } from '../cost/table-head.js';
import { ExporterModelFactory } from '../export/model-factory.js';
import type { PreparedModel } from '../platform/backends.js';
import { resolvePlatform } from '../platform/registry.js';
import { DEFAULT_PROTOCOL, JUDGED_LOADS } from '../profile/measure.js';
import { DEFAULT_ANCHORED_PROTOCOL, measureAnchored } from '../profile/speed-anchor.js';
import type { SampleSummary } from '../profile/stats.js';
import type { LoadedTarget } from '../targets/schema.js';
import { isInt8Name, modelFileForTarget, type ExportDir } from './export-dir.js';
import { coverageAdvice, fewshotCoverageGap } from '../profile/fewshot-coverage.js';
import { latencyChecks, latencyErrorPct, outputCheck, predictionTolerance, verdict, type VerifyCheck } from './checks.js';
import { crossFormatAgreement, referenceParity, type AgreementReport } from './output-agreement.js';

export interface VerifyOptions {
  readonly tolerancePct: number;
  readonly fallback: LatencyFallback;
  readonly rounds?: number;
  /**
   * 'anchor' (default): when the table has a speed anchor, the pass/fail error compares the prediction with the
   * model's time at the table's speed (src/profile/speed-anchor.ts); the raw error is reported beside it.
   * 'none': the raw measured median decides.
   */
  readonly speedCorrection?: 'anchor' | 'none';
  /** the latency budget: the deployed file's measured latency (at the table's speed) must not exceed it */
  readonly budgetMs?: number;
}

export interface VerifyReport {
  readonly target: string;
  readonly modelFile: string;
  readonly predicted: LatencyPrediction;
  readonly measured: SampleSummary & { readonly statistic: 'median' };
  /** (measured - predicted) / predicted, in %: what pass/fail uses (at the table's speed when speed-corrected) */
  readonly errorPct: number;
  /** the measured latency the checks use: at the table's speed when speed-corrected, else the raw median */
  readonly judgedMs: number;
  readonly budgetMs: number | null;
  /** the same with the raw measured median */
  readonly rawErrorPct: number;
  /** the speed anchor timed beside the model: now/table speed ratio and the model's time at the table's speed */
  readonly speed: { readonly ratio: number; readonly atTableSpeedMs: number; readonly applied: boolean } | null;
  readonly tolerancePct: number;
  readonly memory: { readonly kind: 'rss_delta_mb' | 'benchmark_model_overall_mb'; readonly mb: number } | null;
  readonly agreement: AgreementReport | null;
  readonly warnings: readonly string[];
  readonly checks: readonly VerifyCheck[];
  /** the failed checks, each with its threshold */
  readonly failures: readonly string[];
  readonly passed: boolean;
}

export async function verifyExport(exp: ExportDir, loaded: LoadedTarget, options: VerifyOptions): Promise<VerifyReport> {
  const target = loaded.target;
  const { tables, warnings } = loadTargetTables(loaded.tableFiles, target);
  const table = tableForInput(tables, exp.spec.input);
  // priced as the design priced it: with the table's classifier when the table was measured with another one
  const head = pricedWithTableHead(exp.spec, table);
  const predicted = predictLatency(walkShapes(head.spec), table, options.fallback);
  const platform = resolvePlatform(target);
  const file = modelFileForTarget(exp, target);
  const backend = platform.backend(new ExporterModelFactory());
  let measured: SampleSummary;
  let speed: VerifyReport['speed'] = null;
  let memory: VerifyReport['memory'] = null;
  try {
    backend.checkVersion();
    const model = await backend.prepareFile(file);
    const copies: PreparedModel[] = [];
    try {
      const rounds = options.rounds ?? 10;
      let r;
      if (platform.onHost) {
        // memory of one load (after one run), then JUDGED_LOADS - 1 more loads of the same file; the middle one is
        // judged (measureAnchored): one load of a small model ran ~25% slower than another for its whole life and
        // failed the README's default job once at +23.7% (session 11)
        await model.sample(1);
        memory = model.memory();
        for (let k = 1; k < JUDGED_LOADS; k++) copies.push(await backend.prepareFile(file));
        r = await measureAnchored(backend, [model, ...copies], table, { ...DEFAULT_ANCHORED_PROTOCOL, warmupRuns: DEFAULT_PROTOCOL.warmupRuns, rounds });
      } else {
        // a phone: one benchmark_model call per round (its own warm-up and runs), right after one of the table's speed
        // anchor when the table has one, as a phone kit measured the table (src/profile/kit-ingest.ts)
        r = await measureAnchored(backend, model, table, { ...DEFAULT_ANCHORED_PROTOCOL, warmupRuns: 1, rounds, minRunsPerRound: 1 });
        memory = model.memory();
      }
      measured = r.model;
      if (r.speedRatio !== null && r.atTableSpeedMs !== null) speed = { ratio: r.speedRatio, atTableSpeedMs: r.atTableSpeedMs, applied: (options.speedCorrection ?? 'anchor') === 'anchor' };
    } finally {
      for (const c of copies) await c.dispose();
      await model.dispose();
    }
  } finally {
    backend.close();
  }
  const floatFiles = exp.files.filter((f) => !isInt8Name(f));
  const agreement = platform.onHost
    ? ((await referenceParity(exp.dir, exp.spec, floatFiles, target.threads)) ?? (await crossFormatAgreement(floatFiles, target.threads)))
    : null;
  const rawErrorPct = latencyErrorPct(measured.median_ms, predicted.total_ms);
  const judgedMs = speed?.applied ? speed.atTableSpeedMs : measured.median_ms;
  const fewshot = table.data.metadata.fewshot;
  const tolerance = predictionTolerance(options.tolerancePct, fewshot?.loo_errors);
  const checks = [
    ...latencyChecks({
      file: file.slice(file.lastIndexOf('/') + 1), predictedMs: predicted.total_ms, measuredMs: judgedMs,
      basis: speed?.applied ? `median at the table's speed; raw ${measured.median_ms.toFixed(3)} ms` : 'raw median',
      tolerancePct: tolerance.pct, toleranceBasis: tolerance.basis, ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
      ...(fewshot ? { fewshotAdvice: coverageAdvice(fewshotCoverageGap(exp.spec, fewshot.measured.map((m) => m.arch))) } : {}),
    }),
    ...(agreement ? [outputCheck(agreement.kind === 'reference' ? 'vs the reference forward pass' : 'across formats', agreement.maxRelativeDiff, agreement.tolerance, agreement.files.length)] : []),
  ];
  const { passed, failures } = verdict(checks);
  return {
    target: target.id,
    modelFile: file,
    predicted,
    measured: { ...measured, statistic: 'median' },
    errorPct: latencyErrorPct(judgedMs, predicted.total_ms),
    rawErrorPct,
    judgedMs,
    budgetMs: options.budgetMs ?? null,
    speed,
    tolerancePct: tolerance.pct,
    memory,
    agreement,
    warnings: [...warnings, ...(head.note ? [head.note] : []), ...(predicted.fallbacks.length > 0 ? [`${predicted.fallbacks.length} layer(s) priced by the ${options.fallback} fallback`] : [])],
    checks,
    failures,
    passed,
  };
}
