/**
 * `layernas profile --target <id|file> --space <mobilenetv2|fbnet|space.json|archs.txt> [--out table.json]`:
 * measure every distinct block of the space on the target and write a latency table (resumable: the journal
 * `<out>.journal.jsonl` keeps every finished measurement; rerunning skips them).
 */
import { cliNumber, outputFilePath, parseArgs } from '../options.js';
import { hostname, cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { parseNetwork } from '../../arch/grammar.js';
import type { NetworkSpec } from '../../arch/spec.js';
import { LayernasError } from '../../core/errors.js';
import { writeTableFile } from '../../cost/table-convert/shipped.js';
import { backendForTarget, checkBackendVersion } from '../../profile/backends.js';
import { ExporterModelFactory } from '../../profile/model-factory.js';
import { DEFAULT_PROTOCOL } from '../../profile/measure.js';
import { calibrationDnas } from '../../profile/calibration-networks.js';
import { runProfile } from '../../profile/profiler.js';
import { StderrProgress } from '../../profile/progress.js';
import { distinctBlocksOf, distinctSpaceBlocks, spaceNetwork, type DistinctBlock } from '../../profile/space-networks.js';
import { loadSpace } from '../../space/load.js';
import { resolveTarget } from '../../targets/load.js';

const argsSchema = z.object({
  target: z.string().min(1),
  space: z.string().min(1),
  out: outputFilePath.optional(),
  calibrate: cliNumber.count(0, 200),
  'calibrate-span': cliNumber.count(0, 200),
  rounds: cliNumber.count(1, 100),
  seed: cliNumber.seed(),
  clock: z.enum(['wall', 'cpu']),
  json: z.boolean(),
});

interface Workload {
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

export const profileCommand: CommandModule = {
  command: 'profile',
  describe: 'measure a latency table for a target: every distinct block of a space, one-block models, robust statistics',
  builder: (y) =>
    y
      .option('target', { type: 'string', demandOption: true, describe: 'target id (targets/) or target .json file' })
      .option('space', { type: 'string', demandOption: true, describe: 'mobilenetv2 | fbnet | space .json | .txt file of network strings' })
      .option('out', { type: 'string', describe: 'table file to write (default: <target>-<space>-<H>.json here); journal: <out>.journal.jsonl' })
      .option('calibrate', { type: 'number', default: 40, describe: 'random end-to-end networks measured to calibrate the table (fewer: faster, worse; docs/targets.md)' })
      .option('calibrate-span', { type: 'number', default: 20, describe: 'more calibration networks spread over the cost range (cheapest and dearest included; spaces only)' })
      .option('rounds', { type: 'number', default: DEFAULT_PROTOCOL.rounds, describe: 'interleaved timing rounds per model' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the calibration networks' })
      .option('clock', { choices: ['wall', 'cpu'], default: 'wall', describe: 'wall-clock time, or process CPU time (1-thread targets on an oversubscribed machine)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout' }),
  handler: async (argv) => {
    const args = parseArgs('profile', argsSchema, argv);
    const { target } = resolveTarget(args.target);
    const work = workloadFor(args.space, args.calibrate, args.seed, args['calibrate-span']);
    const out = args.out ?? `${target.id}-${work.name.replace(/[^A-Za-z0-9_-]+/g, '_')}-${work.input.height}.json`;
    const backend = backendForTarget(target, new ExporterModelFactory());
    try {
      checkBackendVersion(backend, target);
      const result = await runProfile(
        {
          target, spaceName: work.name, blocks: work.blocks, calibrationNetworks: work.calibration, input: work.input,
          journalFile: `${out}.journal.jsonl`, machine: `${hostname()} (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores)`,
          protocol: { ...DEFAULT_PROTOCOL, rounds: args.rounds, clock: args.clock },
        },
        backend,
        new StderrProgress(),
      );
      writeTableFile(out, result.table);
      const summary = { table: out, blocks: work.blocks.length, measured: result.measuredNow, resumed: result.resumed, seconds: result.elapsedMs / 1000, noise: result.table.metadata.noise, fixed: result.table.fixed.map((f) => ({ name: f.name, ms: f.median_ms })) };
      process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `wrote ${out}: ${work.blocks.length} blocks, ${result.measuredNow} measured now, ${result.resumed} resumed, ${(result.elapsedMs / 1000).toFixed(1)} s; median relative IQR ${(100 * result.medianRelativeIqr).toFixed(1)}%\n`);
    } finally {
      backend.close();
    }
  },
};
