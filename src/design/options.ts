/**
 * What a `design` run is asked to do, validated once at the edge (CLI flags, bench scripts) and then trusted.
 * DEFAULT_DESIGN is the embedded default job (`layernas design` with no flags): host TFLite target, the compact
 * mobile32 space, Fashion-MNIST at 32x32, sized to finish within 15 minutes on an otherwise idle 2-core machine.
 */
import { DEFAULT_TOLERANCE_PCT } from '../verify/checks.js';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { TRAINER_DEVICES } from '../train/choice.js';

/** A training recipe size: everything else comes from src/train/settings.ts (proxy / full). */
export const recipeSchema = z.object({
  epochs: z.number().int().positive(),
  /** seeded, class-balanced subset of the training split (absent: the whole split) */
  trainSubset: z.number().int().positive().optional(),
  /** validation images the reward is measured on (absent: the whole validation split) */
  validationSubset: z.number().int().positive().optional(),
  batchSize: z.number().int().positive(),
  /** absent: SGD with momentum (src/train/settings.ts) */
  optimizer: z.enum(['sgd', 'adam']).optional(),
  lr: z.number().positive(),
  warmupSteps: z.number().int().min(0),
  /**
   * after training, BN running statistics := the plain (cumulative) average of the batch statistics over this many
   * training batches in train mode ("BN recalibration", as in Once-for-All). Short proxy runs need it: with under
   * ~50 steps the momentum-averaged statistics lag the weights and eval-mode predictions collapse to one class.
   */
  bnRecalibrationBatches: z.number().int().min(0),
}).strict();
export type Recipe = z.infer<typeof recipeSchema>;

export const COMPARISONS = ['baseline', 'random'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const trainerSchema = z.union([z.literal('tfjs'), z.literal('pytorch'), z.string().regex(/^command:.+/, 'expected tfjs, pytorch or command:<cmd>')]);

export const designOptionsSchema = z.object({
  target: z.string().min(1),
  /** latency budget on the target in ms (the search keeps predicted latency <= this) */
  latencyMs: z.number().positive(),
  maddsMax: z.number().positive().optional(),
  /** search space: a built-in name (mobile32, fbnet) or a space .json file */
  space: z.string().min(1),
  dataset: z.string().min(1),
  /** search trials (proxy trainings) */
  trials: z.number().int().positive(),
  /** best search candidates trained with the full recipe; the best of them on validation is the winner */
  finalists: z.number().int().positive(),
  trainer: trainerSchema,
  /**
   * threads of the PyTorch / command trainer (LAYERNAS_THREADS). 1 by default: small 32x32 nets gain little from a
   * second thread, and OpenMP threads on an oversubscribed machine wait on each other (a 2,000-image proxy trial
   * took ~8 min with 2 threads vs ~1.5 min with 1 on this machine at load average ~12).
   */
  trainerThreads: z.number().int().positive(),
  /** device of the PyTorch trainer (LAYERNAS_TRAINER_DEVICE): auto = CUDA when the machine has a GPU */
  trainerDevice: z.enum(TRAINER_DEVICES).default('auto'),
  /** an external trainer running longer than this is killed and its trial failed (reason timeout; retried on resume) */
  trialTimeoutMs: z.number().int().positive().default(6 * 3600 * 1000),
  /**
   * trainings run at once (search trials of one layer / one random batch, and the final models). Search results do
   * not depend on it: LayerNAS children of a layer are independent, and each trial's seed is fixed by the design seed.
   */
  parallelTrials: z.number().int().positive(),
  proxy: recipeSchema,
  /**
   * proxy trainings per search candidate, with seeds seed, seed+1, ... (each its own init, data order and 4,000-image
   * subset); the reward is their mean validation accuracy. One 1-epoch run ranks architectures barely better than
   * chance against another run of itself (Kendall tau 0.30 between seeds 0 and 1 over 20 FBNet archs); the mean of
   * two ranked them against full training at tau 0.540, one run at 0.444 and 0.354 (docs/training.md).
   */
  proxyRuns: z.number().int().min(1).max(16),
  full: recipeSchema,
  /**
   * final models are tested on the first N images of the test split (absent: the whole split). For quick checks
   * (the e2e test); accuracy figures to compare should use the whole split.
   */
  testImages: z.number().int().positive().optional(),
  /** test images the exported files are compared with the trained model on (absent: the whole test split) */
  agreementImages: z.number().int().positive().optional(),
  /** training images used to calibrate the int8 model */
  calibrationImages: z.number().int().positive(),
  /** extra final models trained with the same full recipe, for the report: hand-designed baseline, random search */
  compare: z.array(z.enum(COMPARISONS)),
  /** allowed |measured - predicted| / predicted latency of the deployed file, in % (verification) */
  tolerancePct: z.number().positive().default(DEFAULT_TOLERANCE_PCT),
  /** extra latency table files to use before profiling (e.g. a table profiled by an earlier run) */
  latencyTables: z.array(z.string().min(1)),
  /** interleaved timing rounds when profiling missing blocks on a host target */
  profileRounds: z.number().int().positive(),
  out: z.string().min(1),
  seed: z.number().int(),
}).strict();

export type DesignOptions = z.infer<typeof designOptionsSchema>;

/**
 * Proxy reward: 1 epoch on a 4,000-image class-balanced subset in batches of 32 (125 steps) with Adam (peak lr 3e-3,
 * cosine), BN statistics then recalibrated on 16 training batches (512 images), validation accuracy on 5,000
 * held-out images (all of Fashion-MNIST's validation split: standard error ~0.57 points at 80%, against ~0.9 with
 * 2,000 and ~1.3 with 1,000; forward passes only, a few seconds per trial). Adam, not SGD: measured on one FBNet net (1 epoch on 4,000 images, 3 seeds), SGD at lr 0.1 gave
 * 67.4-75.9% validation accuracy (the noise swamps the differences between neighbouring architectures), Adam
 * 76.9-78.1% (docs/design.md "Proxy reward").
 */
export const DEFAULT_PROXY: Recipe = { epochs: 1, trainSubset: 4000, validationSubset: 5000, batchSize: 32, optimizer: 'adam', lr: 0.003, warmupSteps: 10, bnRecalibrationBatches: 16 };
/**
 * Final training: 3 epochs on 4,000 training images (186 steps) with Adam (peak lr 3e-3; over 3 seeds of one FBNet
 * net on 8,000 images: test 85.7-86.2% vs 84.4-86.0% with SGD at lr 0.1), BN recalibration on 16 batches (harmless
 * after settled training, and it keeps short final recipes of quick checks from collapsing to one class), validation
 * on the whole validation split.
 */
export const DEFAULT_FULL: Recipe = { epochs: 3, trainSubset: 4000, batchSize: 64, optimizer: 'adam', lr: 0.003, warmupSteps: 30, bnRecalibrationBatches: 16 };

export const DEFAULT_DESIGN: DesignOptions = {
  target: 'host-tflite-1t',
  latencyMs: 0.5,
  space: 'mobile32',
  dataset: 'fashion-mnist',
  trials: 10,
  finalists: 1,
  trainer: 'pytorch',
  trainerThreads: 1,
  trainerDevice: 'auto',
  trialTimeoutMs: 6 * 3600 * 1000,
  /** both cores of the 2-core machines this was built on (1 trainer thread each); never more than the machine has */
  parallelTrials: Math.max(1, Math.min(2, availableParallelism())),
  proxy: DEFAULT_PROXY,
  proxyRuns: 2,
  full: DEFAULT_FULL,
  agreementImages: 2000,
  calibrationImages: 64,
  compare: [],
  tolerancePct: DEFAULT_TOLERANCE_PCT,
  latencyTables: [],
  profileRounds: 5,
  out: 'design-out',
  seed: 0,
};

export function parseDesignOptions(raw: unknown): DesignOptions {
  return designOptionsSchema.parse(raw);
}
