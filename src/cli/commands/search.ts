/**
 * `layernas search`: one search run with progress, resumable from its journal, ending with the chosen model and
 * (LayerNAS) the best candidate of every bucket.
 */
import type { CommandModule } from 'yargs';
import { cliNumber, journalFilePath, parseArgs } from '../options.js';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import type { Evaluator } from '../../eval/types.js';
import { LocalPool } from '../../dispatch/local-pool.js';
import type { TrialDispatcher } from '../../dispatch/types.js';
import { ALGORITHMS } from '../../search/types.js';
import { buildProblem, type ConstraintOption } from '../../study/problem.js';
import { runSearch } from '../../study/run-search.js';
import type { TrialRecord } from '../../study/study.js';
import { redisDispatcherFromArgs, withRedisDispatchOptions } from '../../dispatch/create.js';

const numList = z.array(z.number()).optional();

export const problemArgsSchema = z.object({
  space: z.string().min(1),
  dataset: z.string().optional(),
  cost: z.array(z.string().min(1)).default([]),
  max: numList,
  min: numList,
  noise: cliNumber.nonNegative().default(0),
  csv: z.string().optional(),
  'reward-column': z.string().optional(),
});

/** --cost a --max x [--min y] --cost b --max z: constraints aligned by position. */
export function constraintsFromArgs(a: z.infer<typeof problemArgsSchema>): ConstraintOption[] {
  const max = a.max ?? [];
  const min = a.min ?? [];
  if (max.length > a.cost.length || min.length > a.cost.length) {
    throw new LayernasError('USAGE', `give one --cost per --max/--min (got ${a.cost.length} --cost, ${max.length} --max, ${min.length} --min)`);
  }
  return a.cost.map((cost, i) => {
    if (max[i] === undefined && min[i] === undefined) throw new LayernasError('USAGE', `--cost ${cost} needs --max and/or --min`);
    return { cost, ...(max[i] !== undefined ? { high: max[i] } : {}), ...(min[i] !== undefined ? { low: min[i] } : {}) };
  });
}

export function problemFromArgs(a: z.infer<typeof problemArgsSchema>, dataset = a.dataset) {
  if (a.csv && !a['reward-column']) throw new LayernasError('USAGE', '--csv needs --reward-column');
  return buildProblem({
    space: a.space,
    ...(dataset !== undefined ? { dataset } : {}),
    constraints: constraintsFromArgs(a),
    noiseStd: a.noise,
    ...(a.csv ? { csv: { file: a.csv, rewardColumn: a['reward-column'] as string } } : {}),
  });
}

const searchArgsSchema = problemArgsSchema.extend({
  algorithm: z.enum(ALGORITHMS),
  trials: cliNumber.count(),
  seed: cliNumber.count(0),
  journal: journalFilePath.optional(),
  batch: cliNumber.count(),
  buckets: cliNumber.count().optional(),
  keep: cliNumber.count().optional(),
  'eval-delay-ms': cliNumber.count(0),
  json: z.boolean(),
  workers: cliNumber.count(1, 256).optional(),
});

function withDelay(inner: Evaluator, ms: number): Evaluator {
  if (ms <= 0) return inner;
  return { kind: inner.kind, options: inner.options, evaluate: async (r) => { await new Promise((res) => setTimeout(res, ms)); return inner.evaluate(r); } };
}

function describe(t: TrialRecord): string {
  const costs = Object.entries(t.costs).map(([k, v]) => `${k}=${Number(v.toPrecision(6))}`).join(' ');
  return `trial ${t.trial}: reward ${t.reward.toFixed(3)} ${costs} ${t.arch}`;
}

export const searchCommand: CommandModule = {
  command: 'search',
  describe: 'run one architecture search (LayerNAS or a baseline) under cost constraints, resumable from its journal',
  builder: (y) =>
    withRedisDispatchOptions(y)
      .option('space', { type: 'string', demandOption: true, describe: 'nb201 | nats_sss | fbnet | mobilenetv2 | path/to/space.json' })
      .option('dataset', { type: 'string', describe: 'nb201: cifar10 | cifar100 | ImageNet16-120' })
      .option('cost', { type: 'string', array: true, describe: 'constrained cost: latency:<device> | madds | params | csv:<column of --csv> (repeat for 2)' })
      .option('max', { type: 'number', array: true, describe: 'upper bound of each --cost' })
      .option('min', { type: 'number', array: true, describe: 'lower bound of each --cost' })
      .option('algorithm', { type: 'string', default: 'layernas', choices: [...ALGORITHMS] })
      .option('trials', { type: 'number', default: 300, describe: 'trial budget (evaluated architectures)' })
      .option('seed', { type: 'number', default: 0 })
      .option('journal', { type: 'string', describe: 'JSONL journal; an existing one is resumed' })
      .option('batch', { type: 'number', default: 1, describe: 'proposals evaluated together' })
      .option('buckets', { type: 'number', describe: 'LayerNAS H (default: by the budget rule)' })
      .option('keep', { type: 'number', describe: 'LayerNAS K (default: by the budget rule)' })
      .option('noise', { type: 'number', default: 0, describe: 'std of Gaussian noise added to tabular rewards' })
      .option('csv', { type: 'string', describe: 'per-architecture CSV with an arch column (your own measurements)' })
      .option('reward-column', { type: 'string', describe: 'CSV column to maximise' })
      .option('eval-delay-ms', { type: 'number', default: 0, describe: 'wait this long per evaluation (simulates training time)' })
      .option('workers', { type: 'number', describe: 'evaluate in a local pool of this many worker processes (nb201 tabular)' })
      .option('json', { type: 'boolean', default: false }) as never,
  handler: async (argv) => {
    const a = parseArgs('search', searchArgsSchema, argv);
    if (a.csv && !a['reward-column']) throw new LayernasError('USAGE', '--csv needs --reward-column');
    let lastBest: TrialRecord | undefined;
    let dispatcher: TrialDispatcher | undefined;
    try {
      const result = await runSearch({
        space: a.space,
        ...(a.dataset !== undefined ? { dataset: a.dataset } : {}),
        constraints: constraintsFromArgs(a),
        noise: a.noise,
        ...(a.csv ? { csv: { file: a.csv, rewardColumn: a['reward-column'] as string } } : {}),
        algorithm: a.algorithm,
        trials: a.trials,
        seed: a.seed,
        batch: a.batch,
        ...(a.journal !== undefined ? { journal: a.journal } : {}),
        ...(a.buckets !== undefined ? { buckets: a.buckets } : {}),
        ...(a.keep !== undefined ? { keep: a.keep } : {}),
      }, {
        wrapEvaluator: (e) => withDelay(e, a['eval-delay-ms']),
        dispatcher: async (evaluator) => {
          dispatcher = await redisDispatcherFromArgs(argv as Record<string, unknown>);
          if (dispatcher === undefined && a.workers !== undefined) {
            if (evaluator.kind !== 'nb201-tabular') throw new LayernasError('USAGE', `--workers evaluates with the nb201 tabular evaluator only (this study uses ${evaluator.kind})`);
            dispatcher = await LocalPool.start({ evaluator: { evaluator: { kind: 'nb201' }, delayMs: a['eval-delay-ms'] }, workers: a.workers, trialTimeoutMs: 600_000 });
          }
          return dispatcher;
        },
        onNotice: (m) => process.stderr.write(`${m}\n`),
        onProgress: (p) => {
          if (a.json) return;
          if (p.best && p.best !== lastBest) {
            lastBest = p.best;
            process.stderr.write(`[${p.trialsUsed}/${p.maxTrials}] new best ${describe(p.best)}\n`);
          } else if (p.trialsUsed % 25 === 0) process.stderr.write(`[${p.trialsUsed}/${p.maxTrials}]\n`);
        },
      });
      const choice = { settings: result.algorithmSettings };
      const out = {
        best: result.best ? { ...result.best, dna: [...result.best.dna] } : null,
        trialsUsed: result.trialsUsed,
        evaluatedThisRun: result.evaluatedThisRun,
        algorithmSettings: choice.settings,
        summary: result.summary ?? null,
      };
      for (const p of result.problems) process.stderr.write(`warning [JOURNAL_CORRUPT]: ${a.journal ?? 'journal'}: ${p}\n`);
      if (a.json) {
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      const lines = [`trials used: ${result.trialsUsed} (evaluated in this run: ${result.evaluatedThisRun})`, `settings: ${JSON.stringify(choice.settings)}`];
      lines.push(result.best ? `best: ${describe(result.best)} metrics ${JSON.stringify(result.best.metrics)}` : 'best: none (no feasible model evaluated)');
      const buckets = (result.summary?.buckets ?? []) as { bucket: string; dna: number[]; reward: number; costs: number[] }[];
      if (buckets.length > 0) {
        lines.push('best per bucket (last layer):');
        for (const b of buckets) lines.push(`  bucket ${b.bucket}: reward ${b.reward.toFixed(3)} costs ${b.costs.map((c) => Number(c.toPrecision(6))).join(',')} dna ${b.dna.join('-')}`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    } finally {
      await (dispatcher as TrialDispatcher | undefined)?.close();
    }
  },
};
