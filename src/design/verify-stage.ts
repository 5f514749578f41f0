/**
 * Verification of the exported winner, through the same function and checks as `layernas verify`
 * (src/verify/verify.ts, src/verify/checks.ts):
 *  - latency: on a host target, the deployed file (the one the target's precision names: int8 targets ship
 *    model_int8.tflite) is run in its runtime; its median at the table's speed must be within ±tolerance (10%) of the table's
 *    prediction AND within the budget; the other files are timed too (no prediction, no verdict).
 *    a phone target's deployed file is measured the same way through its adb (benchmark_model, beside the table's
 *    speed anchor when it has one); a phone that cannot be reached leaves the prediction, reported as such, and a
 *    rerun of the design tries the phone again;
 *  - outputs: float files vs the reference forward pass; every exported file run on the test split, its predicted
 *    class compared with the trained model's (src/verify/test-agreement.ts: float files >= 99.5% identical, int8 >= 98%);
 *    only the deployed file's agreement decides, a shortfall of another file is a warning.
 * `layernas verify <run>` reads the table, budget, tolerance and test images back from the run and judges the same way.
 * The verdict is every check holding; each failed check is named with its threshold. <out>/stages/verify.json is
 * written last and reused while the exported files and the budget are unchanged.
 */
import path from 'node:path';
import { z } from 'zod';
import type { ImageSet } from '../data/types.js';
import { formatOfFile, hostRuntimeFor } from '../platform/host-runtimes.js';
import { resolvePlatform } from '../platform/registry.js';
import { median, type ModelRuntime } from '../runtime/types.js';
import type { LoadedTarget } from '../targets/schema.js';
import { readExportDir } from '../verify/export-dir.js';
import { verdict, type VerifyCheck } from '../verify/checks.js';
import { testAgreement } from '../verify/test-agreement.js';
import { verifyExport } from '../verify/verify.js';
import type { ExportStage } from './export-stage.js';
import type { StageProgress } from './progress.js';
import { fileSha256, readStageFile, writeJsonAtomic } from './stage-files.js';
import { LayernasError } from '../core/errors.js';
import type { NetworkSpec } from '../arch/spec.js';

export const latencyCheckSchema = z.object({
  format: z.string(),
  target: z.string(),
  predictedMs: z.number().nullable(),
  measuredMedianMs: z.number().nullable(),
  /** (measured - predicted) / predicted, % */
  errorPct: z.number().nullable(),
  note: z.string().optional(),
});
export type LatencyCheck = z.infer<typeof latencyCheckSchema>;

export const agreementSchema = z.object({
  file: z.string(),
  format: z.string(),
  images: z.number().int(),
  identical: z.number().int(),
  share: z.number(),
  testAccuracy: z.number(),
});
export type Agreement = z.infer<typeof agreementSchema>;

export const verifyStageSchema = z.object({
  exportHashes: z.array(z.string()),
  agreementImages: z.number().int(),
  /** test accuracy of the trained model (in-process network with the trained weights) on the same images */
  trainedAccuracy: z.number(),
  latency: z.array(latencyCheckSchema),
  agreement: z.array(agreementSchema),
  referenceParity: z.object({ maxRelativeDiff: z.number(), ok: z.boolean() }).nullable(),
  /** the budget the deployed file's latency was checked against */
  budgetMs: z.number(),
  /** the allowed |latency error| in % and the table (sha256) the prediction came from */
  tolerancePct: z.number().optional(),
  tableSha256: z.string().optional(),
  checks: z.array(z.object({
    name: z.string(), passed: z.boolean(), value: z.number(), threshold: z.number(),
    rule: z.enum(['<=', '>=', '|x| <=']), unit: z.enum(['ms', '%', 'share', 'relative']), detail: z.string(), advisory: z.boolean().optional(),
  })),
  /** every failed check with its threshold (empty when passed) */
  failures: z.array(z.string()),
  /** every advisory check that did not hold: files the target does not ship (absent in older stages) */
  warnings: z.array(z.string()).optional(),
  passed: z.boolean(),
});
export type VerifyStage = z.infer<typeof verifyStageSchema>;

export interface VerifyRequest {
  readonly loaded: LoadedTarget;
  /** the latency table the design priced with (replaces the target's own list for the comparison) */
  readonly tableFile: string;
  readonly predictedMs: number;
  readonly exportDir: string;
  readonly exported: ExportStage;
  readonly testSet: ImageSet;
  readonly winnerSpec: NetworkSpec;
  /** the trained weights: loaded into the in-process network, they give the trained model's own predictions */
  readonly weightsDir: string;
  readonly agreementImages: number;
  /** the latency budget of the design: the deployed file's measured latency must meet it */
  readonly budgetMs: number;
  /** allowed |measured - predicted| / predicted in % */
  readonly tolerancePct: number;
  readonly outDir: string;
  readonly progress: StageProgress;
}

const stageFile = (outDir: string): string => path.join(outDir, 'stages', 'verify.json');

function runtimeFor(file: string): ModelRuntime {
  return hostRuntimeFor(formatOfFile(file));
}

async function timeFile(file: string): Promise<number> {
  const model = await runtimeFor(file).load(file, { threads: 1 });
  try {
    await model.time({ runs: 10, warmup: 5 });
    const samples: number[] = [];
    for (let r = 0; r < 5; r++) samples.push(...(await model.time({ runs: 20, warmup: 0 })));
    return median(samples);
  } finally {
    await model.dispose();
  }
}

export async function runVerifyStage(req: VerifyRequest): Promise<{ stage: VerifyStage; verifiedNow: boolean }> {
  const hashes = req.exported.files.map((f) => f.sha256);
  const n = Math.min(req.agreementImages, req.testSet.count);
  const tableSha256 = fileSha256(req.tableFile) ?? '';
  const target = req.loaded.target;
  const platform = resolvePlatform(target);
  const host = platform.onHost;
  const old = readStageFile(stageFile(req.outDir), verifyStageSchema);
  if (old && old.agreementImages === n && old.budgetMs === req.budgetMs && old.tolerancePct === req.tolerancePct && old.tableSha256 === tableSha256
    && old.exportHashes.join() === hashes.join() && (host || old.latency[0]?.measuredMedianMs != null)) return { stage: old, verifiedNow: false };
  req.progress.start(req.exported.files.length + (host ? 2 : 1), 0, `verify on ${target.id}: latency${host ? '' : ' (on the phone when it can be reached)'} and test-split agreement on ${n} images`);
  const latency: LatencyCheck[] = [];
  const checks: VerifyCheck[] = [];
  let referenceParity: VerifyStage['referenceParity'] = null;
  // the deployed file on the target, judged as `layernas verify` judges it (at the table's speed when it has an anchor)
  const deployed = async (): Promise<void> => {
    const report = await verifyExport(readExportDir(req.exportDir), { ...req.loaded, tableFiles: [req.tableFile] }, { tolerancePct: req.tolerancePct, fallback: 'none', rounds: 10, budgetMs: req.budgetMs });
    const predicted = report.predicted.total_ms;
    latency.push({
      format: `${platform.format}-${target.precision}`, target: target.id, predictedMs: predicted, measuredMedianMs: report.measured.median_ms, errorPct: report.errorPct,
      note: `deployed file ${path.basename(report.modelFile)}; budget ${req.budgetMs} ms` + (report.speed ? `; raw median error ${report.rawErrorPct.toFixed(1)}%; the ${host ? 'machine' : 'phone'} ran at ${(1 / report.speed.ratio).toFixed(2)}x the table's speed (speed anchor), the model at the table's speed ${report.judgedMs.toFixed(3)} ms` : ''),
    });
    checks.push(...report.checks);
    if (report.agreement) referenceParity = { maxRelativeDiff: report.agreement.maxRelativeDiff, ok: report.agreement.ok };
    req.progress.tick(`${path.basename(report.modelFile)}: measured ${report.judgedMs.toFixed(3)} ms vs predicted ${predicted.toFixed(3)} ms, budget ${req.budgetMs} ms`);
  };
  if (host) {
    await deployed();
    // the target's own file was measured above
    const targetFormat = `${platform.format}-${target.precision}`;
    for (const f of req.exported.files) {
      if (f.format === targetFormat) continue;
      latency.push({ format: f.format, target: `${target.id} host (1 thread)`, predictedMs: null, measuredMedianMs: await timeFile(path.join(req.exportDir, f.file)), errorPct: null, note: 'no table for this format/precision: measured only' });
    }
    req.progress.tick('other formats timed');
  } else {
    // a phone: measured through its adb when it can be reached; else the prediction stands and the report says so
    try {
      await deployed();
    } catch (err) {
      if (!(err instanceof LayernasError) || err.code !== 'DEVICE_FAILED') throw err;
      latency.push({ format: `${target.runtime.name}-${target.precision}`, target: target.id, predictedMs: req.predictedMs, measuredMedianMs: null, errorPct: null, note: `phone target: predicted from its table; ${target.id} could not be reached (${err.message.slice(0, 200)}): measure with \`layernas verify\` when the phone is attached` });
      req.progress.tick(`${target.id} not reached: latency predicted only`);
    }
  }
  const tested = await testAgreement({
    files: req.exported.files.map((f) => ({ file: path.join(req.exportDir, f.file), format: f.format })), spec: req.winnerSpec, weightsDir: req.weightsDir,
    testSet: req.testSet, images: n, deployedFormat: `${platform.format}-${target.precision}`, onFile: (a) => req.progress.tick(`${a.file}: ${(100 * a.share).toFixed(2)}% identical`),
  });
  const agreement = [...tested.agreement];
  checks.push(...tested.checks);
  const { passed, failures, warnings } = verdict(checks);
  const stage: VerifyStage = {
    exportHashes: hashes, agreementImages: n, trainedAccuracy: tested.trainedAccuracy, latency, agreement, referenceParity, budgetMs: req.budgetMs,
    tolerancePct: req.tolerancePct, tableSha256, checks, failures: [...failures], warnings: [...warnings], passed,
  };
  await writeJsonAtomic(stageFile(req.outDir), stage);
  req.progress.finish(`${passed ? 'passed' : `NOT passed: ${failures.join('; ')}`}${warnings.length > 0 ? `; warning: ${warnings.join('; ')}` : ''} (${agreement.map((a) => `${a.format} ${(100 * a.share).toFixed(2)}%`).join(', ')})`);
  return { stage, verifiedNow: true };
}
