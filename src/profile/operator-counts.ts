/**
 * Per-operator counts of a network: the operator-mix features of the few-shot fit (src/profile/fewshot.ts).
 * A layer counts under its operator kind (src/profile/calibration.ts operatorKind: block string without channels,
 * stride and shape); an NB201 cell counts each of its six edges that is not `none` under the edge's op
 * (`nb201:<op>`). Counting only the edges on a path from the cell's input to its output (some runtimes drop the others:
 * HW-NAS-Bench's Pixel 3 figures of cells whose output is cut off are ~0 ms) as a second family of counts made the
 * N = 10 fits worse on both NB201 and FBNet (more coefficients than ten measurements carry), so it is not used.
 */
import { nb201CellEdges } from '../arch/kinds/index.js';
import { walkShapes } from '../arch/shapes.js';
import type { NetworkSpec } from '../arch/spec.js';
import { operatorKind } from './calibration.js';

/** Operator kind -> how many layers (NB201: edges) of the network run it. */
export function operatorCounts(net: NetworkSpec): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string): void => { out.set(k, (out.get(k) ?? 0) + 1); };
  for (const row of walkShapes(net)) {
    const edges = nb201CellEdges(row.layer);
    if (edges) {
      for (const e of edges) if (e !== 'none') add(`nb201:${e}`);
    } else {
      add(operatorKind(row.key));
    }
  }
  return out;
}

/** Count columns over networks (one Float64Array per kind); kinds with the same count in every network are left out. */
export function countColumns(nets: readonly Map<string, number>[]): { names: string[]; counts: Float64Array[] } {
  const kinds = [...new Set(nets.flatMap((m) => [...m.keys()]))].sort();
  const cols = kinds.map((k) => Float64Array.from(nets, (m) => m.get(k) ?? 0));
  const keep = cols.map((c) => c.some((v) => v !== c[0]));
  return { names: kinds.filter((_, i) => keep[i]), counts: cols.filter((_, i) => keep[i]) };
}
