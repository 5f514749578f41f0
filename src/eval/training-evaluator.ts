/**
 * Reward = validation accuracy after training (proxy or full setting) with the configured trainer: the in-process
 * tfjs trainer or an external command. The trainer is chosen by whoever runs the evaluator (CLI flags of the
 * coordinator or worker); a trial's options only carry data (dataset, setting, overrides), validated here.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { parseNetwork } from '../arch/grammar.js';
import { LayernasError } from '../core/errors.js';
import { loadDataset, parseDatasetRef } from '../data/load.js';
import { makeTrainer, trainerConfigSchema } from '../train/choice.js';
import { settingsFor, trainSettingsSchema } from '../train/settings.js';
import { runsMetrics, trainRuns } from '../train/repeated-runs.js';
import type { TrainResult } from '../train/protocol.js';
import type { Trainer } from '../train/types.js';
import type { EvalRequest, EvalResult, Evaluator, TrialRequest, WorkerEvaluation, WorkerEvaluator } from './types.js';

export const trainingEvaluatorConfigSchema = z.object({
  trainer: trainerConfigSchema,
  /** trial outputs go to `${outputRoot}/<trial id>` */
  outputRoot: z.string().min(1),
});
export type TrainingEvaluatorConfig = z.infer<typeof trainingEvaluatorConfigSchema>;

export const trainingOptionsSchema = z.object({
  dataset: z.string().min(1),
  setting: z.enum(['proxy', 'full']),
  overrides: trainSettingsSchema.partial().optional(),
  evaluateTest: z.boolean().optional(),
  /**
   * train this many times, with seeds seed, seed+1, ... (each its own init, data order and training subset); the reward
   * is the mean validation accuracy. Two 1-epoch proxy runs rank architectures better than one (docs/training.md).
   */
  runs: z.number().int().min(1).max(16).optional(),
}).strict();
export type TrainingOptions = z.infer<typeof trainingOptionsSchema>;

/** the trainer of an evaluator configuration (src/train/choice.ts) */
export function trainerOf(config: TrainingEvaluatorConfig): Trainer {
  return makeTrainer(config.trainer);
}

function parseOptions(options: unknown, where: string): TrainingOptions {
  const parsed = trainingOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const text = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new LayernasError('JOB_INVALID', `${where}: training options are invalid: ${text}`, {});
  }
  return parsed.data;
}

async function trainArch(trainer: Trainer, arch: string, opts: TrainingOptions, outputDir: string): Promise<EvalResult & { weightsDir: string }> {
  const spec = parseNetwork(arch);
  const dataset = loadDataset(parseDatasetRef(opts.dataset));
  const settings = settingsFor(opts.setting, opts.overrides ?? {});
  const results = await trainRuns(trainer, { spec, dataset, settings, evaluateTest: opts.evaluateTest ?? false, outputDir }, opts.runs ?? 1);
  const metrics = runsMetrics(results);
  // weights: run 0's (trained with the requested seed)
  return { reward: metrics.val_acc as number, metrics, weightsDir: (results[0] as TrainResult).weightsDir };
}

const safeName = (id: string): string => id.replace(/[^A-Za-z0-9_.-]/g, '_');

/** In-process evaluator for studies (src/eval/types.ts). */
export class TrainingEvaluator implements Evaluator {
  readonly kind = 'training';
  readonly options: Readonly<Record<string, unknown>>;
  private readonly trainer: Trainer;
  private readonly opts: TrainingOptions;
  constructor(private readonly config: TrainingEvaluatorConfig, options: TrainingOptions, private readonly studyId = 'study') {
    this.opts = parseOptions(options, 'training evaluator');
    this.options = { ...this.opts };
    this.trainer = trainerOf(config);
  }
  async evaluate(request: EvalRequest): Promise<EvalResult> {
    const { reward, metrics } = await trainArch(this.trainer, request.arch, this.opts, join(this.config.outputRoot, safeName(`${this.studyId}-${request.trialNumber}`)));
    return { reward, metrics };
  }
}

/** The same for worker processes (local pool, BullMQ workers): options come with each trial request. */
export class TrainingWorkerEvaluator implements WorkerEvaluator {
  readonly kind = 'training';
  private readonly trainer: Trainer;
  constructor(private readonly config: TrainingEvaluatorConfig) {
    this.trainer = trainerOf(config);
  }
  async evaluate(request: TrialRequest): Promise<WorkerEvaluation> {
    const opts = parseOptions(request.evaluator.options, `trial ${request.trialId}`);
    const r = await trainArch(this.trainer, request.arch, opts, join(this.config.outputRoot, safeName(request.trialId), `attempt-${request.attempt}`));
    return { reward: r.reward, metrics: r.metrics, artifacts: { weights: r.weightsDir } };
  }
}
