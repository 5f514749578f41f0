/**
 * Final training: each chosen architecture is trained with the full recipe once, into <out>/final/<dna>/: the
 * trainer's weights/ and result.json, then final.json last (atomically). A final.json that matches the
 * architecture, recipe, seed and trainer means "done": rerunning the design never trains that model again.
 */
import path from 'node:path';
import { z } from 'zod';
import { formatNetwork } from '../arch/grammar.js';
import { readWeights, type Weights } from '../arch/weights.js';
import { LayernasError } from '../core/errors.js';
import { relativeInside, resolveInside } from '../core/paths.js';
import { canonicalJson } from '../study/study.js';
import type { Dna } from '../space/types.js';
import { recipeSchema, type Recipe } from './options.js';
import type { DesignProblem } from './problem.js';
import type { StageProgress } from './progress.js';
import { readStageFile, writeJsonAtomic } from './stage-files.js';
import type { Dataset } from '../data/types.js';
import { settingsFor } from '../train/settings.js';
import type { Trainer } from '../train/types.js';

export const finalResultSchema = z.object({
  dna: z.array(z.number().int().nonnegative()),
  arch: z.string(),
  recipe: recipeSchema,
  seed: z.number().int(),
  valAccuracy: z.number(),
  testAccuracy: z.number(),
  trainLoss: z.number(),
  trainSeconds: z.number(),
  params: z.number(),
  trainImages: z.number().int(),
  /** test images the test accuracy was measured on */
  testImages: z.number().int().optional(),
  trainer: z.string(),
  backend: z.string(),
  /** relative to the model's folder (<out>/final/<dna>), so a run folder can be moved; older files: absolute */
  weightsDir: z.string(),
  finishedAt: z.string(),
});
export type FinalResult = z.infer<typeof finalResultSchema>;

export interface FinalModel {
  readonly dna: Dna;
  readonly dir: string;
  readonly result: FinalResult;
  /** true when this run trained it (false: read back from an earlier run) */
  readonly trainedNow: boolean;
}

export function finalDir(outDir: string, dna: Dna): string {
  return path.join(outDir, 'final', dna.join('-'));
}

/**
 * The weights folder of a final model, inside its folder. A path saved by an older version (absolute) is read as the
 * same folder name inside this model's folder, never from where the run used to be.
 */
export function finalWeightsDir(model: { readonly dir: string; readonly result: Pick<FinalResult, 'weightsDir'> }): string {
  const saved = model.result.weightsDir;
  return resolveInside(model.dir, path.isAbsolute(saved) ? path.basename(saved) : saved, `${path.join(model.dir, 'final.json')} weightsDir`);
}

export function readFinalWeights(model: FinalModel): Promise<Weights> {
  return readWeights(finalWeightsDir(model));
}

export interface FinalTrainingRequest {
  readonly problem: DesignProblem;
  readonly trainer: Trainer;
  readonly data: Dataset;
  readonly recipe: Recipe;
  readonly seed: number;
  readonly outDir: string;
  readonly progress: StageProgress;
}

/** Train (or read back) one final model. */
export async function trainFinal(req: FinalTrainingRequest, dna: Dna, label: string): Promise<FinalModel> {
  const dir = finalDir(req.outDir, dna);
  const spec = req.problem.networks.trained(dna);
  const arch = formatNetwork(spec);
  const resultFile = path.join(dir, 'final.json');
  const old = readStageFile(resultFile, finalResultSchema);
  if (old && old.arch === arch && old.seed === req.seed && old.trainer === req.trainer.name && canonicalJson(old.recipe) === canonicalJson(req.recipe) &&
    (old.testImages ?? req.data.test.count) === req.data.test.count) {
    return { dna, dir, result: old, trainedNow: false };
  }
  const r = req.recipe;
  const images = r.trainSubset ?? NaN;
  req.progress.start(r.epochs, 0, `full training of ${label} (${spec.name}), ${r.epochs} epoch(s)${Number.isFinite(images) ? ` on ${images} images` : ''}`);
  let lastEpoch = 0;
  const out = await req.trainer.train({
    spec, dataset: req.data, settings: settingsFor('full', { ...r, seed: req.seed }), evaluateTest: true, outputDir: dir,
  }, (p) => {
    if (p.step === p.steps && p.epoch > lastEpoch) {
      lastEpoch = p.epoch;
      req.progress.tick(`${label}: epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)} ${p.imagesPerSecond.toFixed(0)} img/s`);
    }
  });
  const m = out.metrics;
  if (m.testAccuracy === undefined) throw new LayernasError('TRAINER_FAILED', `trainer ${req.trainer.name} returned no test accuracy for ${label}`, { label });
  const result: FinalResult = {
    dna: [...dna], arch, recipe: r, seed: req.seed, valAccuracy: m.valAccuracy, testAccuracy: m.testAccuracy, trainLoss: m.trainLoss,
    trainSeconds: m.wallSeconds, params: m.params, trainImages: m.trainImages, testImages: req.data.test.count, trainer: req.trainer.name,
    backend: `${out.trainer.name} ${out.trainer.backend}${out.trainer.version ? ` ${out.trainer.version}` : ''}`, weightsDir: relativeInside(dir, path.resolve(out.weightsDir), `trainer ${req.trainer.name} weights`), finishedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(resultFile, result);
  req.progress.finish(`${label}: val ${(100 * m.valAccuracy).toFixed(2)}%, test ${(100 * m.testAccuracy).toFixed(2)}% (${m.wallSeconds.toFixed(0)} s)`);
  return { dna, dir, result, trainedNow: true };
}
