/**
 * Output shape of one layer from its input shape (SAME padding: out = ceil(in / stride)).
 * The single rule used by the shape walk (shapes.ts) and by parse-time channel checks (grammar.ts).
 */
import type { LayerSpec, TensorShape } from './spec.js';
import { isKindLayer, kindOf } from './kinds/index.js';

export function layerOutputShape(layer: LayerSpec, input: TensorShape): TensorShape {
  const down = (stride: number): { h: number; w: number } => ({ h: Math.ceil(input.h / stride), w: Math.ceil(input.w / stride) });
  if (isKindLayer(layer)) return kindOf(layer).outputShape(layer, input);
  switch (layer.op) {
    case 'ir':
    case 'resblock':
      return { ...down(layer.stride), c: layer.out };
    case 'natscell':
      return { h: input.h, w: input.w, c: layer.out };
    case 'nb201cell':
      return { h: input.h, w: input.w, c: input.c };
    case 'gap':
      return { h: 1, w: 1, c: input.c };
  }
}
