/**
 * A latency table is measured with one classifier head (the shipped FBNet tables: the space's fc_c100), while the
 * network a user trains has its dataset's class count. Such a network is priced with the table's head when the table
 * has exactly one head and lacks the network's: the same rule for the search (src/design/table-fit.ts), for
 * verifying the deployed file (src/verify/verify.ts, `layernas verify <folder>`) and for `layernas cost --target`. The head is a small part of these networks; the prediction is
 * then a slight over- or under-estimate, and the note says so.
 */
import { classifierOf } from '../arch/kinds/index.js';
import type { NetworkSpec } from '../arch/spec.js';
import { walkShapes } from '../arch/shapes.js';
import type { LatencyFallback } from './latency-predictor.js';
import type { LatencyTable } from './latency-table.js';
import { priceNetwork, type PricedNetwork } from './price-network.js';

/** The classifier sizes (fc_c<N>@...) the table has entries for. */
export function tableHeads(table: LatencyTable): number[] {
  return [...new Set([...table.byKey.keys()].map((k) => /^fc_c(\d+)@/.exec(k)?.[1]).filter((x): x is string => x !== undefined).map(Number))];
}

/** The class count to price with: the table's single head when it differs from `classes`, else `classes`. */
export function pricedClassesFor(table: LatencyTable, classes: number): number {
  const heads = tableHeads(table);
  return heads.length === 1 && !heads.includes(classes) ? (heads[0] as number) : classes;
}

/** `spec` with its final classifier swapped for the table's head when pricedClassesFor says so, and a note saying so. */
export function pricedWithTableHead(spec: NetworkSpec, table: LatencyTable): { spec: NetworkSpec; note: string | null } {
  const last = classifierOf(spec);
  if (!last) return { spec, note: null };
  const head = pricedClassesFor(table, last.out);
  if (head === last.out) return { spec, note: null };
  return {
    spec: { ...spec, layers: [...spec.layers.slice(0, -1), { ...last, out: head }] },
    note: `the table was measured with a ${head}-class classifier; the ${last.out}-class network is priced with that head (a slight ${head > last.out ? 'over' : 'under'}-estimate)`,
  };
}

/** every layer of `spec` priced from `table`, with the table's head when pricedWithTableHead says so (and its note) */
export function priceWithTableHead(spec: NetworkSpec, table: LatencyTable, fallback: LatencyFallback = 'none'): PricedNetwork & { headNote: string | null } {
  const head = pricedWithTableHead(spec, table);
  return { ...priceNetwork(walkShapes(head.spec), table, fallback), headNote: head.note };
}
