/**
 * Synchronous data-parallel training on a second core: a worker thread holds a replica of the network on its own
 * tfjs-wasm instance (tfjs-backend-wasm has no threaded build under Node). Each step the main thread writes the
 * current weights and the second half of the batch into shared memory and wakes the replica; both compute the
 * gradient of their half; the main thread waits (Atomics.wait, so the training loop stays synchronous), averages the
 * two gradients and applies the optimizer. Batch-norm statistics are per half (as in PyTorch DDP without SyncBN);
 * the running statistics are the main thread's.
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { runningFromSources, siblingModule } from '../core/locations.js';
import type { ForwardContext } from './layers.js';
import type { NetParam } from './params.js';

const WORKER_ENTRY = siblingModule(import.meta.url, 'data-parallel-worker');

/** control words in `ctrl` */
export const CTRL = { request: 0, done: 1, command: 2, status: 3 } as const;
export const CMD = { step: 1, exit: 2 } as const;

export interface ReplicaInit {
  readonly spec: NetworkSpec;
  readonly seed: number;
  readonly labelSmoothing: number;
  readonly ctx: ForwardContext;
  readonly maxBatch: number;
  /** sizes (elements) of the trainable parameters in order */
  readonly sizes: readonly number[];
  readonly shared: { readonly ctrl: SharedArrayBuffer; readonly weights: SharedArrayBuffer; readonly grads: SharedArrayBuffer; readonly x: SharedArrayBuffer; readonly y: SharedArrayBuffer; readonly scalars: SharedArrayBuffer };
}

/** Start offset of each parameter in the flat shared buffers. */
export function offsetsOf(sizes: readonly number[]): number[] {
  const offsets: number[] = [];
  sizes.reduce((o, s) => (offsets.push(o), o + s), 0);
  return offsets;
}

export class DataParallelReplica {
  private seq = 0;
  private pending = false;

  private constructor(
    private readonly worker: Worker,
    private readonly ctrl: Int32Array,
    private readonly weights: Float32Array,
    private readonly grads: Float32Array,
    private readonly x: Float32Array,
    private readonly y: Int32Array,
    private readonly scalars: Float32Array,
    private readonly trainable: readonly NetParam[],
    private readonly offsets: readonly number[],
  ) {}

  /** Start the replica thread and wait until its network is built on the wasm backend. */
  static async start(spec: NetworkSpec, trainable: readonly NetParam[], seed: number, labelSmoothing: number, ctx: ForwardContext, maxBatch: number): Promise<DataParallelReplica> {
    const sizes = trainable.map((p) => p.variable.size);
    const total = sizes.reduce((a, b) => a + b, 0);
    const pixels = spec.input.height * spec.input.width * spec.input.channels;
    const shared = {
      ctrl: new SharedArrayBuffer(4 * 4),
      weights: new SharedArrayBuffer(4 * total),
      grads: new SharedArrayBuffer(4 * total),
      x: new SharedArrayBuffer(4 * pixels * maxBatch),
      y: new SharedArrayBuffer(4 * maxBatch),
      scalars: new SharedArrayBuffer(4 * 2),
    };
    const init: ReplicaInit = { spec, seed, labelSmoothing, ctx, maxBatch, sizes, shared };
    // from the sources the entry is TypeScript: the thread registers tsx's loader itself, then imports it
    const entry = JSON.stringify(pathToFileURL(WORKER_ENTRY).href);
    const load = runningFromSources(import.meta.url)
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${entry}); })`
      : `import(${entry})`;
    const boot = `${load}` +
      `.catch((e) => require('node:worker_threads').parentPort.postMessage({ error: String(e && e.message || e) }));`;
    const worker = new Worker(boot, { eval: true, workerData: init });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new LayernasError('TRAINER_FAILED', `data-parallel replica failed to start: ${m.error ?? 'unknown'}`, {}))));
      worker.once('error', (e) => reject(new LayernasError('TRAINER_FAILED', `data-parallel replica failed to start: ${e.message}`, {}, { cause: e })));
    });
    return new DataParallelReplica(worker, new Int32Array(shared.ctrl), new Float32Array(shared.weights), new Float32Array(shared.grads), new Float32Array(shared.x), new Int32Array(shared.y), new Float32Array(shared.scalars), trainable, offsetsOf(sizes));
  }

  /** Hand the replica the current weights and its share of the batch; it starts computing at once. */
  begin(x: Float32Array, y: ArrayLike<number>, n: number): void {
    this.trainable.forEach((p, i) => this.weights.set(p.variable.dataSync() as Float32Array, this.offsets[i] as number));
    this.x.set(x);
    for (let i = 0; i < n; i++) this.y[i] = y[i] as number;
    this.scalars[0] = n;
    this.seq++;
    Atomics.store(this.ctrl, CTRL.command, CMD.step);
    Atomics.store(this.ctrl, CTRL.request, this.seq);
    Atomics.notify(this.ctrl, CTRL.request);
    this.pending = true;
  }

  /** Wait for the replica's gradients (tensors in the caller's tidy scope) and its mean loss. */
  finish(): { grads: tf.Tensor[]; loss: number } {
    if (!this.pending) throw new LayernasError('TRAINER_FAILED', 'data-parallel replica: finish() without begin()', {});
    for (;;) {
      const done = Atomics.load(this.ctrl, CTRL.done);
      if (done === this.seq) break;
      if (Atomics.wait(this.ctrl, CTRL.done, done, 600_000) === 'timed-out') {
        throw new LayernasError('TRAINER_FAILED', 'data-parallel replica did not answer within 10 minutes', {});
      }
    }
    this.pending = false;
    if (Atomics.load(this.ctrl, CTRL.status) !== 0) throw new LayernasError('TRAINER_FAILED', 'data-parallel replica failed computing its gradients', {});
    const grads = this.trainable.map((p, i) => tf.tensor(this.grads.slice(this.offsets[i] as number, (this.offsets[i] as number) + p.variable.size), p.variable.shape));
    return { grads, loss: this.scalars[1] as number };
  }

  async close(): Promise<void> {
    Atomics.store(this.ctrl, CTRL.command, CMD.exit);
    Atomics.store(this.ctrl, CTRL.request, ++this.seq);
    Atomics.notify(this.ctrl, CTRL.request);
    await Promise.race([new Promise((r) => this.worker.once('exit', r)), new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}
