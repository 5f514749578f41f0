/**
 * Pricing a network that a table may only partly cover (`layernas cost --target`, `verify` on a table miss):
 * every layer the table (or the chosen fallback) has is priced; the others are listed as missing keys with the
 * nearest entry of the same block, so the user sees what to profile. The total is null unless every layer is priced.
 */
import type { LatencyTable } from './latency-table.js';
import { priceLayer, type KeyedLayer, type LatencyFallback, type LayerLatency } from './latency-predictor.js';
import { splitKey } from './block-key.js';

export interface MissingLayer {
  readonly index: number;
  readonly key: string;
  /** entries of the table with the same block at other input shapes (what nearest-shape would use) */
  readonly sameBlockShapes: number;
}

export interface PricedNetwork {
  readonly table: string;
  readonly fixed_ms: number;
  readonly layers: readonly LayerLatency[];
  readonly missing: readonly MissingLayer[];
  /** fixed + priced layers (a lower bound when layers are missing) */
  readonly priced_ms: number;
  /** the prediction; null when a layer is missing */
  readonly total_ms: number | null;
}

export function priceNetwork(layers: readonly KeyedLayer[], table: LatencyTable, fallback: LatencyFallback = 'none'): PricedNetwork {
  const priced: LayerLatency[] = [];
  const missing: MissingLayer[] = [];
  layers.forEach((layer, index) => {
    const p = priceLayer(layer, index, table, fallback);
    if (p) {
      priced.push(p);
      return;
    }
    const block = splitKey(layer.key)?.block;
    let same = 0;
    for (const k of table.byKey.keys()) if (splitKey(k)?.block === block) same++;
    missing.push({ index, key: layer.key, sameBlockShapes: same });
  });
  const pricedMs = table.fixedTotalMs + priced.reduce((s, l) => s + l.ms, 0);
  return { table: table.file, fixed_ms: table.fixedTotalMs, layers: priced, missing, priced_ms: pricedMs, total_ms: missing.length === 0 ? pricedMs : null };
}
