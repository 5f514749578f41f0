/**
 * exportNetwork: spec + weights → model files of every requested format + weights + manifest.json in one directory.
 * Every model is built in memory first (an op a format cannot express fails before anything is written), then each
 * file is written atomically (temp + rename), then every model is checked against the reference forward pass by the
 * caller's `check` (loading files in a runtime is the platform registry's job: src/platform/export-model.ts passes
 * the host check), and manifest.json is written last.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { formatNetwork } from '../arch/grammar.js';
import { networkCost } from '../arch/shapes.js';
import type { NetworkSpec } from '../arch/spec.js';
import { assertFiniteWeights, writeWeights, type Weights } from '../arch/weights.js';
import { isLayernasError, LayernasError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Graph } from '../graph/ir.js';
import { lowerNetwork } from '../graph/lower.js';
import { INT8_FORMATS, planModels, type CalibratedInt8, type ExportFormat, type Int8Request, type PlannedModel } from './formats.js';
import { calibrate, type CalibrationOptions } from './tflite/calibration.js';
import { BIAS_CORRECTION_IMAGES, biasCorrectedForInt8 } from './tflite/bias-correction.js';
import type { ValueRange } from './tflite/quantize.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestModel } from './manifest.js';
import { ensureDir, writeFileAtomic } from '../core/write-atomic.js';
import { deployFacts, LABELS_FILE, onnxMetadataProps, tfliteMetadataFor, type DeployFacts } from './deploy-info.js';
import { commitStaging, keepFailed, staging } from './staging.js';
import { rm } from 'node:fs/promises';

const CREATED_BY = 'layernas 0.1.0';

export { EXPORT_FORMATS, INT8_FORMATS, type ExportFormat, type Int8Request } from './formats.js';

/** float models must agree with the reference within this share of the output scale */
export const FLOAT_PARITY_TOLERANCE = 1e-4;

export interface ExportRequest {
  readonly spec: NetworkSpec;
  readonly weights: Weights;
  /** e.g. `init:seed=0` or the weights directory, for the manifest */
  readonly weightsSource: string;
  readonly formats: readonly ExportFormat[];
  readonly outDir: string;
  readonly softmax?: boolean;
  readonly int8?: Int8Request;
  /** loads one written model and compares it with the reference forward pass; absent: models are not verified */
  readonly check?: ModelCheck;
  /** activation ranges for int8 (e.g. through a runtime); absent: the reference forward pass. Run once for all formats. */
  readonly calibrator?: Calibrator;
  readonly threads?: number;
  readonly onProgress?: (message: string) => void;
  /** preprocessing, labels, description for the manifest and the files' metadata (default: from the spec alone) */
  readonly deploy?: DeployFacts;
  /** an int8 model whose top-1 differs from the float reference: 'error' (default) fails the export */
  readonly int8Agreement?: 'error' | 'warn';
}

export interface ExportResult {
  readonly manifest: Manifest;
  readonly manifestPath: string;
  /** float models whose parity exceeded FLOAT_PARITY_TOLERANCE (the manifest records them) */
  readonly parityFailures: readonly string[];
}

/** What a model check reports: the I/O the runtime sees and the output difference from the reference forward pass. */
export interface ModelCheckResult {
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: string }[];
  readonly outputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: string }[];
  readonly relDiff: number;
  readonly maxAbsDiff: number;
  readonly argmaxAgrees: boolean;
  /** e.g. `tflite 2.9.0` */
  readonly runtime: string;
}

/**
 * Loads `file` (a written model of `model`), runs `input` through it and through the reference forward pass of
 * `graph`. Throws RUNTIME_UNAVAILABLE when no runtime for the format can be loaded here (the model is then recorded as
 * not verified).
 */
/** [min, max] of every activation tensor of `graph` over the calibration inputs */
export type Calibrator = (graph: Graph, samples: readonly Float32Array[], options: CalibrationOptions) => Promise<Map<number, ValueRange>>;

export type ModelCheck = (graph: Graph, input: Float32Array, file: string, model: PlannedModel, threads: number) => Promise<ModelCheckResult>;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** seeded input in [0, 1] (the range dataset images are scaled to) */
export function parityInput(spec: NetworkSpec, seed = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(spec.input.height * spec.input.width * spec.input.channels);
  for (let i = 0; i < out.length; i++) out[i] = rng.next();  // a plain loop: Float32Array.from(arrayLike, fn) is ~20× slower
  return out;
}

async function verifyModel(check: ModelCheck, graph: Graph, input: Float32Array, outDir: string, m: PlannedModel, threads: number): Promise<Pick<ManifestModel, 'inputs' | 'outputs' | 'parity' | 'notes'>> {
  try {
    const r = await check(graph, input, join(outDir, m.path), m, threads);
    const tolerance = m.precision === 'float32' ? FLOAT_PARITY_TOLERANCE : null;
    return {
      inputs: r.inputs.map((t) => ({ ...t, shape: [...t.shape] })) as ManifestModel['inputs'], outputs: r.outputs.map((t) => ({ ...t, shape: [...t.shape] })) as ManifestModel['outputs'],
      parity: { relDiff: r.relDiff, maxAbsDiff: r.maxAbsDiff, argmaxAgrees: r.argmaxAgrees, tolerance }, notes: [...m.notes, `runtime ${r.runtime}`],
    };
  } catch (err) {
    if (!isLayernasError(err, 'RUNTIME_UNAVAILABLE')) throw err;
    return { inputs: null, outputs: null, parity: null, notes: [...m.notes, `not verified: ${err.message}`] };
  }
}

/** what failed the export's own checks (empty: every file succeeded) */
function exportFailures(models: readonly ManifestModel[], int8Agreement: 'error' | 'warn'): string[] {
  const out: string[] = [];
  for (const m of models) {
    if (!m.parity) continue;
    if (m.parity.tolerance !== null && !(m.parity.relDiff <= m.parity.tolerance)) out.push(`${m.path}: differs from the reference forward pass by ${m.parity.relDiff.toExponential(2)} of the output scale (tolerance ${m.parity.tolerance})`);
    if (m.precision === 'int8' && !m.parity.argmaxAgrees && int8Agreement === 'error') out.push(`${m.path}: int8 top-1 class differs from the float reference on the parity input (pass --int8-agreement warn to keep it)`);
  }
  return out;
}

export async function exportNetwork(req: ExportRequest): Promise<ExportResult> {
  const progress = req.onProgress ?? (() => undefined);
  assertFiniteWeights(req.weights.tensors);
  const graph = lowerNetwork(req.spec, req.weights.tensors, { softmax: req.softmax ?? false, name: req.spec.name ?? 'layernas' });
  progress(`lowered ${graph.ops.length} ops`);
  const arch = formatNetwork(req.spec);
  const facts = req.deploy ?? deployFacts(req.spec);
  const softmax = req.softmax ?? false;
  const deploy = {
    tflite: { metadata: tfliteMetadataFor(req.spec, facts, { name: 'output', softmax }, CREATED_BY), arch, ...(facts.labels ? { labels: facts.labels } : {}) },
    onnxMetadata: Object.fromEntries(onnxMetadataProps(req.spec, arch, facts)),
  };
  let int8: CalibratedInt8 | undefined;
  if (req.int8 && req.formats.some((f) => (req.int8?.formats ?? INT8_FORMATS).includes(f))) {
    let t0 = performance.now();
    const n = req.int8.calibration.length;
    const onProgress = (done: number, total: number): void => { if (done === total || done % 20 === 0) progress(`int8 calibration ${done}/${total}`); };
    const ranges = req.calibrator
      ? await req.calibrator(graph, req.int8.calibration, { onProgress })
      : calibrate(graph, req.int8.calibration, { onProgress });
    progress(`int8 calibration: ${n} input(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s (${req.calibrator ? 'runtime' : 'reference forward pass'})`);
    // int8 models are written with biases corrected for the rounding of their weights (src/export/tflite/bias-correction.ts)
    t0 = performance.now();
    const samples = req.int8.calibration.slice(0, BIAS_CORRECTION_IMAGES);
    int8 = { ...req.int8, ranges, graph: biasCorrectedForInt8(graph, samples) };
    progress(`int8 bias correction over ${samples.length} input(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const planned = planModels(graph, req.formats, { ...(int8 ? { int8 } : {}), onProgress: progress, deploy });
  progress(`built ${planned.map((m) => m.path).join(', ')} in memory`);
  // everything is written to a staging folder beside the output and moved in only when every file succeeded
  const stage = await staging(req.outDir);
  try {
    await writeWeights(stage, req.weights);
    const written = new Map<string, { path: string; bytes: number; sha256: string }[]>();
    for (const m of planned) {
      const files: { path: string; bytes: number; sha256: string }[] = [];
      for (const f of m.files) {
        const target = join(stage, f.path);
        await ensureDir(dirname(target));
        await writeFileAtomic(target, f.bytes);
        files.push({ path: f.path, bytes: f.bytes.length, sha256: sha256(f.bytes) });
      }
      written.set(m.path, files);
      progress(`wrote ${m.path} (${files.reduce((s, f) => s + f.bytes, 0)} bytes)`);
    }
    if (facts.labels) await writeFileAtomic(join(stage, LABELS_FILE), `${facts.labels.join('\n')}\n`);
    const input = parityInput(req.spec);
    const models: ManifestModel[] = [];
    for (const m of planned) {
      const checked = req.check === undefined
        ? { inputs: null, outputs: null, parity: null, notes: [...m.notes, 'not verified (--no-verify)'] }
        : await verifyModel(req.check, graph, input, stage, m, req.threads ?? 1);
      if (checked.parity) progress(`${m.path}: max |Δ| ${checked.parity.relDiff.toExponential(2)} of output scale vs reference${checked.parity.argmaxAgrees ? '' : ', top-1 differs'}`);
      models.push({
        format: m.format, precision: m.precision, path: m.path, files: written.get(m.path) ?? [],
        ...(m.quantization ? { quantization: { inputs: m.quantization.inputs.map(q), outputs: m.quantization.outputs.map(q), calibration: m.quantization.calibration } } : {}),
        ...checked,
      });
    }
    const cost = networkCost(req.spec);
    const inT = graph.tensors[graph.inputs[0] as number];
    const outT = graph.tensors[graph.outputs[0] as number];
    if (!inT || !outT) throw new LayernasError('MODEL_INVALID', 'lowered graph has no input or output');
    const manifest: Manifest = {
      format: MANIFEST_FORMAT, version: MANIFEST_VERSION, arch, name: req.spec.name ?? null,
      madds: cost.madds, params: cost.params,
      input: { name: inT.name, shape: [...inT.shape], layout: 'NHWC' },
      output: { name: outT.name, shape: [...outT.shape], softmax },
      preprocessing: facts.preprocessing,
      labels: facts.labels ? { file: LABELS_FILE, classes: [...facts.labels] } : null,
      description: facts.description,
      weights: { source: req.weightsSource, files: ['weights.json', 'weights.bin'] },
      models, createdBy: CREATED_BY,
    };
    const failures = exportFailures(models, req.int8Agreement ?? 'error');
    await writeFileAtomic(join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (failures.length > 0) {
      const kept = await keepFailed(stage, req.outDir);
      throw new LayernasError('VERIFY_FAILED', `export failed its checks; ${req.outDir} was left as it was, the failed files are in ${kept}:\n  ${failures.join('\n  ')}`, { failures, kept });
    }
    await commitStaging(stage, req.outDir);
    return { manifest, manifestPath: join(req.outDir, 'manifest.json'), parityFailures: [] };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

function q(p: { scale: readonly number[]; zeroPoint: readonly number[] }): { scale: number[]; zeroPoint: number[] } {
  return { scale: [...p.scale], zeroPoint: [...p.zeroPoint] };
}
