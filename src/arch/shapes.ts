/**
 * THE shape walk: every layer's input/output shape, MAdds, params and canonical key. Every cost model,
 * exporter and trainer reads shapes from here.
 *
 * MAdds follow the NATS-Bench convention: conv = Hout*Wout*Cout*(Cin/groups)*k*k (+ Hout*Wout*Cout if the conv
 * has a bias), linear = in*out (+ out for a bias); BN, activations, pooling, residual adds and SE scaling are
 * not counted unless `countBnAct` is set (then each adds one op per element it touches).
 * Params: conv/linear weights and biases, BN gamma and beta (running statistics are buffers, not counted).
 */
import { formatLayer } from './grammar.js';
import { hasResidual, layerExtraOps, layerPrimitives, type Primitive } from './primitives.js';
import { layerOutputShape } from './shape-step.js';
import type { LayerShape, LayerSpec, NetworkSpec, TensorShape } from './spec.js';
import { validateLayerAt } from './validate.js';
import { LayernasError } from '../core/errors.js';

export function shapeKey(layer: LayerSpec, input: TensorShape): string {
  return `${formatLayer(layer)}@${input.h}x${input.w}x${input.c}`;
}

export function primitiveMadds(p: Primitive): number {
  switch (p.kind) {
    case 'conv': {
      const perPixel = p.cout * (p.cin / p.groups) * p.kernel * p.kernel + (p.bias ? p.cout : 0);
      return p.outH * p.outW * perPixel;
    }
    case 'linear':
      return p.cin * p.cout + (p.bias ? p.cout : 0);
    case 'bn':
      return 0;
  }
}

export function primitiveParams(p: Primitive): number {
  switch (p.kind) {
    case 'conv':
      return p.cout * (p.cin / p.groups) * p.kernel * p.kernel + (p.bias ? p.cout : 0) + (p.bn ? 2 * p.cout : 0);
    case 'linear':
      return p.cin * p.cout + (p.bias ? p.cout : 0);
    case 'bn':
      return 2 * p.channels;
  }
}

/** Element-wise work not counted by the NATS convention (BN, activations, pooling, residual add, SE scale). */
function elementwiseOps(layer: LayerSpec, input: TensorShape, output: TensorShape, prims: readonly Primitive[]): number {
  let ops = 0;
  for (const p of prims) {
    const n = p.kind === 'conv' ? p.outH * p.outW * p.cout : p.kind === 'linear' ? p.cout : p.h * p.w * p.channels;
    if (p.kind !== 'linear' && (p.kind === 'bn' || p.bn)) ops += n;
    if (p.act !== 'none') ops += n;
  }
  if (hasResidual(layer, input)) ops += output.h * output.w * output.c;
  return ops + layerExtraOps(layer, input, output, prims);
}

export interface CostOptions {
  /** also count BN, activations, pooling, residual adds and SE scaling (one op per element) */
  readonly countBnAct?: boolean;
}

function walk(spec: NetworkSpec, options: CostOptions): LayerShape[] {
  const rows: LayerShape[] = [];
  let shape: TensorShape = { h: spec.input.height, w: spec.input.width, c: spec.input.channels };
  if (![shape.h, shape.w, shape.c].every((v) => Number.isInteger(v) && v > 0)) {
    throw new LayernasError('SPEC_INVALID', `network input must be positive whole numbers, got ${shape.h}x${shape.w}x${shape.c}`, { input: spec.input });
  }
  spec.layers.forEach((layer, index) => {
    validateLayerAt(layer, index, shape);
    const output = layerOutputShape(layer, shape);
    const prims = layerPrimitives(layer, shape);
    let madds = 0;
    let params = 0;
    for (const p of prims) {
      madds += primitiveMadds(p);
      params += primitiveParams(p);
    }
    if (options.countBnAct) madds += elementwiseOps(layer, shape, output, prims);
    rows.push({ index, layer, input: shape, output, madds, params, key: shapeKey(layer, shape) });
    shape = output;
  });
  return rows;
}

/** Shapes, MAdds (NATS convention) and params of every layer. Throws SPEC_INVALID naming the layer index. */
export function walkShapes(spec: NetworkSpec): LayerShape[] {
  return walk(spec, {});
}

export interface NetworkCost {
  readonly madds: number;
  readonly params: number;
  readonly layers: readonly LayerShape[];
}

export function networkCost(spec: NetworkSpec, options: CostOptions = {}): NetworkCost {
  const layers = walk(spec, options);
  let madds = 0;
  let params = 0;
  for (const l of layers) {
    madds += l.madds;
    params += l.params;
  }
  return { madds, params, layers };
}

/** Output shape of the whole network. */
export function outputShape(spec: NetworkSpec): TensorShape {
  const rows = walkShapes(spec);
  const last = rows[rows.length - 1];
  return last ? last.output : { h: spec.input.height, w: spec.input.width, c: spec.input.channels };
}
