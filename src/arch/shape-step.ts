/**
 * Output shape of one layer from its input shape (SAME padding: out = ceil(in / stride)).
 * The single rule used by the shape walk (shapes.ts) and by parse-time channel checks (grammar.ts).
 */
import type { LayerSpec, TensorShape } from './spec.js';
import { kindOf } from './kinds/index.js';

export function layerOutputShape(layer: LayerSpec, input: TensorShape): TensorShape {
  return kindOf(layer).outputShape(layer, input);
}
