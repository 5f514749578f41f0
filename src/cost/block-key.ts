/**
 * The canonical op-and-shape key of a layer: formatLayer(layer) + '@' + HxWxC of its input
 * (the same string src/arch's shape walk puts in LayerShape.key).
 */
import { shapeKey } from '../arch/shapes.js';
import type { LayerSpec, TensorShape } from '../arch/spec.js';

export function shapeString(s: TensorShape): string {
  return `${s.h}x${s.w}x${s.c}`;
}

export function layerKey(layer: LayerSpec, input: TensorShape): string {
  return shapeKey(layer, input);
}

/** Split a key into its block string and input shape. */
export function splitKey(key: string): { block: string; input: TensorShape } | null {
  const m = /^(\S+)@(\d+)x(\d+)x(\d+)$/.exec(key);
  if (!m) return null;
  return { block: m[1] as string, input: { h: Number(m[2]), w: Number(m[3]), c: Number(m[4]) } };
}
