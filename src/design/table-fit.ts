/** Whether a latency table prices every network of a space (shared by the design's table choice and space coverage). */
import { walkShapes } from '../arch/shapes.js';
import type { NetworkSpec } from '../arch/spec.js';
import type { LatencyTable } from '../cost/latency-table.js';
import type { SearchSpace } from '../space/types.js';
import { coveringNetworks, spaceNetworks, type SpaceNetworks } from './space-networks.js';

const fcHeads = (table: LatencyTable): number[] =>
  [...table.byKey.keys()].map((k) => /^fc_c(\d+)@/.exec(k)?.[1]).filter((x): x is string => x !== undefined).map(Number);

function missingKeys(table: LatencyTable, nets: readonly NetworkSpec[]): string[] {
  const missing = new Set<string>();
  for (const n of nets) for (const row of walkShapes(n)) if (!table.byKey.has(row.key)) missing.add(row.key);
  return [...missing];
}

/** The table's classifier size when it differs from the dataset's and the table has exactly one head. */
function pricedClassesFor(table: LatencyTable, classes: number): number {
  const heads = [...new Set(fcHeads(table))];
  return heads.length === 1 && !heads.includes(classes) ? (heads[0] as number) : classes;
}

export function tryTable(table: LatencyTable, space: SearchSpace, classes: number): { nets: SpaceNetworks; missing: string[] } {
  const nets = spaceNetworks(space, classes, pricedClassesFor(table, classes));
  return { nets, missing: missingKeys(table, coveringNetworks(nets, 'priced')) };
}
