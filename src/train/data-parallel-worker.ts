/**
 * The replica thread of src/train/data-parallel.ts: builds the same network on its own wasm backend, then, per
 * request, loads the shared weights, computes the loss gradient of its share of the batch and writes it back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectTrainingBackend } from './backend.js';
import { buildNetwork } from './network.js';
import { CMD, CTRL, offsetsOf, type ReplicaInit } from './data-parallel.js';

const init = workerData as ReplicaInit;

async function main(): Promise<void> {
  await selectTrainingBackend('wasm');
  const net = buildNetwork(init.spec, init.seed);
  const trainable = net.store.params.filter((p) => p.trainable);
  const sizes = trainable.map((p) => p.variable.size);
  if (sizes.join() !== init.sizes.join()) throw new Error('replica parameter list differs from the main network');
  const ctrl = new Int32Array(init.shared.ctrl);
  const weights = new Float32Array(init.shared.weights);
  const grads = new Float32Array(init.shared.grads);
  const xs = new Float32Array(init.shared.x);
  const ys = new Int32Array(init.shared.y);
  const scalars = new Float32Array(init.shared.scalars);
  const offsets = offsetsOf(sizes);
  const { height: H, width: W, channels: C } = init.spec.input;
  parentPort?.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.request, seen);
    seen = Atomics.load(ctrl, CTRL.request);
    if (Atomics.load(ctrl, CTRL.command) === CMD.exit) break;
    let status = 0;
    try {
      const n = scalars[0] as number;
      tf.tidy(() => {
        trainable.forEach((p, i) => p.variable.assign(tf.tensor(weights.subarray(offsets[i] as number, (offsets[i] as number) + (sizes[i] as number)), p.variable.shape)));
        const x = tf.tensor4d(xs.subarray(0, n * H * W * C), [n, H, W, C]);
        const y = tf.oneHot(tf.tensor1d(ys.subarray(0, n), 'int32'), net.numClasses);
        const { value, grads: g } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, net.forward(x, init.ctx), undefined, init.labelSmoothing) as tf.Scalar,
          trainable.map((p) => p.variable),
        );
        trainable.forEach((p, i) => grads.set((g[p.variable.name] as tf.Tensor).dataSync() as Float32Array, offsets[i] as number));
        scalars[1] = value.dataSync()[0] as number;
      });
    } catch {
      status = 1;
    }
    Atomics.store(ctrl, CTRL.status, status);
    Atomics.store(ctrl, CTRL.done, seen);
    Atomics.notify(ctrl, CTRL.done);
  }
  net.dispose();
}

main().catch((e: unknown) => parentPort?.postMessage({ error: (e as Error).message ?? String(e) }));
