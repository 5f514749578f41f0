/**
 * The design job's trainer (the shared choice of src/train/choice.ts: tfjs | pytorch | command:<cmd>; external
 * trainers run with LAYERNAS_THREADS = --trainer-threads, default 1), plus the trained model's own predictions on
 * test images: the weights loaded into the in-process tfjs network in eval mode (the reference the exported files
 * are compared with).
 */
import type { NetworkSpec } from '../arch/spec.js';
import { readWeights } from '../arch/weights.js';
import { InputConverter } from '../data/batches.js';
import type { ImageSet } from '../data/types.js';
import { selectTrainingBackend } from '../train/backend.js';
import { makeTrainer, parseTrainerChoice } from '../train/choice.js';
import { buildNetwork } from '../train/network.js';
import { predictLogits } from '../train/trainer.js';
import type { Trainer } from '../train/types.js';
import { loadNetworkWeights } from '../train/weights-io.js';

/** Six hours: a generous ceiling for one external training run (a hung trainer must not block forever). */
const EXTERNAL_TIMEOUT_MS = 6 * 3600 * 1000;

/** `tfjs`, `pytorch` or `command:<cmd>` through the shared trainer choice (src/train/choice.ts); external trainers get `threads` as LAYERNAS_THREADS. */
export function createDesignTrainer(choice: string, threads: number, timeoutMs = EXTERNAL_TIMEOUT_MS): Trainer {
  return makeTrainer(parseTrainerChoice(choice, { threads, timeoutMs }));
}

/** Argmax of `predict` over the first `count` images of a set, in batches. */
export function predictSet(set: ImageSet, count: number, input: NetworkSpec['input'], predict: (x: Float32Array, n: number) => Float32Array, batch = 128): Int32Array {
  const conv = new InputConverter(set, input);
  const total = Math.min(count, set.count);
  const out = new Int32Array(total);
  for (let start = 0; start < total; start += batch) {
    const n = Math.min(batch, total - start);
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

/** The trained model's predictions on the first `count` test images: its weights in the tfjs network, eval mode. */
export async function trainedModelPredictions(spec: NetworkSpec, weightsDir: string, set: ImageSet, count: number): Promise<Int32Array> {
  await selectTrainingBackend('auto');
  const net = buildNetwork(spec, 0);
  try {
    loadNetworkWeights(net, await readWeights(weightsDir));
    return predictSet(set, count, spec.input, (x, n) => predictLogits(net, x, n));
  } finally {
    net.dispose();
  }
}
