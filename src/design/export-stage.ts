/**
 * Export of the winner with its trained weights into <out>/model/ by the exporter `layernas export` uses
 * (src/platform/export-model.ts): model_float32.tflite, model_int8.tflite (post-training quantized, calibrated on
 * training images), model.onnx, weights.json/.bin and the one manifest.json (src/export/manifest.ts), every model
 * checked against the reference forward pass. <out>/stages/export.json is written last; when it matches the winner
 * and the files still hash the same, the stage is not redone.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import type { Weights } from '../arch/weights.js';
import { Rng } from '../core/rng.js';
import { InputConverter } from '../data/batches.js';
import type { ImageSet } from '../data/types.js';
import type { ExportFormat } from '../export/formats.js';
import { exportModel } from '../platform/export-model.js';
import type { DeployFacts } from '../export/deploy-info.js';
import type { StageProgress } from './progress.js';
import { fileSha256, readStageFile, writeJsonAtomic } from './stage-files.js';

/** what design ships: TFLite float32 + int8 and float32 ONNX */
const DESIGN_FORMATS: readonly ExportFormat[] = ['tflite', 'onnx'];
const DESIGN_INT8_FORMATS: readonly ExportFormat[] = ['tflite'];

export const exportedFileSchema = z.object({
  file: z.string(),
  /** `<format>-<precision>` of the manifest's model */
  format: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
});
export type ExportedFile = z.infer<typeof exportedFileSchema>;

export const exportStageSchema = z.object({
  arch: z.string(),
  weightsFrom: z.string(),
  calibrationImages: z.number().int(),
  files: z.array(exportedFileSchema),
});
export type ExportStage = z.infer<typeof exportStageSchema>;

export interface ExportRequest {
  readonly spec: NetworkSpec;
  readonly weights: Weights;
  /** final-training directory the weights come from (recorded, and compared on resume) */
  readonly weightsFrom: string;
  readonly calibrationSet: ImageSet;
  readonly calibrationImages: number;
  readonly seed: number;
  readonly outDir: string;
  readonly progress: StageProgress;
  /** preprocessing (resize from the dataset's image size), labels and description for the deployable files */
  readonly deploy?: DeployFacts;
}

export const modelDir = (outDir: string): string => path.join(outDir, 'model');
const stageFile = (outDir: string): string => path.join(outDir, 'stages', 'export.json');

/** `count` training images (seeded choice) converted to the network input, one Float32Array each. */
export function calibrationInputs(set: ImageSet, spec: NetworkSpec, count: number, seed: number): Float32Array[] {
  const conv = new InputConverter(set, spec.input);
  const order = new Rng(seed).fork(17).shuffle(Array.from({ length: set.count }, (_, i) => i)).slice(0, Math.min(count, set.count));
  return order.map((idx) => {
    const x = new Float32Array(conv.perImage);
    conv.convertInto(set, idx, x, 0);
    return x;
  });
}

function stillValid(stage: ExportStage, arch: string, weightsFrom: string, calibrationImages: number, dir: string): boolean {
  return stage.arch === arch && stage.weightsFrom === weightsFrom && stage.calibrationImages === calibrationImages &&
    stage.files.every((f) => fileSha256(path.join(dir, f.file)) === f.sha256);
}

export async function runExportStage(req: ExportRequest): Promise<{ stage: ExportStage; dir: string; exportedNow: boolean }> {
  const dir = modelDir(req.outDir);
  const arch = formatNetwork(req.spec);
  const old = readStageFile(stageFile(req.outDir), exportStageSchema);
  if (old && stillValid(old, arch, req.weightsFrom, req.calibrationImages, dir)) return { stage: old, dir, exportedNow: false };
  req.progress.start(2, 0, `export ${req.spec.name} (TFLite float32 + int8, ONNX)`);
  const calibration = calibrationInputs(req.calibrationSet, req.spec, req.calibrationImages, req.seed);
  req.progress.tick(`calibration inputs: ${calibration.length} training images`);
  const result = await exportModel({
    spec: req.spec, weights: req.weights, weightsSource: req.weightsFrom, formats: DESIGN_FORMATS, outDir: dir,
    int8: { calibration, description: `${calibration.length} training images (seed ${req.seed})`, io: 'float', formats: DESIGN_INT8_FORMATS },
    // the verify stage measures int8 agreement on the test split (a better check than one parity input)
    int8Agreement: 'warn',
    ...(req.deploy ? { deploy: req.deploy } : {}),
  });
  const files: ExportedFile[] = result.manifest.models.flatMap((m) => m.files.map((f) => ({ file: f.path, format: `${m.format}-${m.precision}`, bytes: f.bytes, sha256: f.sha256 })));
  req.progress.tick(files.map((f) => `${f.file} ${f.bytes} bytes`).join(', '));
  const stage: ExportStage = { arch, weightsFrom: req.weightsFrom, calibrationImages: req.calibrationImages, files };
  await writeJsonAtomic(stageFile(req.outDir), stage);
  const parity = result.parityFailures.length > 0 ? `; parity with the reference beyond 1e-4: ${result.parityFailures.join(', ')}` : '';
  req.progress.finish(`wrote ${files.map((f) => f.file).join(', ')} to ${dir}${parity}`);
  return { stage, dir, exportedNow: true };
}

export function exportedBytes(dir: string, file: string): number {
  const p = path.join(dir, file);
  return existsSync(p) ? statSync(p).size : 0;
}
