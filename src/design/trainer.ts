/**
 * How the design job trains a network: one small interface, the in-process tfjs trainer (src/train) behind it.
 * A trained model hands back its metrics, its weights (layernas weights file) and its eval-mode predictions on the
 * test split, so later stages (export, output agreement) need nothing else from the trainer.
 */
import type { NetworkSpec } from '../arch/spec.js';
import type { Weights } from '../arch/weights.js';
import { LayernasError } from '../core/errors.js';
import { InputConverter } from '../data/batches.js';
import type { Dataset, ImageSet } from '../data/types.js';
import { selectTrainingBackend, type BackendInfo } from '../train/backend.js';
import { buildNetwork } from '../train/network.js';
import { settingsFor, type TrainSettingName } from '../train/settings.js';
import { predictLogits, trainNetwork, type EpochProgress } from '../train/trainer.js';
import { networkWeights } from '../train/weights-io.js';
import type { Recipe } from './options.js';

export interface TrainRequest {
  readonly spec: NetworkSpec;
  readonly recipe: Recipe;
  readonly setting: TrainSettingName;
  readonly seed: number;
  /** also compute test accuracy and test predictions (final models only; the search never sees test data) */
  readonly withTest: boolean;
  readonly onProgress?: (p: EpochProgress) => void;
}

export interface TrainOutcome {
  readonly valAccuracy: number;
  readonly testAccuracy: number | null;
  readonly trainLoss: number;
  readonly wallSeconds: number;
  readonly params: number;
  readonly trainImages: number;
  /** argmax class of every test image, in test-split order (withTest only) */
  readonly testPredictions: Int32Array | null;
  readonly weights: Weights | null;
}

export interface DesignTrainer {
  readonly name: string;
  /** backend and why, for the report */
  readonly backend: string;
  train(request: TrainRequest): Promise<TrainOutcome>;
}

/** Argmax predictions of `predict` over a whole image set, in batches. */
export function predictSet(set: ImageSet, input: NetworkSpec['input'], predict: (x: Float32Array, n: number) => Float32Array, batch = 256): Int32Array {
  const conv = new InputConverter(set, input);
  const out = new Int32Array(set.count);
  for (let start = 0; start < set.count; start += batch) {
    const n = Math.min(batch, set.count - start);
    const x = new Float32Array(n * conv.perImage);
    for (let i = 0; i < n; i++) conv.convertInto(set, start + i, x, i * conv.perImage);
    const logits = predict(x, n);
    const classes = logits.length / n;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if ((logits[i * classes + c] as number) > (logits[i * classes + best] as number)) best = c;
      out[start + i] = best;
    }
  }
  return out;
}

export function accuracyOf(pred: Int32Array, labels: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) ok++;
  return pred.length === 0 ? 0 : ok / pred.length;
}

/** The in-process tfjs trainer (src/train): tfjs-node, else wasm with layernas gradient kernels, else cpu. */
export class TfjsDesignTrainer implements DesignTrainer {
  readonly name = 'tfjs';
  private constructor(private readonly data: Dataset, private readonly info: BackendInfo) {}

  static async create(data: Dataset): Promise<TfjsDesignTrainer> {
    return new TfjsDesignTrainer(data, await selectTrainingBackend('auto'));
  }

  get backend(): string {
    return `${this.info.name} (${this.info.reason})`;
  }

  async train(req: TrainRequest): Promise<TrainOutcome> {
    const r = req.recipe;
    const settings = settingsFor(req.setting, {
      epochs: r.epochs, batchSize: r.batchSize, lr: r.lr, warmupSteps: r.warmupSteps, seed: req.seed,
      trainSubset: r.trainSubset, validationSubset: r.validationSubset,
    });
    const net = buildNetwork(req.spec, req.seed);
    try {
      const m = trainNetwork(net, this.data, settings, req.onProgress ? { onProgress: req.onProgress } : {});
      let testPredictions: Int32Array | null = null;
      let testAccuracy: number | null = null;
      if (req.withTest) {
        testPredictions = predictSet(this.data.test, req.spec.input, (x, n) => predictLogits(net, x, n));
        testAccuracy = accuracyOf(testPredictions, this.data.test.labels);
      }
      return {
        valAccuracy: m.valAccuracy, testAccuracy, trainLoss: m.trainLoss, wallSeconds: m.wallSeconds, params: m.params,
        trainImages: m.trainImages, testPredictions, weights: req.withTest ? networkWeights(net) : null,
      };
    } finally {
      net.dispose();
    }
  }
}

/** `--trainer tfjs` or `--trainer command:<cmd>`. */
export async function createDesignTrainer(spec: string, data: Dataset): Promise<DesignTrainer> {
  if (spec === 'tfjs') return TfjsDesignTrainer.create(data);
  if (spec.startsWith('command:')) {
    throw new LayernasError('USAGE', `--trainer ${spec}: external trainer commands are not supported by design yet (no external trainer protocol in this build); use --trainer tfjs`, { trainer: spec });
  }
  throw new LayernasError('USAGE', `unknown --trainer "${spec}": use tfjs or command:<cmd>`, { trainer: spec });
}
