/**
 * `layernas profile --target <id|file> --space <mobilenetv2|fbnet|space.json|archs.txt> [--out table.json]`:
 * measure every distinct block of the space on the target and write a latency table (resumable: the journal
 * `<out>.journal.jsonl` keeps every finished measurement; rerunning skips them).
 */
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { DEFAULT_PROTOCOL } from '../../profile/measure.js';
import { profileTable, workloadFor } from '../../profile/profile-job.js';
import { StderrProgress } from '../../profile/progress.js';
import { resolveTarget } from '../../targets/load.js';
import { cliNumber, outputFilePath, parseArgs } from '../options.js';

export { workloadFor };

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
    const result = await profileTable({ target, work, out, rounds: args.rounds, clock: args.clock, progress: new StderrProgress() });
    const summary = { table: out, blocks: work.blocks.length, measured: result.measuredNow, resumed: result.resumed, seconds: result.elapsedMs / 1000, noise: result.table.metadata.noise, fixed: result.table.fixed.map((f) => ({ name: f.name, ms: f.median_ms })) };
    process.stdout.write(args.json ? `${JSON.stringify(summary, null, 1)}\n` : `wrote ${out}: ${work.blocks.length} blocks, ${result.measuredNow} measured now, ${result.resumed} resumed, ${(result.elapsedMs / 1000).toFixed(1)} s; median relative IQR ${(100 * result.medianRelativeIqr).toFixed(1)}%\n`);
  },
};
