/**
 * Final training: each chosen architecture is trained with the full recipe once, into <out>/final/<dna>/:
 * weights.json + weights.bin, test-predictions.json, then result.json last (atomically). A result.json that matches
 * the architecture, recipe and seed means "done": rerunning the design never trains that model again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatNetwork } from '../arch/grammar.js';
import { readWeights, writeWeights, type Weights } from '../arch/weights.js';
import { LayernasError } from '../core/errors.js';
import { canonicalJson } from '../study/study.js';
import type { Dna } from '../space/types.js';
import { recipeSchema, type Recipe } from './options.js';
import type { DesignProblem } from './problem.js';
import type { StageProgress } from './progress.js';
import { readStageFile, writeJsonAtomic } from './stage-files.js';
import type { DesignTrainer } from './trainer.js';

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
  backend: z.string(),
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

export function readTestPredictions(dir: string): Int32Array {
  const file = path.join(dir, 'test-predictions.json');
  const parsed = z.array(z.number().int()).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new LayernasError('WEIGHTS_INVALID', `${file} is not a list of class indices`, { file });
  return Int32Array.from(parsed.data);
}

export function readFinalWeights(dir: string): Promise<Weights> {
  return readWeights(path.join(dir, 'weights'));
}

export interface FinalTrainingRequest {
  readonly problem: DesignProblem;
  readonly trainer: DesignTrainer;
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
  const resultFile = path.join(dir, 'result.json');
  const old = readStageFile(resultFile, finalResultSchema);
  if (old && old.arch === arch && old.seed === req.seed && canonicalJson(old.recipe) === canonicalJson(req.recipe)) {
    return { dna, dir, result: old, trainedNow: false };
  }
  const r = req.recipe;
  const images = r.trainSubset ?? NaN;
  req.progress.start(r.epochs, 0, `full training of ${label} (${spec.name}), ${r.epochs} epoch(s)${Number.isFinite(images) ? ` on ${images} images` : ''}`);
  let lastEpoch = 0;
  const out = await req.trainer.train({
    spec, recipe: r, setting: 'full', seed: req.seed, withTest: true,
    onProgress: (p) => {
      if (p.step === p.steps && p.epoch > lastEpoch) {
        lastEpoch = p.epoch;
        req.progress.tick(`epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)} ${p.imagesPerSecond.toFixed(0)} img/s`);
      }
    },
  });
  if (!out.weights || !out.testPredictions || out.testAccuracy === null) {
    throw new LayernasError('TRAINER_FAILED', `trainer ${req.trainer.name} returned no weights or test predictions for ${label}`, { label });
  }
  await writeWeights(path.join(dir, 'weights'), out.weights);
  await writeJsonAtomic(path.join(dir, 'test-predictions.json'), Array.from(out.testPredictions));
  const result: FinalResult = {
    dna: [...dna], arch, recipe: r, seed: req.seed, valAccuracy: out.valAccuracy, testAccuracy: out.testAccuracy, trainLoss: out.trainLoss,
    trainSeconds: out.wallSeconds, params: out.params, trainImages: out.trainImages, backend: req.trainer.backend, finishedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(resultFile, result);
  req.progress.finish(`${label}: val ${(100 * out.valAccuracy).toFixed(2)}%, test ${(100 * out.testAccuracy).toFixed(2)}% (${out.wallSeconds.toFixed(0)} s)`);
  return { dna, dir, result, trainedNow: true };
}
