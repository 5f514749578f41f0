/**
 * Reward = validation accuracy after training (proxy or full setting) with the configured trainer: the in-process
 * tfjs trainer or an external command. The trainer is chosen by whoever runs the evaluator (CLI flags of the
 * coordinator or worker); a trial's options only carry data (dataset, setting, overrides), validated here.
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseNetwork } from '../arch/grammar.js';
import { LayernasError } from '../core/errors.js';
import { childDir } from '../core/paths.js';
import { formatDatasetRef, loadDataset, parseDatasetRef, type DatasetRef } from '../data/load.js';
import { makeTrainer, trainerConfigSchema } from '../train/choice.js';
import { settingsFor, type TrainSettings } from '../train/settings.js';
import { runsMetrics, trainRuns } from '../train/repeated-runs.js';
import type { TrainResult } from '../train/protocol.js';
import type { Trainer } from '../train/types.js';
import type { EvalRequest, EvalResult, Evaluator, TrialRequest, WorkerEvaluation, WorkerEvaluator } from './types.js';

export const trainingEvaluatorConfigSchema = z.object({
  trainer: trainerConfigSchema,
  /** trial outputs go to `${outputRoot}/<trial id>` */
  outputRoot: z.string().min(1),
  /** what a queued job may ask of this worker (absent: DEFAULT_WORKER_LIMITS) */
  limits: z.lazy(() => workerLimitsSchema).optional(),
});

/**
 * Worker-side caps on what a job may ask (set by the worker's operator on its command line): datasets only from an
 * allow-list, at most this many epochs and training images, and a time limit per trial that aborts the training.
 */
export const workerLimitsSchema = z.object({
  /** dataset references a job may name (`fashion-mnist`, `mnist`, `idx:<dir>`, `folder:<dir>`; directories compared resolved) */
  datasets: z.array(z.string().min(1)).min(1),
  maxEpochs: z.number().int().positive(),
  maxImages: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
}).strict();
export type WorkerLimits = z.infer<typeof workerLimitsSchema>;

export const DEFAULT_WORKER_LIMITS: WorkerLimits = { datasets: ['fashion-mnist', 'mnist'], maxEpochs: 50, maxImages: 60_000, timeoutMs: 6 * 3600 * 1000 };

/** Bounds on a job's training overrides: any number outside them is refused before anything is loaded. */
const boundedOverridesSchema = z.object({
  epochs: z.number().int().min(1).max(100_000),
  batchSize: z.number().int().min(1).max(65_536),
  optimizer: z.enum(['sgd', 'adam']),
  lr: z.number().positive().max(100),
  warmupSteps: z.number().int().min(0).max(10_000_000),
  momentum: z.number().min(0).max(1),
  weightDecay: z.number().min(0).max(1),
  labelSmoothing: z.number().min(0).max(1),
  trainSubset: z.number().int().positive().max(100_000_000),
  validationSubset: z.number().int().positive().max(100_000_000),
  seed: z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1),
  bnRecalibrationBatches: z.number().int().min(0).max(100_000),
}).partial().strict();
export type TrainingEvaluatorConfig = z.infer<typeof trainingEvaluatorConfigSchema>;

export const trainingOptionsSchema = z.object({
  dataset: z.string().min(1),
  setting: z.enum(['proxy', 'full']),
  overrides: boundedOverridesSchema.optional(),
  evaluateTest: z.boolean().optional(),
  /**
   * train this many times, with seeds seed, seed+1, ... (each its own init, data order and training subset); the reward
   * is the mean validation accuracy. Two 1-epoch proxy runs rank architectures better than one (docs/training.md).
   */
  runs: z.number().int().min(1).max(16).optional(),
}).strict();
export type TrainingOptions = z.infer<typeof trainingOptionsSchema>;

/** the trainer of an evaluator configuration (src/train/choice.ts); a command's split files go under the output root (a worker writes nowhere else) */
export function trainerOf(config: TrainingEvaluatorConfig): Trainer {
  const t = config.trainer;
  return makeTrainer(t.kind === 'command' ? { ...t, dataCacheDir: t.dataCacheDir ?? join(config.outputRoot, '.splits') } : t);
}

function refused(trialId: string, message: string, details: Record<string, unknown>): LayernasError {
  return new LayernasError('JOB_INVALID', `trial ${trialId}: ${message}`, { trialId, ...details });
}

/** The job's dataset when the worker's allow-list has it (directories compared after resolving), else JOB_INVALID. */
export function allowedDataset(text: string, limits: WorkerLimits, trialId: string): DatasetRef {
  let ref: DatasetRef;
  try {
    ref = parseDatasetRef(text);
  } catch {
    throw refused(trialId, `dataset "${text.slice(0, 200)}" is not a dataset reference`, { dataset: text.slice(0, 200) });
  }
  const canonical = (r: DatasetRef): string => formatDatasetRef('dir' in r && r.dir !== undefined ? { ...r, dir: resolve(r.dir) } as DatasetRef : r);
  const allowed = new Set(limits.datasets.map((d) => canonical(parseDatasetRef(d))));
  if (!allowed.has(canonical(ref))) {
    throw refused(trialId, `dataset "${text.slice(0, 200)}" is not on this worker's allow-list (${[...allowed].join(', ')}); start the worker with --allow-dataset to add it`, { dataset: text.slice(0, 200) });
  }
  return ref;
}

/** Refuse settings beyond the worker's caps (epochs, training images) with JOB_INVALID. */
function checkLimits(settings: TrainSettings, trainImages: number, limits: WorkerLimits, trialId: string): void {
  if (settings.epochs > limits.maxEpochs) throw refused(trialId, `${settings.epochs} epochs exceed this worker's limit of ${limits.maxEpochs} (--max-epochs)`, { epochs: settings.epochs });
  const images = Math.min(trainImages, settings.trainSubset ?? trainImages);
  if (images > limits.maxImages) throw refused(trialId, `${images} training images exceed this worker's limit of ${limits.maxImages} (--max-images)`, { images });
}

function parseOptions(options: unknown, where: string): TrainingOptions {
  const parsed = trainingOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const text = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new LayernasError('JOB_INVALID', `${where}: training options are invalid: ${text}`, {});
  }
  return parsed.data;
}

interface TrainArchGuard {
  readonly limits: WorkerLimits;
  readonly trialId: string;
  readonly signal?: AbortSignal;
}

async function trainArch(trainer: Trainer, arch: string, opts: TrainingOptions, outputDir: string, guard?: TrainArchGuard): Promise<EvalResult & { weightsDir: string }> {
  const spec = parseNetwork(arch);
  const settings = settingsFor(opts.setting, opts.overrides ?? {});
  if (guard) checkLimits(settings, Number.POSITIVE_INFINITY, guard.limits, guard.trialId);
  const dataset = loadDataset(guard ? allowedDataset(opts.dataset, guard.limits, guard.trialId) : parseDatasetRef(opts.dataset));
  if (guard) checkLimits(settings, dataset.train.count, guard.limits, guard.trialId);
  const results = await trainRuns(trainer, { spec, dataset, settings, evaluateTest: opts.evaluateTest ?? false, outputDir, ...(guard?.signal ? { signal: guard.signal } : {}) }, opts.runs ?? 1);
  const metrics = runsMetrics(results);
  // weights: run 0's (trained with the requested seed)
  return { reward: metrics.val_acc as number, metrics, weightsDir: (results[0] as TrainResult).weightsDir };
}


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
    const { reward, metrics } = await trainArch(this.trainer, request.arch, this.opts, childDir(this.config.outputRoot, `${this.studyId}-${request.trialNumber}`));
    return { reward, metrics };
  }
}

/**
 * The same for worker processes (local pool, BullMQ workers): options come with each trial request and are trusted
 * for nothing: outputs go to `<outputRoot>/<safe trial id>/attempt-<n>` (checked inside the root), the dataset must
 * be on the worker's allow-list, epochs and images within its caps, and the trial is aborted at its time limit or
 * when the worker shuts down.
 */
export class TrainingWorkerEvaluator implements WorkerEvaluator {
  readonly kind = 'training';
  private readonly trainer: Trainer;
  private readonly limits: WorkerLimits;
  constructor(private readonly config: TrainingEvaluatorConfig) {
    this.trainer = trainerOf(config);
    this.limits = config.limits ?? DEFAULT_WORKER_LIMITS;
  }
  async evaluate(request: TrialRequest, signal?: AbortSignal): Promise<WorkerEvaluation> {
    const opts = parseOptions(request.evaluator.options, `trial ${request.trialId}`);
    const outputDir = childDir(this.config.outputRoot, request.trialId, `attempt-${request.attempt}`);
    const timer = AbortSignal.timeout(this.limits.timeoutMs);
    const both = signal ? AbortSignal.any([signal, timer]) : timer;
    try {
      const r = await trainArch(this.trainer, request.arch, opts, outputDir, { limits: this.limits, trialId: request.trialId, signal: both });
      return { reward: r.reward, metrics: r.metrics, artifacts: { weights: r.weightsDir } };
    } catch (e) {
      if (timer.aborted && !signal?.aborted) throw new LayernasError('TRIAL_TIMEOUT', `trial ${request.trialId}: over this worker's time limit of ${this.limits.timeoutMs} ms`, { trialId: request.trialId, reason: 'timeout' }, { cause: e });
      throw e;
    }
  }
}
