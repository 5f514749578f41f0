/**
 * `layernas profile --target <id|file> --space <mobilenetv2|fbnet|space.json|archs.txt> [--out table.json]`:
 * measure every distinct block of the space on the target and write a latency table (resumable: the journal
 * `<out>.journal.jsonl` keeps every finished measurement; rerunning skips them). Few-shot tables (--from/--networks),
 * phone kits (--kit) and their ingestion (--ingest): src/cli/commands/profile-phone.ts.
 */
import { hostname, cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { parseNetwork } from '../../arch/grammar.js';
import type { NetworkSpec } from '../../arch/spec.js';
import { LayernasError } from '../../core/errors.js';
import { writeTableFile } from '../../cost/table-convert/shipped.js';
import { backendForTarget } from '../../platform/registry.js';
import { ExporterModelFactory } from '../../export/model-factory.js';
import { DEFAULT_PROTOCOL } from '../../profile/measure.js';
import { calibrationDnas } from '../../profile/calibration-networks.js';
import { runProfile } from '../../profile/profiler.js';
import { StderrProgress } from '../../profile/progress.js';
import { distinctBlocksOf, distinctSpaceBlocks, spaceNetwork, type DistinctBlock } from '../../profile/space-networks.js';
import { loadSpace } from '../../space/load.js';
import { resolveTarget } from '../../targets/load.js';
import { runPhoneMode } from './profile-phone.js';

const argsSchema = z.object({
  target: z.string().min(1).optional(),
  space: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  calibrate: z.number().int().min(0).max(200),
  'calibrate-span': z.number().int().min(0).max(200),
  rounds: z.number().int().min(1).max(100).optional(),
  seed: z.number().int(),
  from: z.array(z.string().min(1)).optional(),
  networks: z.number().int().min(3).max(500).optional(),
  kit: z.string().min(1).optional(),
  ingest: z.string().min(1).optional(),
  cooldown: z.number().min(0).max(600),
  'cpu-mask': z.string().min(1),
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
      .option('target', { type: 'string', describe: 'target id (targets/) or target .json file' })
      .option('space', { type: 'string', describe: 'mobilenetv2 | fbnet | space .json | .txt file of network strings' })
      .option('out', { type: 'string', describe: 'table file to write (default: <target>-<space>-<H>.json here); journal: <out>.journal.jsonl' })
      .option('calibrate', { type: 'number', default: 40, describe: 'random end-to-end networks measured to calibrate the table (fewer: faster, worse; docs/targets.md)' })
      .option('calibrate-span', { type: 'number', default: 20, describe: 'more calibration networks spread over the cost range (cheapest and dearest included; spaces only)' })
      .option('rounds', { type: 'number', describe: `interleaved timing rounds per model (default ${DEFAULT_PROTOCOL.rounds}; kits: 3)` })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the calibration networks' })
      .option('clock', { choices: ['wall', 'cpu'], default: 'wall', describe: 'wall-clock time, or process CPU time (1-thread targets on an oversubscribed machine)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout' })
      .option('from', { type: 'string', array: true, describe: 'few-shot: source latency tables or targets (comma-separated or repeated); with --networks' })
      .option('networks', { type: 'number', describe: 'few-shot: how many networks to measure on the target (the tool chooses them)' })
      .option('kit', { type: 'string', describe: 'write a benchmark kit for an android-adb target into this folder instead of measuring (models, run.sh, README)' })
      .option('ingest', { type: 'string', describe: "build the table from a kit folder's results.txt" })
      .option('cooldown', { type: 'number', default: 2, describe: 'kits: seconds of rest after every benchmark_model call' })
      .option('cpu-mask', { type: 'string', default: 'f0', describe: 'kits: taskset CPU mask (hex) the phone runs benchmark_model on (f0: the big cores of most 4+4 phones)' }),
  handler: async (argv) => {
    const args = argsSchema.parse(argv);
    const from = args.from?.flatMap((f) => f.split(',')).filter((f) => f !== '');
    if (args.ingest || args.kit || from || args.networks !== undefined) {
      await runPhoneMode({
        ...(args.target ? { target: resolveTarget(args.target).target } : {}), ...(args.space ? { space: args.space } : {}), ...(args.out ? { out: args.out } : {}),
        ...(from ? { from } : {}), ...(args.networks !== undefined ? { networks: args.networks } : {}), ...(args.kit ? { kit: args.kit } : {}), ...(args.ingest ? { ingest: args.ingest } : {}),
        calibrate: args.calibrate, calibrateSpan: args['calibrate-span'], ...(args.rounds !== undefined ? { rounds: args.rounds } : {}), seed: args.seed,
        kitSettings: { cooldownS: args.cooldown, cpuMask: args['cpu-mask'] }, json: args.json,
      });
      return;
    }
    if (!args.target || !args.space) throw new LayernasError('USAGE', 'profile needs --target and --space (or --ingest <kit folder>)', { flag: args.target ? 'space' : 'target' });
    const { target } = resolveTarget(args.target);
    const work = workloadFor(args.space, args.calibrate, args.seed, args['calibrate-span']);
    const out = args.out ?? `${target.id}-${work.name.replace(/[^A-Za-z0-9_-]+/g, '_')}-${work.input.height}.json`;
    const backend = backendForTarget(target, new ExporterModelFactory());
    try {
      backend.checkVersion();
      const result = await runProfile(
        {
          target, spaceName: work.name, blocks: work.blocks, calibrationNetworks: work.calibration, input: work.input,
          journalFile: `${out}.journal.jsonl`, machine: `${hostname()} (${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores)`,
          protocol: { ...DEFAULT_PROTOCOL, rounds: args.rounds ?? DEFAULT_PROTOCOL.rounds, clock: args.clock },
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
