/** Whether a latency table prices every network of a space (shared by the design's table choice and space coverage). */
import { walkShapes } from '../arch/shapes.js';
import type { NetworkSpec } from '../arch/spec.js';
import type { LatencyTable } from '../cost/latency-table.js';
import { pricedClassesFor } from '../cost/table-head.js';
import type { SearchSpace } from '../space/types.js';
import { coveringNetworks, spaceNetworks, type SpaceNetworks } from './space-networks.js';

function missingKeys(table: LatencyTable, nets: readonly NetworkSpec[]): string[] {
  const missing = new Set<string>();
  for (const n of nets) for (const row of walkShapes(n)) if (!table.byKey.has(row.key)) missing.add(row.key);
  return [...missing];
}

export function tryTable(table: LatencyTable, space: SearchSpace, classes: number): { nets: SpaceNetworks; missing: string[] } {
  const nets = spaceNetworks(space, classes, pricedClassesFor(table, classes));
  return { nets, missing: missingKeys(table, coveringNetworks(nets, 'priced')) };
}
