/**
 * `verify` on any model: an export folder, a design run, or a single .tflite / .onnx (also one another tool wrote).
 * The file is opened first: its input shape is checked against the architecture (--arch or the one the folder/file
 * carries; ARCH_MISMATCH when they differ), and only then is the target's table looked up.
 *  - timing: measured latency only (no architecture, no table);
 *  - agreement: output agreement only (reference forward pass with the weights, or across the float files);
 *  - full: measured vs predicted latency and agreement (src/verify/verify.ts); a table that lacks some layers
 *    prices what it can, lists the missing keys and fails with a line naming the command that works;
 *  - auto: full when the architecture is known, timing otherwise.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { NetworkSpec } from '../arch/spec.js';
import { isLayernasError, LayernasError } from '../core/errors.js';
import { checkTableMatchesTarget, loadTable, loadTargetTables } from '../cost/latency-table.js';
import { loadDataset, parseDatasetRef } from '../data/load.js';
import { tableForInput, type LatencyFallback } from '../cost/latency-predictor.js';
import type { PricedNetwork } from '../cost/price-network.js';
import { priceWithTableHead } from '../cost/table-head.js';
import type { ModelSource } from '../export/model-source.js';
import { NCHW_INPUT_FORMATS } from '../export/formats.js';
import { ExporterModelFactory } from '../export/model-factory.js';
import { formatOfFile, hostRuntimeFor } from '../platform/host-runtimes.js';
import { isPlatformFile, resolvePlatform } from '../platform/registry.js';
import { summarize, type SampleSummary } from '../profile/stats.js';
import type { RuntimeTensorInfo } from '../runtime/types.js';
import type { LoadedTarget, Target } from '../targets/schema.js';
import { modelFileForTarget, readExportDir, type ExportDir } from './export-dir.js';
import { verdict } from './checks.js';
import { testAgreement } from './test-agreement.js';
import { crossFormatAgreement, referenceParity, type AgreementReport } from './output-agreement.js';
import { verifyExport, type VerifyOptions, type VerifyReport } from './verify.js';

export const VERIFY_MODES = ['auto', 'full', 'timing', 'agreement'] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];

export interface ModelCheckReport {
  readonly mode: Exclude<VerifyMode, 'auto'>;
  readonly target: string | null;
  readonly modelFile: string | null;
  /** the file's input/output as its runtime reports them */
  readonly io: { readonly inputs: readonly RuntimeTensorInfo[]; readonly outputs: readonly RuntimeTensorInfo[] } | null;
  /** where the architecture came from and that it matched the file ('--arch', a manifest, TFLite metadata) */
  readonly arch: { readonly network: string; readonly from: string; readonly matchesFile: boolean } | null;
  readonly measured: (SampleSummary & { readonly statistic: 'median' }) | null;
  /** a partial prediction (full mode with missing table keys) */
  readonly priced: PricedNetwork | null;
  readonly agreement: AgreementReport | null;
  /** the full report (full mode with a complete prediction) */
  readonly full: VerifyReport | null;
  readonly problems: readonly string[];
  readonly passed: boolean;
}

export interface ModelCheckOptions extends VerifyOptions {
  readonly mode: VerifyMode;
  /** --arch: network string given by the user, checked against the file */
  readonly arch?: { readonly spec: NetworkSpec; readonly text: string };
}

function exportDirOf(src: ModelSource, spec: NetworkSpec): ExportDir {
  return { dir: src.dir ?? '.', spec, files: src.files.filter(isPlatformFile) };
}

/** the file the target runs: the only file of a single-file source, else by format and precision */
export function pickFile(src: ModelSource, target: Target, spec: NetworkSpec | null): string {
  const platform = resolvePlatform(target);
  if (src.kind === 'model-file') {
    const file = src.files[0] as string;
    if (!platform.runsFile(file)) {
      throw new LayernasError('USAGE', `${file} is not a ${platform.extension} file, which target ${target.id} runs; pick a target of its format (layernas targets list)`, { file, target: target.id });
    }
    return file;
  }
  const fake = spec ?? ({ input: { height: 1, width: 1, channels: 1 }, layers: [] } as unknown as NetworkSpec);
  return modelFileForTarget(exportDirOf(src, fake), target);
}

async function openIo(file: string): Promise<{ inputs: RuntimeTensorInfo[]; outputs: RuntimeTensorInfo[] }> {
  const m = await hostRuntimeFor(formatOfFile(file)).load(file, { threads: 1 });
  try {
    return { inputs: [...m.inputs], outputs: [...m.outputs] };
  } finally {
    await m.dispose();
  }
}

/** ARCH_MISMATCH when the file's input is not the architecture's (NHWC [N,H,W,C]; NCHW accepted for ONNX files) */
export function checkArchAgainstFile(spec: NetworkSpec, io: { inputs: readonly RuntimeTensorInfo[] }, file: string, from: string): void {
  const x = io.inputs[0];
  const { height: H, width: W, channels: C } = spec.input;
  if (!x) throw new LayernasError('MODEL_INVALID', `${file} has no input tensor`, { file });
  const s = x.shape.slice(-3);
  const nhwc = s[0] === H && s[1] === W && s[2] === C;
  const nchw = s[0] === C && s[1] === H && s[2] === W;
  if (x.shape.length !== 4 || !(nhwc || (nchw && NCHW_INPUT_FORMATS.includes(formatOfFile(file))))) {
    throw new LayernasError('ARCH_MISMATCH', `the architecture from ${from} takes ${H}x${W}x${C} images but ${file} has input ${x.name} [${x.shape.join(', ')}] (${x.dtype}); give the network of this file with --arch, or time the file alone with --mode timing`, {
      file, fileInput: x.shape, archInput: [H, W, C],
    });
  }
}

async function timeFile(file: string, target: Target, rounds: number): Promise<SampleSummary> {
  const platform = resolvePlatform(target);
  const backend = platform.backend(new ExporterModelFactory());
  try {
    backend.checkVersion();
    const model = await backend.prepareFile(file);
    try {
      const per = platform.onHost ? 5 : 1;
      await model.sample(per);
      const samples: number[] = [];
      for (let r = 0; r < rounds; r++) samples.push(...(await model.sample(per)));
      return summarize(samples);
    } finally {
      await model.dispose();
    }
  } finally {
    backend.close();
  }
}

async function agreementOf(src: ModelSource, spec: NetworkSpec | null, threads: number): Promise<AgreementReport | null> {
  const floatFiles = src.files.filter((f) => !/int8/i.test(f.slice(f.lastIndexOf('/') + 1)));
  if (spec && src.weightsDir) {
    const r = await referenceParity(src.weightsDir, spec, floatFiles, threads);
    if (r) return r;
  }
  return crossFormatAgreement(floatFiles, threads);
}

/** a design run is judged with the table it priced with (kept in the run) when that table is the target's */
function withDesignTable(src: ModelSource, loaded: LoadedTarget): LoadedTarget {
  const table = src.design?.table;
  if (!table || !existsSync(table)) return loaded;
  try {
    checkTableMatchesTarget(loadTable(table), loaded.target);
  } catch {
    return loaded;
  }
  return { ...loaded, tableFiles: [table, ...loaded.tableFiles] };
}

/** a design run also checks its exported files against the trained model on its test images, as the design did */
async function withDesignAgreement(src: ModelSource, spec: NetworkSpec, report: VerifyReport): Promise<VerifyReport> {
  const d = src.design;
  if (!d?.dataset || !d.agreementImages || !src.weightsDir || !src.dir) return report;
  const exp = readExportDir(src.dir);
  const files = exp.models?.map((m) => ({ file: m.file, format: `${m.format}-${m.precision}` })) ?? [];
  // the file the latency checks ran is the one the target ships: its agreement decides, the others are reported
  const deployed = files.find((f) => path.resolve(f.file) === path.resolve(report.modelFile))?.format ?? null;
  const tested = await testAgreement({ files, spec, weightsDir: src.weightsDir, testSet: loadDataset(parseDatasetRef(d.dataset)).test, images: d.agreementImages, deployedFormat: deployed });
  const checks = [...report.checks, ...tested.checks];
  const v = verdict(checks);
  return { ...report, checks, passed: v.passed, failures: v.failures, warnings: [...report.warnings, ...v.warnings] };
}

export async function verifyModel(src: ModelSource, loaded: LoadedTarget | null, options: ModelCheckOptions): Promise<ModelCheckReport> {
  const spec = options.arch?.spec ?? src.spec;
  const archFrom = options.arch ? '--arch' : src.archFrom;
  const mode: ModelCheckReport['mode'] = options.mode === 'auto' ? (spec ? 'full' : 'timing') : options.mode;
  if (mode === 'full' && !spec) {
    throw new LayernasError('USAGE', `${src.ref} carries no architecture, so there is nothing to predict; time it with: layernas verify ${src.ref} --target ${loaded?.target.id ?? '<t>'} --mode timing (or give --arch <network string>)`, { path: src.ref });
  }
  const base = { mode, target: loaded?.target.id ?? null, priced: null, full: null } as const;
  if (mode === 'agreement') {
    const threads = loaded?.target.threads ?? 1;
    if (spec && src.files[0]) checkArchAgainstFile(spec, await openIo(src.files[0]), src.files[0], archFrom ?? '--arch');
    const agreement = await agreementOf(src, spec, threads);
    const problems = agreement ? (agreement.ok ? [] : [`outputs disagree: max relative difference ${agreement.maxRelativeDiff.toExponential(2)} > ${agreement.tolerance}`])
      : ['nothing to compare: agreement needs the weights (weights.json/.bin) or two float files (.tflite and .onnx)'];
    return { ...base, modelFile: null, io: null, arch: spec ? { network: options.arch?.text ?? 'from the folder', from: archFrom ?? '', matchesFile: true } : null, measured: null, agreement, problems, passed: problems.length === 0 };
  }
  if (!loaded) throw new LayernasError('USAGE', `verify --mode ${mode} needs --target <id> (layernas targets list)`);
  const target = loaded.target;
  const file = pickFile(src, target, spec);
  // open the file first: its input decides whether the architecture is the right one
  const io = await openIo(file);
  if (spec) checkArchAgainstFile(spec, io, file, archFrom ?? '--arch');
  const arch = spec ? { network: options.arch?.text ?? (archFrom ?? ''), from: archFrom ?? '', matchesFile: true } : null;
  if (mode === 'timing') {
    const measured = await timeFile(file, target, options.rounds ?? 10);
    return { ...base, modelFile: file, io, arch, measured: { ...measured, statistic: 'median' }, agreement: null, problems: [], passed: true };
  }
  // full: the table is looked up now, after the file was opened and checked
  const s = spec as NetworkSpec;
  loaded = withDesignTable(src, loaded);
  const { tables } = loadTargetTables(loaded.tableFiles, target);
  let table;
  try {
    table = tableForInput(tables, s.input);
  } catch (e) {
    if (!isLayernasError(e, 'TABLE_MISMATCH')) throw e;
    throw new LayernasError('TABLE_MISMATCH', `${e.message}; time the file alone: layernas verify ${src.ref} --target ${target.id} --mode timing`, e.details);
  }
  const priced = priceWithTableHead(s, table, options.fallback);
  if (priced.total_ms === null) {
    const measured = await timeFile(file, target, options.rounds ?? 10);
    return {
      ...base, modelFile: file, io, arch, measured: { ...measured, statistic: 'median' }, priced, agreement: null,
      problems: [`the table lacks ${priced.missing.length} of ${priced.missing.length + priced.layers.length} layers, so the latency cannot be judged`], passed: false,
    };
  }
  const fullDir: ExportDir = src.kind === 'model-file'
    ? { dir: src.dir ?? '.', spec: s, files: [file] }
    : exportDirOf(src, s);
  const full = await withDesignAgreement(src, s, await verifyExport(fullDir, loaded, options));
  return { ...base, modelFile: file, io, arch, measured: full.measured, priced, agreement: full.agreement, full, problems: full.passed ? [] : ['verdict: see the latency error and agreement above'], passed: full.passed };
}

export type { LatencyFallback };
