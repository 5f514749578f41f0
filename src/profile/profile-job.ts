/**
 * One profiling job: what `layernas profile` and the library's `profile()` run. The workload (every distinct block of
 * a space, or of a list of network strings, plus calibration networks) is measured on the target's platform and the
 * table written; the journal `<out>.journal.jsonl` makes it resumable.
 */
import { cpus, hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { writeTableFile } from '../cost/table-convert/shipped.js';
import { ExporterModelFactory } from '../export/model-factory.js';
import { backendForTarget } from '../platform/registry.js';
import { loadSpace } from '../space/load.js';
import type { Target } from '../targets/schema.js';
import { calibrationDnas } from './calibration-networks.js';
import { DEFAULT_PROTOCOL } from './measure.js';
import { runProfile, type ProfileResult } from './profiler.js';
import type { ProgressSink } from './progress.js';
import { distinctBlocksOf, distinctSpaceBlocks, spaceNetwork, type DistinctBlock } from './space-networks.js';

export interface Workload {
  readonly name: string;
  readonly blocks: DistinctBlock[];
  readonly calibration: NetworkSpec[];
  readonly input: { height: number; width: number; channels: number };
}

/** A space name / space file, or a text file of network strings (one per line, # comments). */
export function workloadFor(space: string, calibrate: number, seed: number, calibrateSpan = 0): Workload {
  if (space.endsWith('.txt')) {
    let text: string;
    try {
      text = readFileSync(space, 'utf8');
    } catch (e) {
      throw new LayernasError('USAGE', `cannot read architecture list ${space}: ${(e as Error).message}`, { file: space });
    }
    const nets = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l, i) => ({ ...parseNetwork(l), name: `arch-${i}` }));
    if (nets.length === 0) throw new LayernasError('USAGE', `architecture list ${space} has no network strings`, { file: space });
    const first = nets[0] as NetworkSpec;
    const bad = nets.find((n) => n.input.height !== first.input.height || n.input.width !== first.input.width || n.input.channels !== first.input.channels);
    if (bad) throw new LayernasError('USAGE', `architecture list ${space}: all networks need one input size (a table is per input size); ${bad.name} differs`, { file: space });
    return { name: space, blocks: distinctBlocksOf(nets), calibration: nets.slice(0, calibrate), input: first.input };
  }
  const s = loadSpace(space);
  const calibration = calibrationDnas(s, { uniform: calibrate, spanning: calibrateSpan, seed }).map((dna) => spaceNetwork(s, dna));
  const input = spaceNetwork(s, s.radix.map(() => 0)).input;
  return { name: s.name, blocks: distinctSpaceBlocks(s), calibration, input };
}

export interface ProfileJob {
  readonly target: Target;
  readonly work: Workload;
  /** table file to write; journal: `<out>.journal.jsonl` */
  readonly out: string;
  readonly rounds?: number;
  readonly clock?: 'wall' | 'cpu';
  /** loads per model (default 1; src/profile/profiler.ts) */
  readonly loads?: number;
  readonly progress: ProgressSink;
}

/** Measure the workload on the target's platform and write the table. */
export async function profileTable(job: ProfileJob): Promise<ProfileResult> {
  const { target, work, out } = job;
  const backend = backendForTarget(target, new ExporterModelFactory());
  try {
    backend.checkVersion();
    const result = await runProfile(
      {
        target, spaceName: work.name, blocks: work.blocks, calibrationNetworks: work.calibration, input: work.input,
        journalFile: `${out}.journal.jsonl`, machine: `${hostname()} (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores)`,
        protocol: { ...DEFAULT_PROTOCOL, rounds: job.rounds ?? DEFAULT_PROTOCOL.rounds, clock: job.clock ?? 'wall', ...(job.loads !== undefined ? { loads: job.loads } : {}) },
      },
      backend,
      job.progress,
    );
    writeTableFile(out, result.table);
    return result;
  } finally {
    backend.close();
  }
}
