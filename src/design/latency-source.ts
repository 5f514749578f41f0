/**
 * The latency table a design prices its space with: a table of the target (or one given with --latency-table, or
 * one an earlier run of this design profiled) that has every block of the space. When none does and the target is
 * measured on this host, the missing space is profiled (src/profile, resumable journal in <out>/latency/) so every
 * prediction is a real measurement; a phone target without a covering table is TABLE_MISSING_KEY naming the keys.
 *
 * Classifier head: a table measured with another class count (the Pixel 3 FBNet table has a 100-class head) prices
 * the network with the table's head (fc_c100); the trained network differs only in that layer. The report says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import path from 'node:path';
import { LayernasError } from '../core/errors.js';
import { checkTableMatchesTarget, loadTable, parseTable, type LatencyTable } from '../cost/latency-table.js';
import { writeTableFile } from '../cost/table-convert/shipped.js';
import { ensureDir, writeFileAtomic } from '../core/write-atomic.js';
import { backendForTarget, resolvePlatform } from '../platform/registry.js';
import { DEFAULT_PROTOCOL } from '../profile/measure.js';
import { ExporterModelFactory } from '../export/model-factory.js';
import { calibrationDnas } from '../profile/calibration-networks.js';
import { runProfile } from '../profile/profiler.js';
import type { ProgressSink } from '../profile/progress.js';
import { distinctBlocksOf } from '../profile/space-networks.js';
import type { SearchSpace } from '../space/types.js';
import type { LoadedTarget } from '../targets/schema.js';
import { coveringNetworks, spaceNetworks, type SpaceNetworks } from './space-networks.js';
import { tryTable } from './table-fit.js';
import { coveredSpaces } from './space-coverage.js';
import { buildDesignProblem } from './problem.js';
import { loadSpace } from '../space/load.js';

export interface LatencySource {
  readonly table: LatencyTable;
  readonly networks: SpaceNetworks;
  /** how the table was obtained, for the report */
  readonly origin: 'target-table' | 'given-table' | 'profiled-now' | 'profiled-earlier';
  readonly notes: readonly string[];
  /** blocks measured by this run (0 unless profiled now) */
  readonly measuredNow: number;
}

export interface LatencySourceRequest {
  readonly loaded: LoadedTarget;
  readonly space: SearchSpace;
  readonly classes: number;
  readonly extraTables: readonly string[];
  readonly outDir: string;
  readonly profileRounds: number;
  readonly seed: number;
  readonly progress: ProgressSink;
}

export function profiledTableFile(outDir: string, targetId: string, space: SearchSpace, inputH: number): string {
  return path.join(outDir, 'latency', `${targetId}-${space.name}-${inputH}.json`);
}

/**
 * The table a design priced with, kept in the run (<out>/latency/): a table from elsewhere (--latency-table, the
 * target's) is copied there, so the folder carries it and `layernas verify <run>` judges with the same table.
 */
export async function tableInRun(outDir: string, file: string): Promise<string> {
  const dir = path.join(path.resolve(outDir), 'latency');
  if (path.dirname(path.resolve(file)) === dir) return file;
  const kept = path.join(dir, `priced-with-${path.basename(file)}`);
  await ensureDir(dir);
  await writeFileAtomic(kept, readFileSync(file));
  return kept;
}

export async function resolveLatencySource(req: LatencySourceRequest): Promise<LatencySource> {
  const { loaded, space, classes } = req;
  const target = loaded.target;
  const input = spaceNetworks(space, classes).trained(space.radix.map(() => 0)).input;
  const profiled = profiledTableFile(req.outDir, target.id, space, input.height);
  const candidates: { file: string; origin: LatencySource['origin'] }[] = [
    ...req.extraTables.map((file) => ({ file: path.resolve(file), origin: 'given-table' as const })),
    ...loaded.tableFiles.map((file) => ({ file, origin: 'target-table' as const })),
    ...(existsSync(profiled) ? [{ file: profiled, origin: 'profiled-earlier' as const }] : []),
  ];
  const tried: string[] = [];
  for (const c of candidates) {
    const table = loadTable(c.file);
    const m = table.data.metadata.input;
    if (m.height !== input.height || m.width !== input.width || m.channels !== input.channels) continue;
    const match = checkTableMatchesTarget(table, target);
    const { nets, missing } = tryTable(table, space, classes);
    if (missing.length === 0) {
      const notes = [...match.warnings, `latency table ${c.file}`];
      const fs = table.data.metadata.fewshot;
      if (fs) notes.push(`few-shot estimate: the table was fitted from ${fs.sources.join(', ')} and ${fs.networks} networks measured on the device (leave-one-out error ${(100 * fs.loo_rms_error).toFixed(1)}% rms, ${(100 * fs.loo_within10).toFixed(0)}% of them within +-10%); predicted latencies carry that error`);
      const priced = nets.priced(space.radix.map(() => 0));
      const head = (priced.layers[priced.layers.length - 1] as { out: number }).out;
      if (head !== classes) {
        notes.push(`the table was measured with a ${head}-class classifier; latency is predicted with that head (the trained ${classes}-class classifier is smaller, so predictions are a slight over-estimate)`);
      }
      return { table, networks: nets, origin: c.origin, notes, measuredNow: 0 };
    }
    tried.push(`${c.file} lacks ${missing.length} block(s), e.g. ${missing.slice(0, 3).join(', ')}`);
  }
  if (!resolvePlatform(target).onHost) {
    const covered = coveredSpaces(loaded, classes);
    const first = covered[0];
    let instead = '';
    if (first) {
      // a budget the covered space can meet: 1.5x its cheapest architecture, so the suggested command runs as given
      const table = loadTable(first.table);
      const alt = loadSpace(first.space);
      const cheapest = buildDesignProblem({ table, networks: tryTable(table, alt, classes).nets, origin: 'target-table', notes: [], measuredNow: 0 }, target.id, Infinity, undefined).cheapest.latencyMs;
      const budget = Math.ceil(cheapest * 1.5 * 10) / 10;
      instead = `run instead: layernas design --target ${target.id} --space ${first.space} --latency-ms ${budget} (its tables cover ${covered.map((c) => `${c.space} at ${c.input}`).join(', ')}; cheapest ${first.space} network ${cheapest.toFixed(2)} ms), or `;
    }
    throw new LayernasError('TABLE_MISSING_KEY', `target ${target.id} has no latency table covering space ${space.name} at ${input.height}x${input.width}x${input.channels}; ` +
      `${instead}profile ${space.name} on an attached phone (layernas profile --target ${target.id} --space ${space.name}) and pass the table with --latency-table` +
      `${tried.length > 0 ? ` [${tried.join('; ')}]` : ''}`, {
      target: target.id, space: space.name, tried, covered: covered.map((c) => c.space),
    });
  }
  return profileSpace(req, profiled, input);
}

/**
 * Calibration networks of a table profiled by the design run: 20 random + 10 cost-spanning. Refitting the shipped
 * tables' journals on subsets (bench/calibration-variants.ts): 4 + 2 networks predicted 60-100% of random networks
 * within +-10%, 20 + 10 92-100%; small spaces' networks take well under a second each to time.
 */
const DESIGN_CALIBRATION = { uniform: 20, spanning: 10 } as const;

async function profileSpace(req: LatencySourceRequest, file: string, input: { height: number; width: number; channels: number }): Promise<LatencySource> {
  const { loaded, space, classes } = req;
  const nets = spaceNetworks(space, classes);
  const blocks = distinctBlocksOf(coveringNetworks(nets, 'priced'));
  const calibration = calibrationDnas(space, { ...DESIGN_CALIBRATION, seed: req.seed + 101 }).map((dna) => nets.priced(dna));
  await ensureDir(path.dirname(file));
  const backend = backendForTarget(loaded.target, new ExporterModelFactory());
  try {
    backend.checkVersion();
    const result = await runProfile({
      target: loaded.target, spaceName: space.name, blocks, calibrationNetworks: calibration, input,
      journalFile: `${file}.journal.jsonl`, machine: `${hostname()} (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores)`,
      protocol: { ...DEFAULT_PROTOCOL, rounds: req.profileRounds },
    }, backend, req.progress);
    writeTableFile(file, result.table);
    const table = parseTable(result.table, file);
    return {
      table, networks: nets, origin: 'profiled-now', measuredNow: result.measuredNow,
      notes: [`profiled ${blocks.length} blocks of ${space.name} on ${loaded.target.id} now (${result.measuredNow} measured, ${result.resumed} resumed): ${file}`],
    };
  } finally {
    backend.close();
  }
}
