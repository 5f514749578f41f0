/**
 * The search's latency cost (src/cost/types.ts CostModel) from a target's latency table, for per-block spaces
 * (fbnet, mobilenetv2): every layer's input shape is fixed by its position, so a network's predicted latency is
 * base + sum over layers of delta[layer][option], exact for additive tables; completion bounds are exact sums of the
 * remaining layers' cheapest / dearest options. A key missing from the table fails at construction (TABLE_MISSING_KEY).
 */
import { walkShapes } from '../arch/shapes.js';
import { LayernasError } from '../core/errors.js';
import { spaceNetwork } from '../profile/space-networks.js';
import type { Dna, SearchSpace } from '../space/types.js';
import type { CostModel, CostRange } from './types.js';
import { predictLatency, tableForInput, type LatencyFallback } from './latency-predictor.js';
import type { LatencyTable } from './latency-table.js';

export function targetLatencyCostModel(space: SearchSpace, tables: readonly LatencyTable[], name: string, fallback: LatencyFallback = 'none'): CostModel {
  const zero = space.radix.map(() => 0);
  const baseNet = spaceNetwork(space, zero);
  const table = tableForInput(tables, baseNet.input);
  const predict = (dna: Dna): number => predictLatency(walkShapes(spaceNetwork(space, dna)), table, fallback).total_ms;
  const base = predict(zero);
  const delta = space.radix.map((r, i) => Array.from({ length: r }, (_, o) => (o === 0 ? 0 : predict(zero.map((z, j) => (j === i ? o : z))) - base)));
  const additive = (dna: Dna): number => base + dna.reduce((s, o, i) => s + (delta[i]?.[o] as number), 0);
  // the spaces are additive by construction; check on the all-max DNA so a non-additive space is never silently wrong
  const probe = space.radix.map((r) => r - 1);
  const full = predict(probe);
  if (Math.abs(additive(probe) - full) > 1e-6 * Math.max(1, full)) {
    throw new LayernasError('SPACE_INVALID', `space ${space.name}: latency is not additive over layers (${additive(probe)} vs ${full} ms); use a per-architecture cost`, { space: space.name });
  }
  const mins = delta.map((d) => Math.min(...d));
  const maxs = delta.map((d) => Math.max(...d));
  return {
    metric: 'latency_ms',
    name,
    cost: additive,
    completionBounds(dna: Dna, fixed: number): CostRange {
      let lo = base;
      let hi = base;
      for (let i = 0; i < space.radix.length; i++) {
        if (i < fixed) {
          const v = delta[i]?.[dna[i] as number] as number;
          lo += v;
          hi += v;
        } else {
          lo += mins[i] as number;
          hi += maxs[i] as number;
        }
      }
      return { min: lo, max: hi };
    },
  };
}
