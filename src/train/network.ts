/**
 * A NetworkSpec as an in-process trainable tf network: one forward function per layer, parameters in a ParamStore
 * named `l<index>.<module>...` exactly as src/arch/params.ts `listParameters` names them.
 */
import * as tf from '@tensorflow/tfjs';
import { classifierOf } from '../arch/kinds/index.js';
import { layerBody, layerPrimitives, type Primitive } from '../arch/primitives.js';
import { layerOutputShape } from '../arch/shape-step.js';
import type { LayerSpec, NetworkSpec, TensorShape } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { ParamStore } from './params.js';
import { activate, avgPool, batchNorm, convModule, gate, globalAvgPool, linearModule, type Forward, type ForwardContext } from './layers.js';

export interface TrainableNetwork {
  readonly spec: NetworkSpec;
  readonly store: ParamStore;
  readonly numClasses: number;
  /** logits [N, classes] */
  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D;
  dispose(): void;
}

function layerError(i: number, msg: string): LayernasError {
  return new LayernasError('SPEC_INVALID', `layer ${i}: ${msg}`, { layer: i });
}

/** The module of one primitive; `pre`: its activation applied to its input instead of its output. */
function primModule(store: ParamStore, i: number, q: Primitive, pre: boolean): Forward {
  const name = `l${i}.${q.module}`;
  if (q.kind === 'linear') return linearModule(store, name, q.cin, q.cout, q.bias, q.act);
  if (q.kind === 'bn') {
    const bn = batchNorm(store, name, q.channels);
    return (x, ctx) => activate(bn(x, ctx), q.act);
  }
  if (q.cin % q.groups !== 0 || q.cout % q.groups !== 0) throw layerError(i, `groups ${q.groups} must divide ${q.cin} and ${q.cout}`);
  if (pre && q.act !== 'relu') throw layerError(i, `a pre-activation must be relu, got ${q.act}`);
  return convModule(store, name, {
    kernel: q.kernel, stride: q.stride, inC: q.cin, outC: q.cout, groups: q.groups, bn: q.bn, bias: q.bias, act: pre ? 'none' : q.act, ...(pre ? { preRelu: true } : {}),
  });
}

type StepFn = (v: readonly tf.Tensor4D[], ctx: ForwardContext) => tf.Tensor4D;

/**
 * A layer as an in-process network: its kind's body (src/arch/kinds/types.ts BodyStep) with one module per primitive
 * step, created in step order (the order the seeded initial weights are drawn in), whatever the kind.
 */
function buildLayer(store: ParamStore, layer: LayerSpec, i: number, input: TensorShape): Forward {
  const prims = layerPrimitives(layer, input);
  const body = layerBody(layer, input);
  const fns = body.steps.map((s): StepFn => {
    switch (s.op) {
      case 'prim': {
        const q = prims.find((p) => p.module === s.module);
        if (!q) throw layerError(i, `no module '${s.module}'`);
        const f = primModule(store, i, q, s.pre !== undefined);
        return (v, ctx) => f(v[s.from] as tf.Tensor4D, ctx);
      }
      case 'avgpool': return (v) => avgPool(v[s.from] as tf.Tensor4D, s.size, s.stride);
      case 'gap': return (v) => globalAvgPool(v[s.from] as tf.Tensor4D);
      case 'gate': return (v) => gate(v[s.from] as tf.Tensor4D, s.gate);
      case 'mul': return (v) => tf.mul(v[s.a] as tf.Tensor4D, v[s.b] as tf.Tensor4D);
      case 'add': return (v) => tf.add(v[s.a] as tf.Tensor4D, v[s.b] as tf.Tensor4D);
      case 'zeros': return (v) => tf.zerosLike(v[s.like] as tf.Tensor4D);
    }
  });
  return (x, ctx) => {
    const v: tf.Tensor4D[] = [x];
    for (const f of fns) v.push(f(v, ctx));
    return v[body.out] as tf.Tensor4D;
  };
}

/** Build the network with seeded initial weights. */
export function buildNetwork(spec: NetworkSpec, seed: number): TrainableNetwork {
  const store = new ParamStore(new Rng(seed));
  const fwds: Forward[] = [];
  let shape: TensorShape = { h: spec.input.height, w: spec.input.width, c: spec.input.channels };
  spec.layers.forEach((layer, i) => {
    fwds.push(buildLayer(store, layer, i, shape));
    shape = layerOutputShape(layer, shape);
  });
  const last = classifierOf(spec);
  if (!last) throw new LayernasError('SPEC_INVALID', 'a trainable network must end with an fc classifier', { layers: spec.layers.length });
  return {
    spec, store, numClasses: last.out,
    forward(x, ctx) {
      let y = x;
      for (const f of fwds) y = f(y, ctx);
      return tf.reshape(y, [x.shape[0], last.out]);
    },
    dispose() {
      for (const p of store.params) p.variable.dispose();
    },
  };
}
