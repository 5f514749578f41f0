/**
 * The latency cost (src/cost/types.ts CostModel) of a space from a target's latency tables, for per-block spaces
 * (fbnet, mobilenetv2): the table measured for the space's input size, priced per network by the predictor, made
 * additive with exact completion bounds by specCostModel (which checks additivity on sampled DNAs). `search --cost
 * latency:<target>` and `design`'s table stage both build it here. A key missing from the table fails at
 * construction (TABLE_MISSING_KEY).
 */
import { walkShapes } from '../arch/shapes.js';
import { decodeNetwork } from '../space/network.js';
import { specCostModel } from './network-cost.js';
import type { SearchSpace } from '../space/types.js';
import type { CostModel } from './types.js';
import { predictLatency, tableForInput, type LatencyFallback } from './latency-predictor.js';
import type { LatencyTable } from './latency-table.js';

/** `classes`: the classifier head the networks are priced with (a table measured with a 100-class head prices fc_c100) */
export function targetLatencyCostModel(space: SearchSpace, tables: readonly LatencyTable[], name: string, o: { fallback?: LatencyFallback; classes?: number } = {}): CostModel {
  const table = tableForInput(tables, decodeNetwork(space, space.radix.map(() => 0)).input);
  return specCostModel(space, 'latency_ms', name, (spec) => predictLatency(walkShapes(spec), table, o.fallback ?? 'none').total_ms, o.classes);
}
