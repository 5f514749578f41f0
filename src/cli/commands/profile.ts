/**
 * `layernas profile --target <id|file> --space <mobilenetv2|fbnet|space.json|archs.txt> [--out table.json]`:
 * measure every distinct block of the space on the target and write a latency table (resumable: the journal
 * `<out>.journal.jsonl` keeps every finished measurement; rerunning skips them). Few-shot tables (--from/--networks),
 * phone kits (--kit) and their ingestion (--ingest): src/cli/commands/profile-phone.ts.
 */
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { DEFAULT_PROTOCOL, JUDGED_LOADS } from '../../profile/measure.js';
import { profileTable, workloadFor } from '../../profile/profile-job.js';
import { StderrProgress } from '../../profile/progress.js';
import { resolveTarget } from '../../targets/load.js';
import { runPhoneMode } from './profile-phone.js';
import { cliNumber, outputFilePath, parseArgs } from '../options.js';

export { workloadFor };

const argsSchema = z.object({
  target: z.string().min(1).optional(),
  space: z.string().min(1).optional(),
  out: outputFilePath.optional(),
  calibrate: cliNumber.count(0, 200),
  'calibrate-span': cliNumber.count(0, 200),
  rounds: cliNumber.count(1, 100).optional(),
  loads: cliNumber.count(1, 9).optional(),
  seed: cliNumber.seed(),
  from: z.array(z.string().min(1)).optional(),
  networks: cliNumber.count(3, 500).optional(),
  kit: z.string().min(1).optional(),
  ingest: z.string().min(1).optional(),
  cooldown: cliNumber.nonNegative().max(600),
  'cpu-mask': z.string().min(1),
  clock: z.enum(['wall', 'cpu']),
  json: z.boolean(),
});

export const profileCommand: CommandModule = {
  command: 'profile',
  describe: 'measure a latency table for a target: every distinct block of a space, one-block models, robust statistics',
  builder: (y) =>
    y
      .option('target', { type: 'string', describe: 'target id (targets/) or target .json file' })
      .option('space', { type: 'string', describe: 'a shipped space (mobile32, fbnet, mobilenetv2, nb201, ...), a space .json, or a .txt file of network strings' })
      .option('out', { type: 'string', describe: 'table file to write (default: <target>-<space>-<H>.json here); journal: <out>.journal.jsonl' })
      .option('calibrate', { type: 'number', default: 40, describe: 'random end-to-end networks measured to calibrate the table (fewer: faster, worse; docs/targets.md)' })
      .option('calibrate-span', { type: 'number', default: 20, describe: 'more calibration networks spread over the cost range (cheapest and dearest included; spaces only)' })
      .option('rounds', { type: 'number', describe: `interleaved timing rounds per model (default ${DEFAULT_PROTOCOL.rounds}; kits: 3)` })
      .option('loads', { type: 'number', describe: `fresh loads of each model, all timed, the middle one kept (default 1; verify times ${JUDGED_LOADS} loads of a deployed file; bench/profile-loads.ts)` })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the calibration networks' })
      .option('clock', { choices: ['wall', 'cpu'], default: 'wall', describe: 'wall-clock time, or process CPU time (1-thread targets on an oversubscribed machine)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout' })
      .option('from', { type: 'string', array: true, describe: 'few-shot: source latency tables or targets (comma-separated or repeated); with --networks' })
      .option('networks', { type: 'number', describe: 'few-shot: how many networks to measure on the target (the tool chooses them)' })
      .option('kit', { type: 'string', describe: 'write a benchmark kit for an android-adb target into this folder instead of measuring (models, run.sh, README)' })
      .option('ingest', { type: 'string', describe: "build the table from a kit folder's results.txt" })
      .option('cooldown', { type: 'number', default: 2, describe: 'kits: seconds of rest after every benchmark_model call' })
      .option('cpu-mask', { type: 'string', default: 'f0', describe: 'kits: taskset CPU mask (hex) the phone runs benchmark_model on (f0: the big cores of most 4+4 phones)' })
      .example('$0 profile --target host-tflite-1t --space mobile32', 'measure every block of a shipped space on this machine')
      .example('$0 profile --target pixel3-tflite --space mobile32', 'on an attached phone (adb + benchmark_model)')
      .example('$0 profile --target host-tflite-1t --space net.txt', 'the blocks of the networks listed in a file'),
  handler: async (argv) => {
    const args = parseArgs('profile', argsSchema, argv);
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
    const result = await profileTable({ target, work, out, rounds: args.rounds ?? DEFAULT_PROTOCOL.rounds, clock: args.clock, ...(args.loads !== undefined ? { loads: args.loads } : {}), progress: new StderrProgress() });
    const summary = { table: out, blocks: work.blocks.length, measured: result.measuredNow, resumed: result.resumed, seconds: result.elapsedMs / 1000, noise: result.table.metadata.noise, fixed: result.table.fixed.map((f) => ({ name: f.name, ms: f.median_ms })) };
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `wrote ${out}: ${work.blocks.length} blocks, ${result.measuredNow} measured now, ${result.resumed} resumed, ${(result.elapsedMs / 1000).toFixed(1)} s; median relative IQR ${(100 * result.medianRelativeIqr).toFixed(1)}%\n`);
  },
};
