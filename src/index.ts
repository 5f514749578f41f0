/**
 * The layernas library: `import { design, search, exportModel, verify, profile, predictLatency } from 'layernas'`.
 * Each function is the one the matching CLI command calls (docs/api.md); inputs are validated here, at the edge,
 * and every failure is a LayernasError with a stable `code`.
 */
import { parseNetwork } from './arch/grammar.js';
import { walkShapes } from './arch/shapes.js';
import type { NetworkSpec } from './arch/spec.js';
import { initWeights, readWeights, type Weights } from './arch/weights.js';
import { LayernasError } from './core/errors.js';
import { dataLocations, type DataLocations } from './core/locations.js';
import { predictLatency as predictFromTable, tableForInput, type LatencyFallback, type LatencyPrediction } from './cost/latency-predictor.js';
import { loadTargetTables } from './cost/latency-table.js';
import { designOptionsSchema, DEFAULT_DESIGN, type DesignOptions } from './design/options.js';
import { designProgress, type ProgressMode } from './design/progress.js';
import { runDesign, type DesignResult } from './design/run-design.js';
import { EXPORT_FORMATS, type ExportFormat, type ExportResult, type Int8Request } from './export/index.js';
import { exportModel as exportChecked } from './platform/export-model.js';
import { profileTable, workloadFor } from './profile/profile-job.js';
import type { ProfileResult } from './profile/profiler.js';
import { StderrProgress, type ProgressSink } from './profile/progress.js';
import { runSearch, type SearchOptions, type SearchResult } from './study/run-search.js';
import { resolveTarget } from './targets/load.js';
import { readExportDir } from './verify/export-dir.js';
import { DEFAULT_TOLERANCE_PCT } from './verify/checks.js';
import { verifyExport, type VerifyReport } from './verify/verify.js';

export { LayernasError, type ErrorCode } from './core/errors.js';
export { dataLocations, type DataLocations } from './core/locations.js';
export { parseNetwork, formatNetwork } from './arch/grammar.js';
export { networkCost } from './arch/shapes.js';
export type { NetworkSpec, LayerSpec } from './arch/spec.js';
export type { DesignOptions, DesignResult, SearchOptions, SearchResult, ExportResult, ExportFormat, VerifyReport, LatencyPrediction, ProfileResult, Weights };
export { EXPORT_FORMATS };

/** A network string (`in32x32x3/conv_k3_s1_c16/...`) or a parsed spec. */
export type NetworkInput = string | NetworkSpec;

function toSpec(network: NetworkInput): NetworkSpec {
  if (typeof network === 'string') return parseNetwork(network);
  if (!network || typeof network !== 'object' || !Array.isArray(network.layers)) {
    throw new LayernasError('USAGE', 'network must be a network string or a NetworkSpec object', {});
  }
  return network;
}

/** Options of `design` (docs/design.md); anything left out takes the CLI default. */
export type DesignInput = Partial<DesignOptions> & Pick<DesignOptions, 'target' | 'latencyMs'>;

/** The whole job: latency table -> search -> final training -> export -> verify -> report, resumable from `out`. */
export async function design(options: DesignInput, run: { progress?: ProgressMode } = {}): Promise<DesignResult> {
  const parsed = designOptionsSchema.safeParse({ ...DEFAULT_DESIGN, ...options });
  if (!parsed.success) {
    throw new LayernasError('USAGE', `design: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {});
  }
  return runDesign(parsed.data, designProgress(run.progress ?? 'quiet'));
}

/** One architecture search (LayerNAS or a baseline) under cost constraints, resumable from its journal. */
export async function search(options: SearchOptions): Promise<SearchResult> {
  return runSearch(options);
}

export interface ExportModelOptions {
  readonly network: NetworkInput;
  /** a weights directory written by `layernas train`, weights in memory, or absent: seeded initial weights */
  readonly weights?: string | Weights;
  readonly seed?: number;
  /** default: tflite float32 and onnx */
  readonly formats?: readonly ExportFormat[];
  readonly outDir: string;
  readonly int8?: Int8Request;
  /** load each file in its runtime and compare with the reference forward pass (default true) */
  readonly verify?: boolean;
  readonly onProgress?: (message: string) => void;
}

/** Write deployable files (.tflite float32/int8, .onnx, tfjs) and a manifest with each file's parity. */
export async function exportModel(o: ExportModelOptions): Promise<ExportResult> {
  const spec = toSpec(o.network);
  const formats = o.formats ?? (['tflite', 'onnx'] as ExportFormat[]);
  for (const f of formats) {
    if (!EXPORT_FORMATS.includes(f)) throw new LayernasError('USAGE', `unknown export format "${f}" (formats: ${EXPORT_FORMATS.join(', ')})`, { format: f });
  }
  const seed = o.seed ?? 0;
  const weights = typeof o.weights === 'string' ? await readWeights(o.weights) : (o.weights ?? initWeights(spec, seed));
  return exportChecked({
    spec,
    weights,
    weightsSource: typeof o.weights === 'string' ? o.weights : o.weights ? 'in-memory' : `init:seed=${seed}`,
    formats,
    outDir: o.outDir,
    ...(o.int8 ? { int8: o.int8 } : {}),
    ...(o.verify !== undefined ? { verify: o.verify } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
}

export interface VerifyOptions {
  /** allowed |measured - predicted| / predicted in % (default DEFAULT_TOLERANCE_PCT, 10) */
  readonly tolerancePct?: number;
  readonly fallback?: LatencyFallback;
  readonly rounds?: number;
  readonly speedCorrection?: 'anchor' | 'none';
  /** network string when the folder has no manifest.json */
  readonly arch?: string;
}

/** Time the exported file on the target and compare with the prediction; `report.passed` is the verdict. */
export async function verify(exportDir: string, target: string, o: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyExport(readExportDir(exportDir, o.arch), resolveTarget(target), {
    tolerancePct: o.tolerancePct ?? DEFAULT_TOLERANCE_PCT,
    fallback: o.fallback ?? 'none',
    rounds: o.rounds ?? 10,
    speedCorrection: o.speedCorrection ?? 'anchor',
  });
}

export interface ProfileOptions {
  /** target id or target .json file (a host target: profiling runs here) */
  readonly target: string;
  /** space name, space .json, or a .txt file of network strings */
  readonly space: string;
  /** table file to write; its journal is `<out>.journal.jsonl` (resumable) */
  readonly out: string;
  readonly calibrate?: number;
  readonly calibrateSpan?: number;
  readonly rounds?: number;
  readonly seed?: number;
  readonly clock?: 'wall' | 'cpu';
  /** progress lines on stderr (default false) */
  readonly progress?: boolean;
}

/** Measure a latency table for a target: every distinct block of a space, plus calibration networks. */
export async function profile(o: ProfileOptions): Promise<ProfileResult & { readonly tableFile: string }> {
  const { target } = resolveTarget(o.target);
  const work = workloadFor(o.space, o.calibrate ?? 40, o.seed ?? 1, o.calibrateSpan ?? 20);
  const silent: ProgressSink = { start: () => {}, tick: () => {}, finish: () => {} };
  const result = await profileTable({ target, work, out: o.out, ...(o.rounds !== undefined ? { rounds: o.rounds } : {}), ...(o.clock ? { clock: o.clock } : {}), progress: o.progress ? new StderrProgress() : silent });
  return { ...result, tableFile: o.out };
}

/** Predicted latency of a network on a target, from the target's latency table for the network's input size. */
export function predictLatency(network: NetworkInput, target: string, o: { fallback?: LatencyFallback; tables?: readonly string[] } = {}): LatencyPrediction {
  const spec = toSpec(network);
  const loaded = resolveTarget(target);
  const { tables } = loadTargetTables([...(o.tables ?? []), ...loaded.tableFiles], loaded.target);
  return predictFromTable(walkShapes(spec), tableForInput(tables, spec.input), o.fallback ?? 'none');
}

/** Where shipped and shared data are read from (with $LAYERNAS_DATA_DIR etc. applied). */
export function locations(overrides: Partial<DataLocations> = {}): DataLocations {
  return dataLocations(overrides);
}
