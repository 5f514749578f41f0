/** The in-process training loop: batches from a Dataset, forward/backward on tf, cosine schedule, metrics. */
import * as tf from '@tensorflow/tfjs';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { InputConverter } from '../data/batches.js';
import { stratifiedSubset } from '../data/splits.js';
import type { Dataset, ImageSet } from '../data/types.js';
import { buildNetwork, type TrainableNetwork } from './network.js';
import { makeOptimizer } from './optimizer.js';
import { learningRateAt, type TrainSettings } from './settings.js';
import type { NetParam } from './params.js';
import type { ForwardContext } from './layers.js';
import type { DataParallelReplica } from './data-parallel.js';

export interface EpochProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly imagesPerSecond: number;
}

export interface TrainMetrics {
  readonly trainLoss: number;
  readonly valAccuracy: number;
  /** only when requested: the search never reads test accuracy */
  readonly testAccuracy?: number;
  readonly epochs: number;
  readonly trainImages: number;
  readonly imagesPerSecond: number;
  readonly wallSeconds: number;
  readonly params: number;
}

export interface TrainRunOptions {
  readonly evaluateTest?: boolean;
  /** stop between steps with TRIAL_TIMEOUT once aborted (worker shutdown, time limit) */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: EpochProgress) => void;
  /** see ForwardContext.bnGradient; pick 'fused' on the wasm backend */
  readonly bnGradient?: ForwardContext['bnGradient'];
  /** see ForwardContext.pointwise; 'matmul' on the cpu backend */
  readonly pointwise?: ForwardContext['pointwise'];
  /** stop after this many steps (throughput benches) */
  readonly maxSteps?: number;
  /** a replica on another core takes the second half of every batch (src/train/data-parallel.ts) */
  readonly replica?: DataParallelReplica;
}

const BN_MOMENTUM = 0.1;
const EVAL_CTX: ForwardContext = { training: false, bnMomentum: BN_MOMENTUM, bnGradient: 'custom' };

/** Top-1 accuracy of `net` (eval mode: running BN statistics) on `set`. */
export function evaluateAccuracy(net: TrainableNetwork, set: ImageSet, batchSize = 256): number {
  const conv = new InputConverter(set, net.spec.input);
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
    const { x, y } = conv.batch(set, idx);
    const pred = tf.tidy(() => {
      const input = tf.tensor4d(x, [idx.length, net.spec.input.height, net.spec.input.width, net.spec.input.channels]);
      return tf.argMax(net.forward(input, EVAL_CTX), 1).dataSync();
    });
    for (let i = 0; i < idx.length; i++) if (pred[i] === y[i]) correct++;
  }
  return set.count === 0 ? 0 : correct / set.count;
}

/** Logits of `net` in eval mode for a batch of already converted inputs (NHWC floats). */
export function predictLogits(net: TrainableNetwork, x: Float32Array, n: number): Float32Array {
  return tf.tidy(() => {
    const input = tf.tensor4d(x, [n, net.spec.input.height, net.spec.input.width, net.spec.input.channels]);
    return net.forward(input, EVAL_CTX).dataSync() as Float32Array;
  }).slice();
}

export function countTrainable(net: TrainableNetwork): number {
  return net.store.params.filter((p) => p.trainable).reduce((s, p) => s + p.variable.size, 0);
}

/** Running BN statistics := average of batch statistics over `s.bnRecalibrationBatches` training batches. */
function recalibrateBatchNorm(net: TrainableNetwork, train: ImageSet, conv: InputConverter, s: TrainSettings): void {
  const n = Math.min(s.bnRecalibrationBatches, Math.floor(train.count / s.batchSize));
  const { height: H, width: W, channels: C } = net.spec.input;
  for (let k = 0; k < n; k++) {
    const { x } = conv.batch(train, Array.from({ length: s.batchSize }, (_, i) => (k * s.batchSize + i) % train.count));
    // momentum 1/(k+1): the k-th update makes the running value the mean of the first k+1 batch statistics
    tf.tidy(() => { net.forward(tf.tensor4d(x, [s.batchSize, H, W, C]), { training: true, bnMomentum: 1 / (k + 1) }); });
  }
}

/** Train `net` (already built) on `data` with `s`. */
export async function trainNetwork(net: TrainableNetwork, data: Dataset, s: TrainSettings, opts: TrainRunOptions = {}): Promise<TrainMetrics> {
  if (net.numClasses !== data.numClasses) {
    throw new LayernasError('SPEC_INVALID', `classifier has ${net.numClasses} outputs but dataset ${data.name} has ${data.numClasses} classes`, {
      classifier: net.numClasses, classes: data.numClasses,
    });
  }
  const t0 = performance.now();
  const train = s.trainSubset ? stratifiedSubset(data.train, s.trainSubset, s.seed + 1) : data.train;
  const val = s.validationSubset ? stratifiedSubset(data.validation, s.validationSubset, s.seed + 2) : data.validation;
  const conv = new InputConverter(train, net.spec.input);
  const { height: H, width: W, channels: C } = net.spec.input;
  const stepsPerEpoch = Math.floor(train.count / s.batchSize);
  if (stepsPerEpoch < 1) throw new LayernasError('DATASET_INVALID', `${train.count} training images are fewer than one batch of ${s.batchSize}`, {});
  const total = stepsPerEpoch * s.epochs;
  const opt = makeOptimizer(s, net.store.params);
  const trainable = net.store.params.filter((p) => p.trainable);
  const varList = trainable.map((p) => p.variable);
  const rng = new Rng(s.seed).fork(11);
  const ctx: ForwardContext = { training: true, bnMomentum: BN_MOMENTUM, bnGradient: opts.bnGradient ?? 'custom', pointwise: opts.pointwise ?? 'conv' };
  let step = 0, lastLoss = NaN, trainSeconds = 0, trainedImages = 0;
  try {
    for (let epoch = 0; epoch < s.epochs && (opts.maxSteps === undefined || step < opts.maxSteps); epoch++) {
      const order = rng.shuffle(Array.from({ length: train.count }, (_, i) => i));
      let lossSum = 0;
      for (let b = 0; b < stepsPerEpoch && (opts.maxSteps === undefined || step < opts.maxSteps); b++, step++) {
        const ts = performance.now();
        const { x, y } = conv.batch(train, order.slice(b * s.batchSize, (b + 1) * s.batchSize));
        // with a replica: it computes the gradient of the second half while this thread does the first
        const mine = opts.replica ? Math.ceil(s.batchSize / 2) : s.batchSize;
        opts.replica?.begin(x.subarray(mine * H * W * C), y.subarray(mine), s.batchSize - mine);
        const lossValue = tf.tidy(() => {
          const xs = tf.tensor4d(x.subarray(0, mine * H * W * C), [mine, H, W, C]);
          const ys = tf.oneHot(tf.tensor1d(y.subarray(0, mine), 'int32'), net.numClasses);
          const { value, grads } = tf.variableGrads(
            () => tf.losses.softmaxCrossEntropy(ys, net.forward(xs, ctx), undefined, s.labelSmoothing) as tf.Scalar,
            varList,
          );
          let loss = value.dataSync()[0] as number;
          let byParam = new Map<NetParam, tf.Tensor>(trainable.map((p) => [p, grads[p.variable.name] as tf.Tensor]));
          if (opts.replica) {
            const other = opts.replica.finish();
            const wa = mine / s.batchSize, wb = 1 - wa;
            byParam = new Map(trainable.map((p, i) => [p, tf.add(tf.mul(byParam.get(p) as tf.Tensor, wa), tf.mul(other.grads[i] as tf.Tensor, wb))]));
            loss = wa * loss + wb * other.loss;
          }
          opt.step(byParam, learningRateAt(s, step, total));
          return loss;
        });
        if (!Number.isFinite(lossValue)) {
          throw new LayernasError('TRAINER_FAILED', `training diverged at epoch ${epoch + 1} step ${b + 1} (loss ${lossValue})`, { epoch, step });
        }
        trainSeconds += (performance.now() - ts) / 1000;
        trainedImages += s.batchSize;
        lossSum += lossValue;
        lastLoss = lossSum / (b + 1);
        opts.onProgress?.({ epoch: epoch + 1, epochs: s.epochs, step: b + 1, steps: stepsPerEpoch, loss: lastLoss, imagesPerSecond: trainedImages / trainSeconds });
        // let signals and timers run between steps (a worker's SIGTERM, a trial's time limit), then honour an abort
        await new Promise<void>((r) => setImmediate(r));
        if (opts.signal?.aborted) {
          throw new LayernasError('TRIAL_TIMEOUT', `training aborted at epoch ${epoch + 1} step ${b + 1}: ${String(opts.signal.reason ?? 'aborted')}`, { epoch, step, reason: 'killed' });
        }
      }
    }
    recalibrateBatchNorm(net, train, conv, s);
  } finally {
    opt.dispose();
  }
  const valAccuracy = evaluateAccuracy(net, val);
  const testAccuracy = opts.evaluateTest ? evaluateAccuracy(net, data.test) : undefined;
  return {
    trainLoss: lastLoss, valAccuracy, ...(testAccuracy !== undefined ? { testAccuracy } : {}),
    epochs: s.epochs, trainImages: train.count, imagesPerSecond: trainedImages / Math.max(1e-9, trainSeconds),
    wallSeconds: (performance.now() - t0) / 1000, params: countTrainable(net),
  };
}

/** Build from the spec with the settings' seed and train. */
export async function buildAndTrain(spec: NetworkSpec, data: Dataset, s: TrainSettings, opts: TrainRunOptions = {}): Promise<{ net: TrainableNetwork; metrics: TrainMetrics }> {
  const net = buildNetwork(spec, s.seed);
  return { net, metrics: await trainNetwork(net, data, s, opts) };
}
