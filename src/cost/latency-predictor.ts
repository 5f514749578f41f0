/**
 * Network latency from a per-block table: fixed parts + sum of the table entry of every layer's canonical key.
 * A key missing from the table is TABLE_MISSING_KEY naming the key (never a silent zero), unless the caller asks
 * for an explicit fallback; every fallback used is recorded in the prediction.
 */
import type { TensorShape } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { shapeString, splitKey } from './block-key.js';
import type { LatencyTable, TableEntry } from './latency-table.js';

/**
 * - `none`: missing key -> TABLE_MISSING_KEY
 * - `nearest-shape`: entry with the same block string and the nearest input shape, scaled by the ratio of input
 *   volumes (H*W*C); never across ops or block parameters
 */
export type LatencyFallback = 'none' | 'nearest-shape';
export const LATENCY_FALLBACKS: readonly LatencyFallback[] = ['none', 'nearest-shape'];

/** What the predictor needs of each layer (LayerShape from src/arch/shapes.ts fits). */
export interface KeyedLayer {
  readonly key: string;
}

export interface LayerLatency {
  readonly index: number;
  readonly key: string;
  readonly ms: number;
  readonly source: 'table' | 'fallback';
  readonly fallback?: { readonly kind: Exclude<LatencyFallback, 'none'>; readonly fromKey: string; readonly scale: number };
}

export interface LatencyPrediction {
  readonly total_ms: number;
  readonly fixed_ms: number;
  readonly layers_ms: number;
  readonly table: string;
  readonly layers: readonly LayerLatency[];
  /** keys priced by a fallback (empty when every key was in the table) */
  readonly fallbacks: readonly string[];
}

function volume(s: TensorShape): number {
  return s.h * s.w * s.c;
}

function nearestShape(table: LatencyTable, key: string): { entry: TableEntry; scale: number } | null {
  const want = splitKey(key);
  if (!want) return null;
  let best: { entry: TableEntry; dist: number; scale: number } | null = null;
  for (const e of table.byKey.values()) {
    const have = splitKey(e.key);
    if (!have || have.block !== want.block) continue;
    const ratio = volume(want.input) / volume(have.input);
    const dist = Math.abs(Math.log(ratio));
    if (!best || dist < best.dist) best = { entry: e, dist, scale: ratio };
  }
  return best ? { entry: best.entry, scale: best.scale } : null;
}

export function missingKeyError(table: LatencyTable, key: string, index: number): LayernasError {
  return new LayernasError(
    'TABLE_MISSING_KEY',
    `latency table ${table.file} has no entry for layer ${index} "${key}"; profile it (layernas profile) or pass an explicit --fallback`,
    { key, table: table.file, index },
  );
}

/** One layer priced from the table (or its fallback); null when neither has it. */
export function priceLayer(layer: KeyedLayer, index: number, table: LatencyTable, fallback: LatencyFallback = 'none'): LayerLatency | null {
  const entry = table.byKey.get(layer.key);
  if (entry) return { index, key: layer.key, ms: entry.median_ms, source: 'table' };
  if (fallback === 'nearest-shape') {
    const near = nearestShape(table, layer.key);
    if (near) return { index, key: layer.key, ms: near.entry.median_ms * near.scale, source: 'fallback', fallback: { kind: 'nearest-shape', fromKey: near.entry.key, scale: near.scale } };
  }
  return null;
}

export function predictLatency(layers: readonly KeyedLayer[], table: LatencyTable, fallback: LatencyFallback = 'none'): LatencyPrediction {
  const out: LayerLatency[] = [];
  const fallbacks: string[] = [];
  layers.forEach((layer, index) => {
    const priced = priceLayer(layer, index, table, fallback);
    if (!priced) throw missingKeyError(table, layer.key, index);
    out.push(priced);
    if (priced.source === 'fallback') fallbacks.push(layer.key);
  });
  const layersMs = out.reduce((s, l) => s + l.ms, 0);
  return { total_ms: table.fixedTotalMs + layersMs, fixed_ms: table.fixedTotalMs, layers_ms: layersMs, table: table.file, layers: out, fallbacks };
}

/** The table of a target that was measured for this network input size. */
export function tableForInput(tables: readonly LatencyTable[], input: { height: number; width: number; channels: number }): LatencyTable {
  const t = tables.find((x) => x.data.metadata.input.height === input.height && x.data.metadata.input.width === input.width && x.data.metadata.input.channels === input.channels);
  if (!t) {
    const have = tables.map((x) => shapeString({ h: x.data.metadata.input.height, w: x.data.metadata.input.width, c: x.data.metadata.input.channels }));
    throw new LayernasError('TABLE_MISMATCH', `no latency table for input ${input.height}x${input.width}x${input.channels}; the target's tables cover ${have.join(', ') || 'nothing'}`, {
      input,
      tables: tables.map((x) => x.file),
    });
  }
  return t;
}
