/**
 * Latency of a search space's architectures on a target, predicted from the target's per-block table
 * (fixed parts + one entry per layer key), as a CostModel with exact completion bounds for LayerNAS.
 */
import { walkShapes } from '../arch/shapes.js';
import { specCostModel } from '../space/network-cost.js';
import type { SearchSpace } from '../space/types.js';
import { predictLatency, type LatencyFallback } from './latency-predictor.js';
import type { LatencyTable } from './latency-table.js';
import type { CostModel } from './types.js';

export function tableLatencyCostModel(space: SearchSpace, table: LatencyTable, name: string, fallback: LatencyFallback = 'none', classes?: number): CostModel {
  return specCostModel(space, 'latency_ms', name, (spec) => predictLatency(walkShapes(spec), table, fallback).total_ms, classes);
}
