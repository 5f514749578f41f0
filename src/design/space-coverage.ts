/**
 * Which shipped search spaces a target's latency tables cover completely (every block of the space at the table's
 * input size, with the table's classifier head, as the design prices it). `targets list` shows it; a design whose
 * space a phone's tables do not cover names a covered space to run instead.
 */
import { loadTable, type LatencyTable } from '../cost/latency-table.js';
import { loadSpace, shippedSpaceNames } from '../space/load.js';
import type { SearchSpace } from '../space/types.js';
import type { LoadedTarget } from '../targets/schema.js';
import { tryTable } from './table-fit.js';
import { spaceNetworks } from './space-networks.js';

export interface SpaceCoverage {
  readonly space: string;
  /** e.g. 32x32x3 */
  readonly input: string;
  readonly table: string;
}

function inputOf(space: SearchSpace): { height: number; width: number; channels: number } | null {
  try {
    return spaceNetworks(space, 10).trained(space.radix.map(() => 0)).input;
  } catch {
    return null;
  }
}

/** shipped spaces whose every block one of the target's tables holds (classes: the dataset's, 10 by default) */
export function coveredSpaces(loaded: LoadedTarget, classes = 10): SpaceCoverage[] {
  const tables: LatencyTable[] = loaded.tableFiles.map((f) => loadTable(f));
  const out: SpaceCoverage[] = [];
  for (const name of shippedSpaceNames()) {
    let space: SearchSpace;
    try {
      space = loadSpace(name);
    } catch {
      continue;
    }
    const input = inputOf(space);
    if (!input) continue;
    for (const t of tables) {
      const m = t.data.metadata.input;
      if (m.height !== input.height || m.width !== input.width || m.channels !== input.channels) continue;
      let covered = false;
      try {
        covered = tryTable(t, space, classes).missing.length === 0;
      } catch {
        covered = false;
      }
      if (covered) {
        out.push({ space: name, input: `${m.height}x${m.width}x${m.channels}`, table: t.file });
        break;
      }
    }
  }
  return out;
}

/** input sizes of a target's tables, e.g. ["32x32x3"] */
export function tableInputs(loaded: LoadedTarget): string[] {
  return loaded.tableFiles.map((f) => loadTable(f).data.metadata.input).map((m) => `${m.height}x${m.width}x${m.channels}`);
}

