/**
 * A NetworkSpec as an in-process trainable tf network: one forward function per layer, parameters in a ParamStore
 * named `l<index>.<module>...` exactly as src/arch/params.ts `listParameters` names them.
 */
import * as tf from '@tensorflow/tfjs';
import { isKindLayer } from '../arch/kinds/index.js';
import { hasResidual, layerPrimitives } from '../arch/primitives.js';
import { layerOutputShape } from '../arch/shape-step.js';
import { makeDivisible, type LayerSpec, type NetworkSpec, type Nb201Op, type TensorShape } from '../arch/spec.js';
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

interface Built { readonly fwd: Forward; readonly outC: number }

function layerError(i: number, msg: string): LayernasError {
  return new LayernasError('SPEC_INVALID', `layer ${i}: ${msg}`, { layer: i });
}

function nb201Edge(store: ParamStore, name: string, op: Nb201Op, C: number): Forward | undefined {
  switch (op) {
    case 'none': return undefined;
    case 'skip_connect': return (x) => x;
    case 'nor_conv_1x1': return convModule(store, name, { kernel: 1, stride: 1, inC: C, outC: C, groups: 1, bn: true, act: 'none', preRelu: true });
    case 'nor_conv_3x3': return convModule(store, name, { kernel: 3, stride: 1, inC: C, outC: C, groups: 1, bn: true, act: 'none', preRelu: true });
    case 'avg_pool_3x3': return (x) => avgPool(x, 3, 1);
  }
}

/** A 4-node cell: node j = sum over edges (i -> j) of edge_ij(node i); edges in NB201 string order. */
function cell(edges: readonly (Forward | undefined)[]): Forward {
  const sources = [0, 0, 1, 0, 1, 2];
  const targets = [1, 2, 2, 3, 3, 3];
  return (x, ctx) => {
    const nodes: tf.Tensor4D[] = [x];
    for (let j = 1; j <= 3; j++) {
      let acc: tf.Tensor4D | undefined;
      for (let e = 0; e < 6; e++) {
        const f = edges[e];
        if (targets[e] !== j || !f) continue;
        const y = f(nodes[sources[e] as number] as tf.Tensor4D, ctx);
        acc = acc ? tf.add(acc, y) as tf.Tensor4D : y;
      }
      nodes.push(acc ?? tf.zerosLike(x));
    }
    return nodes[3] as tf.Tensor4D;
  };
}

/**
 * A one-module kind (src/arch/kinds/types.ts contract): its conv primitives in order, each with its activation, then
 * the residual add. conv, skip, fmb, bnact and fc train here; a new kind of this form needs no code in this file.
 */
function sequentialLayer(store: ParamStore, layer: LayerSpec, i: number, input: TensorShape): Built {
  const prims = layerPrimitives(layer, input);
  const fwds = prims.map((q): Forward => {
    const name = `l${i}.${q.module}`;
    if (q.kind === 'linear') return linearModule(store, name, q.cin, q.cout, q.bias, q.act);
    if (q.kind === 'bn') {
      const bn = batchNorm(store, name, q.channels);
      return (x, ctx) => activate(bn(x, ctx), q.act);
    }
    if (q.cin % q.groups !== 0 || q.cout % q.groups !== 0) throw layerError(i, `groups ${q.groups} must divide ${q.cin} and ${q.cout}`);
    return convModule(store, name, { kernel: q.kernel, stride: q.stride, inC: q.cin, outC: q.cout, groups: q.groups, bn: q.bn, bias: q.bias, act: q.act });
  });
  const residual = hasResidual(layer, input);
  const outC = layerOutputShape(layer, input).c;
  return {
    outC,
    fwd: (x, ctx) => {
      let y = x;
      for (const f of fwds) y = f(y, ctx);
      return residual ? tf.add(x, y) : y;
    },
  };
}

function buildLayer(store: ParamStore, layer: LayerSpec, i: number, input: TensorShape): Built {
  const p = `l${i}`;
  const inC = input.c;
  if (isKindLayer(layer)) return sequentialLayer(store, layer, i, input);
  switch (layer.op) {
    case 'ir': {
      const mid = layer.expansion === 1 ? inC : makeDivisible(inC * layer.expansion, 8);
      const expand = layer.expansion === 1 ? undefined
        : convModule(store, `${p}.expand`, { kernel: 1, stride: 1, inC, outC: mid, groups: layer.groups, bn: true, act: layer.act });
      const dw = convModule(store, `${p}.dw`, { kernel: layer.kernel, stride: layer.stride, inC: mid, outC: mid, groups: mid, bn: true, act: layer.act });
      let se: Forward | undefined;
      if (layer.se > 0) {
        const seMid = makeDivisible(mid * layer.se, 8);
        const reduce = convModule(store, `${p}.se.reduce`, { kernel: 1, stride: 1, inC: mid, outC: seMid, groups: 1, bn: false, act: 'relu' });
        const exp = convModule(store, `${p}.se.expand`, { kernel: 1, stride: 1, inC: seMid, outC: mid, groups: 1, bn: false, act: 'none' });
        se = (x, ctx) => tf.mul(x, gate(exp(reduce(globalAvgPool(x), ctx), ctx), layer.seGate));
      }
      const project = convModule(store, `${p}.project`, { kernel: 1, stride: 1, inC: mid, outC: layer.out, groups: layer.groups, bn: true, act: 'none' });
      const residual = layer.skip && layer.stride === 1 && inC === layer.out;
      return {
        outC: layer.out,
        fwd: (x, ctx) => {
          let y = expand ? expand(x, ctx) : x;
          y = dw(y, ctx);
          if (se) y = se(y, ctx);
          y = project(y, ctx);
          return residual ? tf.add(x, y) : y;
        },
      };
    }
    case 'nb201cell':
      return { fwd: cell(layer.edges.map((op, e) => nb201Edge(store, `${p}.e${e}`, op, inC))), outC: inC };
    case 'natscell': {
      const C = layer.out;
      const conv = (e: number, a: number): Forward =>
        convModule(store, `${p}.e${e}`, { kernel: 3, stride: 1, inC: a, outC: C, groups: 1, bn: true, act: 'none', preRelu: true });
      const e0 = conv(0, inC), e1 = conv(1, inC), e2 = conv(2, C);
      const e3: Forward = inC === C ? (x) => x
        : convModule(store, `${p}.e3`, { kernel: 1, stride: 1, inC, outC: C, groups: 1, bn: true, act: 'none', preRelu: true });
      return { fwd: cell([e0, e1, e2, e3, conv(4, C), conv(5, C)]), outC: C };
    }
    case 'resblock': {
      const a = convModule(store, `${p}.a`, { kernel: 3, stride: layer.stride, inC, outC: layer.out, groups: 1, bn: true, act: 'none', preRelu: true });
      const b = convModule(store, `${p}.b`, { kernel: 3, stride: 1, inC: layer.out, outC: layer.out, groups: 1, bn: true, act: 'none', preRelu: true });
      let short: Forward = (x) => x;
      if (layer.stride === 2) {
        const c = convModule(store, `${p}.shortcut`, { kernel: 1, stride: 1, inC, outC: layer.out, groups: 1, bn: false, bias: false, act: 'none' });
        short = (x, ctx) => c(avgPool(x, 2, 2), ctx);
      } else if (inC !== layer.out) {
        short = convModule(store, `${p}.shortcut`, { kernel: 1, stride: 1, inC, outC: layer.out, groups: 1, bn: true, act: 'none', preRelu: true });
      }
      return { outC: layer.out, fwd: (x, ctx) => tf.add(short(x, ctx), b(a(x, ctx), ctx)) };
    }
    case 'gap':
      return { fwd: (x) => globalAvgPool(x), outC: inC };
  }
}

/** Build the network with seeded initial weights. */
export function buildNetwork(spec: NetworkSpec, seed: number): TrainableNetwork {
  const store = new ParamStore(new Rng(seed));
  const fwds: Forward[] = [];
  let c = spec.input.channels, h = spec.input.height, w = spec.input.width;
  spec.layers.forEach((layer, i) => {
    const built = buildLayer(store, layer, i, { h, w, c });
    fwds.push(built.fwd);
    c = built.outC;
    const stride = 'stride' in layer ? layer.stride : 1;
    if (layer.op === 'gap' || layer.op === 'fc') { h = 1; w = 1; }
    else { h = Math.ceil(h / stride); w = Math.ceil(w / stride); }
  });
  const last = spec.layers[spec.layers.length - 1];
  if (!last || last.op !== 'fc') throw new LayernasError('SPEC_INVALID', 'a trainable network must end with an fc classifier', { layers: spec.layers.length });
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
