/**
 * NAS-Bench-201 tabular evaluator: the reward is the 200-epoch TEST accuracy of the cell (the data here have no
 * validation accuracy), optionally plus seeded Gaussian noise to mimic training variance. The noise of an architecture
 * depends only on (noise seed, architecture), so a resumed study sees exactly the same rewards.
 */
import path from 'node:path';
import { Rng } from '../core/rng.js';
import { LayernasError } from '../core/errors.js';
import { readNb201Column } from '../cost/tabular-latency.js';
import { sharedDataDir } from '../space/data-files.js';
import { dnaHash, dnaIndex, type Dna, type SearchSpace } from '../space/types.js';
import type { EvalRequest, EvalResult, Evaluator } from './types.js';

export const NB201_DATASETS = ['cifar10', 'cifar100', 'ImageNet16-120'] as const;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];

export function isNb201Dataset(name: string): name is Nb201Dataset {
  return (NB201_DATASETS as readonly string[]).includes(name);
}

/** Test accuracy (%) of every NB201 cell for one dataset, indexed by dnaIndex. */
export interface Nb201AccuracyTable {
  readonly dataset: Nb201Dataset;
  readonly values: Float64Array;
  accuracy(dna: Dna): number;
}

export function loadNb201Accuracy(space: SearchSpace, dataset: Nb201Dataset, dataDir = sharedDataDir()): Nb201AccuracyTable {
  const file = path.join(dataDir, 'nb201', 'nb201_accuracy_params.csv');
  const values = readNb201Column(space, file, `test_acc_${dataset}`);
  return { dataset, values, accuracy: (dna) => values[dnaIndex(space, dna)] as number };
}

export interface Nb201EvaluatorOptions {
  readonly dataset: Nb201Dataset;
  /** std of the Gaussian noise added to the reward, in accuracy points (0 = exact table value) */
  readonly noiseStd: number;
  readonly noiseSeed: number;
}

export class Nb201TabularEvaluator implements Evaluator {
  readonly kind = 'nb201-tabular';
  readonly options: Readonly<Record<string, unknown>>;
  constructor(private readonly space: SearchSpace, private readonly table: Nb201AccuracyTable, private readonly opts: Nb201EvaluatorOptions) {
    if (opts.noiseStd < 0 || !Number.isFinite(opts.noiseStd)) throw new LayernasError('USAGE', `noise std must be >= 0, got ${opts.noiseStd}`);
    this.options = { dataset: opts.dataset, noiseStd: opts.noiseStd, noiseSeed: opts.noiseSeed };
  }

  /** synchronous core (the benchmark uses it directly) */
  rewardOf(dna: Dna): EvalResult {
    const acc = this.table.accuracy(dna);
    const noise = this.opts.noiseStd > 0 ? new Rng((this.opts.noiseSeed ^ dnaHash(dna)) >>> 0).normal() * this.opts.noiseStd : 0;
    return { reward: acc + noise, metrics: { test_acc: acc } };
  }

  async evaluate(request: EvalRequest): Promise<EvalResult> {
    return this.rewardOf(request.dna);
  }

  get spaceName(): string {
    return this.space.name;
  }
}
