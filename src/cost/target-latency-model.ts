/**
 * The search's latency cost (src/cost/types.ts CostModel) from a target's latency tables, for per-block spaces
 * (fbnet, mobilenetv2): the table measured for the space's input size, priced per network by the predictor, made
 * additive with exact completion bounds by specCostModel (which checks additivity on sampled DNAs).
 * A key missing from the table fails at construction (TABLE_MISSING_KEY).
 */
import { walkShapes } from '../arch/shapes.js';
import { decodeNetwork } from '../space/network.js';
import { specCostModel } from './network-cost.js';
import type { SearchSpace } from '../space/types.js';
import type { CostModel } from './types.js';
import { predictLatency, tableForInput, type LatencyFallback } from './latency-predictor.js';
import type { LatencyTable } from './latency-table.js';

export function targetLatencyCostModel(space: SearchSpace, tables: readonly LatencyTable[], name: string, fallback: LatencyFallback = 'none'): CostModel {
  const table = tableForInput(tables, decodeNetwork(space, space.radix.map(() => 0)).input);
  return specCostModel(space, 'latency_ms', name, (spec) => predictLatency(walkShapes(spec), table, fallback).total_ms);
}
