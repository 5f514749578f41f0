/** SGD with momentum (PyTorch semantics, L2 weight decay in the gradient) and Adam (decoupled weight decay). */
import * as tf from '@tensorflow/tfjs';
import type { NetParam } from './params.js';
import type { TrainSettings } from './settings.js';

export interface Optimizer {
  step(grads: ReadonlyMap<NetParam, tf.Tensor>, lr: number): void;
  dispose(): void;
}

export function makeOptimizer(s: TrainSettings, params: readonly NetParam[]): Optimizer {
  const trainable = params.filter((p) => p.trainable);
  const slots = new Map<NetParam, tf.Variable[]>();
  let t = 0;
  const slot = (p: NetParam, n: number): tf.Variable[] => {
    let v = slots.get(p);
    if (!v) {
      v = Array.from({ length: n }, () => tf.variable(tf.zerosLike(p.variable), false));
      slots.set(p, v);
    }
    return v;
  };
  return {
    step(grads, lr) {
      t++;
      tf.tidy(() => {
        for (const p of trainable) {
          const g0 = grads.get(p);
          if (!g0) continue;
          const w = p.variable;
          if (s.optimizer === 'sgd') {
            const g = p.decay && s.weightDecay > 0 ? tf.add(g0, tf.mul(w, s.weightDecay)) : g0;
            const [buf] = slot(p, 1) as [tf.Variable];
            buf.assign(tf.add(tf.mul(buf, s.momentum), g));
            w.assign(tf.sub(w, tf.mul(buf, lr)));
          } else {
            const [m, v] = slot(p, 2) as [tf.Variable, tf.Variable];
            const b1 = 0.9, b2 = 0.999;
            m.assign(tf.add(tf.mul(m, b1), tf.mul(g0, 1 - b1)));
            v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g0), 1 - b2)));
            const mh = tf.div(m, 1 - b1 ** t), vh = tf.div(v, 1 - b2 ** t);
            let upd = tf.div(mh, tf.add(tf.sqrt(vh), 1e-8));
            if (p.decay && s.weightDecay > 0) upd = tf.add(upd, tf.mul(w, s.weightDecay));
            w.assign(tf.sub(w, tf.mul(upd, lr)));
          }
        }
      });
    },
    dispose() {
      for (const v of slots.values()) for (const x of v) x.dispose();
    },
  };
}
