/**
 * What a `layernas worker` evaluates with. The worker's operator chooses the evaluator (and, for training, the trainer
 * command) on the command line; a job only carries data: the evaluator kind, which must match the worker's, and
 * options validated by that evaluator's own schema. Nothing in a payload is ever executed.
 */
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { Nb201TabularEvaluator, loadNb201Accuracy, NB201_DATASETS, type Nb201AccuracyTable } from './tabular-nb201.js';
import { TrainingWorkerEvaluator, type TrainingEvaluatorConfig } from './training-evaluator.js';
import { loadSpace } from '../space/load.js';
import { isValidDna, type SearchSpace } from '../space/types.js';
import type { TrialRequest, WorkerEvaluation, WorkerEvaluator } from './types.js';

export type { WorkerEvaluation, WorkerEvaluator } from './types.js';

/** Evaluator choices a worker can be started with (parsed from CLI flags). */
export type WorkerEvaluatorConfig =
  | { readonly kind: 'nb201' }
  | { readonly kind: 'noop' }
  /** training with the trainer the worker's operator chose (tfjs in-process, or a command as an argument array) */
  | { readonly kind: 'training'; readonly config: TrainingEvaluatorConfig };

export const WORKER_EVALUATOR_CHOICES = ['nb201', 'noop', 'training'] as const;

function invalidOptions(kind: string, trialId: string, issues: z.ZodIssue[]): LayernasError {
  const text = issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return new LayernasError('JOB_INVALID', `trial ${trialId}: options for evaluator '${kind}' are invalid: ${text}`, { trialId, kind });
}

const nb201OptionsSchema = z.object({
  dataset: z.enum(NB201_DATASETS),
  noiseStd: z.number().finite().min(0),
  noiseSeed: z.number().int(),
}).strict();

/** NAS-Bench-201 tabular evaluator (src/eval/tabular-nb201.ts); tables loaded once per dataset. */
export class Nb201WorkerEvaluator implements WorkerEvaluator {
  readonly kind = 'nb201-tabular';
  private space: SearchSpace | undefined;
  private readonly tables = new Map<string, Nb201AccuracyTable>();

  async evaluate(request: TrialRequest): Promise<WorkerEvaluation> {
    const parsed = nb201OptionsSchema.safeParse(request.evaluator.options);
    if (!parsed.success) throw invalidOptions(this.kind, request.trialId, parsed.error.issues);
    this.space ??= loadSpace('nb201');
    const space = this.space;
    if (!isValidDna(space, request.dna)) {
      throw new LayernasError('JOB_INVALID', `trial ${request.trialId}: dna [${request.dna.join(',')}] is not in the nb201 space`, { trialId: request.trialId });
    }
    const opts = parsed.data;
    let table = this.tables.get(opts.dataset);
    if (table === undefined) {
      table = loadNb201Accuracy(space, opts.dataset);
      this.tables.set(opts.dataset, table);
    }
    const evaluator = new Nb201TabularEvaluator(space, table, opts);
    const r = evaluator.rewardOf(request.dna);
    return { reward: r.reward, metrics: { ...r.metrics } };
  }
}

/** Does nothing and returns reward 0: measures pure dispatch overhead (bench/dispatch-overhead.ts). */
export class NoopWorkerEvaluator implements WorkerEvaluator {
  readonly kind = 'noop';
  async evaluate(): Promise<WorkerEvaluation> {
    return { reward: 0, metrics: {} };
  }
}

/**
 * Adds a fixed sleep to every evaluation: stands in for training time in tests and demos (so a worker can be killed
 * in the middle of a trial). Aborts promptly when the worker shuts down.
 */
export class DelayedWorkerEvaluator implements WorkerEvaluator {
  constructor(private readonly inner: WorkerEvaluator, private readonly delayMs: number) {}
  get kind(): string {
    return this.inner.kind;
  }
  async evaluate(request: TrialRequest, signal: AbortSignal): Promise<WorkerEvaluation> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, this.delayMs);
      signal.addEventListener('abort', () => { clearTimeout(t); reject(new LayernasError('TRIAL_TIMEOUT', `trial ${request.trialId} aborted`)); }, { once: true });
    });
    return await this.inner.evaluate(request, signal);
  }
}

export function buildWorkerEvaluator(config: WorkerEvaluatorConfig): WorkerEvaluator {
  switch (config.kind) {
    case 'nb201':
      return new Nb201WorkerEvaluator();
    case 'noop':
      return new NoopWorkerEvaluator();
    case 'training':
      return new TrainingWorkerEvaluator(config.config);
  }
}
