/**
 * Export of the winner with its trained weights into <out>/model/: model_float32.tflite, model_int8.tflite
 * (post-training quantized, calibrated on training images), model.onnx, weights.json/.bin and manifest.json
 * (architecture string, so `layernas verify <out>/model` works). <out>/stages/export.json is written last; when it
 * matches the winner and the files still hash the same, the stage is not redone.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { writeWeights, type Weights } from '../arch/weights.js';
import { Rng } from '../core/rng.js';
import { InputConverter } from '../data/batches.js';
import type { ImageSet } from '../data/types.js';
import { writeOnnx } from '../export/onnx/onnx-writer.js';
import { buildTflite } from '../export/tflite/index.js';
import { ensureDir, writeFileAtomic } from '../core/write-atomic.js';
import { lowerNetwork } from '../graph/lower.js';
import type { StageProgress } from './progress.js';
import { fileSha256, readStageFile, sha256, writeJsonAtomic } from './stage-files.js';

export const exportedFileSchema = z.object({
  file: z.string(),
  format: z.enum(['tflite-float32', 'tflite-int8', 'onnx']),
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
  req.progress.start(4, 0, `export ${req.spec.name} (TFLite float32 + int8, ONNX)`);
  await ensureDir(dir);
  await writeWeights(dir, req.weights);
  await writeJsonAtomic(path.join(dir, 'manifest.json'), {
    format: 'layernas-export', arch, name: req.spec.name, input: req.spec.input, inputRange: '[0, 1] floats, NHWC',
    files: ['model_float32.tflite', 'model_int8.tflite', 'model.onnx', 'weights.json', 'weights.bin'],
  });
  const graph = lowerNetwork(req.spec, req.weights.tensors, { name: req.spec.name ?? 'layernas' });
  const files: ExportedFile[] = [];
  const put = async (file: string, format: ExportedFile['format'], bytes: Uint8Array): Promise<void> => {
    await writeFileAtomic(path.join(dir, file), bytes);
    files.push({ file, format, bytes: bytes.length, sha256: sha256(bytes) });
    req.progress.tick(`${file} ${bytes.length} bytes`);
  };
  await put('model_float32.tflite', 'tflite-float32', buildTflite(graph).bytes);
  const calibration = calibrationInputs(req.calibrationSet, req.spec, req.calibrationImages, req.seed);
  req.progress.tick(`calibration inputs: ${calibration.length} training images`);
  await put('model_int8.tflite', 'tflite-int8', buildTflite(graph, { quantization: { calibration } }).bytes);
  await put('model.onnx', 'onnx', writeOnnx(graph));
  const stage: ExportStage = { arch, weightsFrom: req.weightsFrom, calibrationImages: req.calibrationImages, files };
  await writeJsonAtomic(stageFile(req.outDir), stage);
  req.progress.finish(`wrote ${files.map((f) => f.file).join(', ')} to ${dir}`);
  return { stage, dir, exportedNow: true };
}

export function exportedBytes(dir: string, file: string): number {
  const p = path.join(dir, file);
  return existsSync(p) ? statSync(p).size : 0;
}
