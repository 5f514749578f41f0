/** One interface for every trainer: the in-process tfjs trainer and external commands. */
import type { NetworkSpec } from '../arch/spec.js';
import type { Dataset } from '../data/types.js';
import type { TrainResult } from './protocol.js';
import type { TrainSettings } from './settings.js';
import type { EpochProgress } from './trainer.js';

export interface TrainJob {
  readonly spec: NetworkSpec;
  readonly dataset: Dataset;
  readonly settings: TrainSettings;
  /** evaluate the test split too (final training only; the search reads validation only) */
  readonly evaluateTest: boolean;
  /** weights go to `${outputDir}/weights`, the result to `${outputDir}/result.json` */
  readonly outputDir: string;
  /** aborts the training (worker shutdown, trial time limit): the trainer stops promptly with TRIAL_TIMEOUT */
  readonly signal?: AbortSignal;
}

export interface Trainer {
  readonly name: string;
  train(job: TrainJob, onProgress?: (p: EpochProgress) => void): Promise<TrainResult>;
}
