/**
 * Decomposition of one layer (on a known input shape) into the primitive weighted ops it contains:
 * convolutions, fully connected layers and stand-alone batch norms, each with its module name
 * (docs/weights-format.md) and the spatial size it runs at. MAdds and parameter counts (shapes.ts) and the
 * named tensor list (params.ts) are both read off this one list.
 */
import type { Activation, LayerSpec, TensorShape } from './spec.js';
import { kindOf, sequentialBody, type Body } from './kinds/index.js';

export { CELL_EDGE_SOURCE, NATS_CELL_EDGES, seChannels } from './kinds/index.js';

export interface ConvPrimitive {
  readonly kind: 'conv';
  readonly module: string;
  readonly cin: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  readonly groups: number;
  readonly bias: boolean;
  readonly bn: boolean;
  /** activation applied to this conv's output (or, for NB201 ReLU-conv-BN, to its input) */
  readonly act: Activation;
  /** output spatial size */
  readonly outH: number;
  readonly outW: number;
}
export interface LinearPrimitive {
  readonly kind: 'linear';
  readonly module: string;
  readonly cin: number;
  readonly cout: number;
  readonly bias: boolean;
  readonly act: Activation;
}
export interface BnPrimitive {
  readonly kind: 'bn';
  readonly module: string;
  readonly channels: number;
  readonly h: number;
  readonly w: number;
  readonly act: Activation;
}
export type Primitive = ConvPrimitive | LinearPrimitive | BnPrimitive;

/** True when the layer's residual add (+ input) is applied. */
export function hasResidual(layer: LayerSpec, input: TensorShape): boolean {
  return kindOf(layer).residual(layer, input);
}

export function layerPrimitives(layer: LayerSpec, input: TensorShape): Primitive[] {
  return kindOf(layer).primitives(layer, input);
}

/** The layer's computation (src/arch/kinds/types.ts BodyStep), which the graph lowering and the tfjs trainer interpret. */
export function layerBody(layer: LayerSpec, input: TensorShape): Body {
  const kind = kindOf(layer);
  const prims = kind.primitives(layer, input);
  return kind.body?.(layer, input, prims) ?? sequentialBody(prims, kind.residual(layer, input));
}

/** Element-wise work of the layer beyond its primitives' BN/activations and its residual add (pooling, SE, cell sums). */
export function layerExtraOps(layer: LayerSpec, input: TensorShape, output: TensorShape, prims: readonly Primitive[]): number {
  return kindOf(layer).extraOps?.(layer, input, output, prims) ?? 0;
}
