/**
 * Trainers of the design job, behind src/train's Trainer interface (layernas-train/1 protocol):
 *   --trainer tfjs           the in-process tfjs trainer (src/train/tfjs-trainer.ts)
 *   --trainer pytorch        the PyTorch reference trainer (trainers/pytorch/train.py, Debian python3-torch)
 *   --trainer command:<cmd>  any command speaking the protocol (argument array split on spaces, never a shell)
 * (external trainers run with LAYERNAS_THREADS = --trainer-threads, default 1)
 * plus the trained model's own predictions on test images: the weights loaded into the in-process tfjs network in
 * eval mode (the reference the exported files are compared with).
 */
import type { NetworkSpec } from '../arch/spec.js';
import { readWeights } from '../arch/weights.js';
import { LayernasError } from '../core/errors.js';
import { InputConverter } from '../data/batches.js';
import type { ImageSet } from '../data/types.js';
import { selectTrainingBackend } from '../train/backend.js';
import { ExternalTrainer, PYTORCH_REFERENCE_COMMAND } from '../train/external.js';
import { buildNetwork } from '../train/network.js';
import { TfjsTrainer } from '../train/tfjs-trainer.js';
import { predictLogits } from '../train/trainer.js';
import type { Trainer } from '../train/types.js';
import { loadNetworkWeights } from '../train/weights-io.js';

/** Six hours: a generous ceiling for one external training run (a hung trainer must not block forever). */
const EXTERNAL_TIMEOUT_MS = 6 * 3600 * 1000;

/** `tfjs`, `pytorch` or `command:<cmd>`; external trainers get `threads` as LAYERNAS_THREADS. */
export function createDesignTrainer(spec: string, threads: number, timeoutMs = EXTERNAL_TIMEOUT_MS): Trainer {
  const env = { LAYERNAS_THREADS: String(threads) };
  if (spec === 'tfjs') return new TfjsTrainer('auto', { threads: Math.min(2, threads) });
  if (spec === 'pytorch') return new ExternalTrainer({ name: 'pytorch', command: [...PYTORCH_REFERENCE_COMMAND], timeoutMs, env });
  if (spec.startsWith('command:')) {
    const argv = spec.slice('command:'.length).trim().split(/\s+/).filter((a) => a !== '');
    if (argv.length === 0) throw new LayernasError('USAGE', `--trainer ${spec}: give the command after "command:"`, { trainer: spec });
    return new ExternalTrainer({ name: `command:${argv[0]}`, command: argv, timeoutMs, env });
  }
  throw new LayernasError('USAGE', `unknown --trainer "${spec}": use tfjs, pytorch or command:<cmd>`, { trainer: spec });
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
