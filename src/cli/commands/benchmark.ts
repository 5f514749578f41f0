/**
 * `layernas benchmark`: algorithms x seeds x trial budgets on a tabular space; prints a table per dataset and writes
 * <out>/<dataset>.json, <out>/<dataset>.svg (accuracy vs trials, 25-75% band) and <out>/table.txt.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { isAlgorithmName, type AlgorithmName } from '../../search/types.js';
import { runBenchmark } from '../../study/benchmark.js';
import { benchmarkSvg, benchmarkTable } from '../../study/report.js';
import { runSuite, suiteProblems, suiteSpec } from '../../study/suite.js';
import { suiteSvg, suiteTable } from '../../study/suite-report.js';
import { problemArgsSchema, problemFromArgs } from './search.js';
import { redisDispatcherFromArgs, withRedisDispatchOptions } from '../../dispatch/create.js';

const argsSchema = problemArgsSchema.extend({
  algorithms: z.string(),
  seeds: z.number().int().positive(),
  trials: z.string(),
  out: z.string().optional(),
  datasets: z.string().optional(),
  suite: z.string().optional(),
  'suite-costs': z.string().optional(),
  'suite-fractions': z.string().optional(),
  jobs: z.number().int().positive().default(1),
});

function list(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
}

async function runSuiteCommand(a: z.infer<typeof argsSchema>, algorithms: AlgorithmName[], budgets: number[]): Promise<void> {
  const base = suiteSpec(a.suite as string);
  const fractions = a['suite-fractions'] ? list(a['suite-fractions']).map(Number) : base.fractions;
  if (fractions.some((f) => !(f > 0))) throw new LayernasError('USAGE', `--suite-fractions must be positive numbers, got ${a['suite-fractions']}`);
  const spec = { costs: a['suite-costs'] ? list(a['suite-costs']) : base.costs, fractions, datasets: a.dataset ? list(a.dataset) : base.datasets };
  const problems = suiteProblems(spec, a.noise);
  const started = Date.now();
  const result = await runSuite(problems, {
    algorithms,
    seeds: a.seeds,
    budgets,
    jobs: a.jobs,
    onProblemDone: (done, total, id) => process.stderr.write(`[${done}/${total}] ${id} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`),
  });
  const title = `suite ${a.suite}: ${problems.length} problems (${spec.costs.length} costs x ${spec.fractions.map((f) => `${f * 100}%`).join('/')} of max x ${spec.datasets.length} datasets), ${a.seeds} seeds, noise ${a.noise}`;
  const table = `${suiteTable(result, title, algorithms, budgets)}\n(${(result.elapsedMs / 1000).toFixed(1)} s)`;
  process.stdout.write(table + '\n');
  if (a.out) {
    writeFileSync(path.join(a.out, 'suite.json'), JSON.stringify({ title, command: process.argv.slice(2).join(' '), spec, ...result }, null, 1) + '\n');
    writeFileSync(path.join(a.out, 'suite.txt'), table + '\n');
    writeFileSync(path.join(a.out, 'suite.svg'), suiteSvg(result, `${title}, budget ${Math.max(...budgets)}`) + '\n');
  }
}

export const benchmarkCommand: CommandModule = {
  command: 'benchmark',
  describe: 'compare LayerNAS with random search, regularized evolution and REINFORCE over many seeds on tabular data',
  builder: (y) =>
    withRedisDispatchOptions(y)
      .option('space', { type: 'string', default: 'nb201' })
      .option('dataset', { type: 'string', describe: 'dataset, or several separated by commas (cifar10,cifar100,ImageNet16-120)' })
      .option('cost', { type: 'string', array: true, describe: 'constrained cost: latency:<device> | madds | params | csv:<column of --csv>' })
      .option('max', { type: 'number', array: true })
      .option('min', { type: 'number', array: true })
      .option('algorithms', { type: 'string', default: 'layernas,random,re,reinforce' })
      .option('seeds', { type: 'number', default: 100 })
      .option('trials', { type: 'string', default: '100,300', describe: 'trial budgets, comma separated' })
      .option('noise', { type: 'number', default: 0, describe: 'std of Gaussian reward noise (accuracy points)' })
      .option('csv', { type: 'string', describe: 'your own per-architecture CSV (arch column + numbers): the reward and the oracle come from it' })
      .option('reward-column', { type: 'string', describe: 'CSV column to maximise' })
      .option('out', { type: 'string', describe: 'output directory for JSON, SVG and the table' })
      .option('suite', { type: 'string', describe: 'run a problem suite instead of one problem: nb201-latency (6 devices x 15/25 % of max x 3 datasets)' })
      .option('suite-costs', { type: 'string', describe: 'suite: replace its cost columns (comma separated, e.g. latency:pixel3,params)' })
      .option('jobs', { type: 'number', default: 1, describe: 'suite: problems run in parallel on this many threads (same results)' })
      .option('suite-fractions', { type: 'string', describe: 'suite: replace its budget fractions of each cost maximum (e.g. 0.1,0.2,0.35)' }) as never,
  handler: async (argv) => {
    const parsed = argsSchema.safeParse(argv);
    if (!parsed.success) throw new LayernasError('USAGE', `benchmark: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const a = parsed.data;
    const algorithms = list(a.algorithms);
    const bad = algorithms.filter((n) => !isAlgorithmName(n));
    if (bad.length > 0 || algorithms.length === 0) throw new LayernasError('USAGE', `unknown algorithm(s) ${bad.join(', ')}: use layernas, random, re, reinforce`);
    const budgets = list(a.trials).map(Number);
    if (budgets.some((b) => !Number.isInteger(b) || b <= 0)) throw new LayernasError('USAGE', `--trials must be positive integers, got ${a.trials}`);
    if (a.out) mkdirSync(a.out, { recursive: true });
    if (a.suite) {
      await runSuiteCommand(a, algorithms as AlgorithmName[], budgets);
      return;
    }
    const datasets = a.dataset ? list(a.dataset) : [undefined];
    const tables: string[] = [];
    const dispatcher = await redisDispatcherFromArgs(argv as Record<string, unknown>);
    try {
      for (const dataset of datasets) {
        const problem = problemFromArgs(a, dataset);
        const constraintText = problem.constraints.list.map((c) => `${c.model.name} in [${Number.isFinite(c.low) ? c.low : '-inf'}, ${c.high}]`).join(', ') || 'unconstrained';
        const title = `${problem.space.name} ${dataset ?? ''} ${constraintText}, ${a.seeds} seeds, noise ${a.noise}`;
        let lastPct = -1;
        const result = await runBenchmark(problem, {
          algorithms: algorithms as AlgorithmName[],
          seeds: a.seeds,
          budgets,
          ...(dispatcher ? { dispatcher } : {}),
          onRunDone: (done, total) => {
            const pct = Math.floor((done / total) * 10);
            if (pct !== lastPct) {
              lastPct = pct;
              process.stderr.write(`${dataset ?? ''}: ${done}/${total} runs\n`);
            }
          },
        });
        const table = `${benchmarkTable(result, title)}\n(${(result.elapsedMs / 1000).toFixed(1)} s)`;
        tables.push(table);
        process.stdout.write(table + '\n\n');
        if (a.out) {
          const base = path.join(a.out, dataset ?? problem.space.name);
          writeFileSync(`${base}.json`, JSON.stringify({ title, command: process.argv.slice(2).join(' '), ...result }, null, 1) + '\n');
          const top = Math.max(...budgets);
          writeFileSync(`${base}.svg`, benchmarkSvg(result.curves.filter((c) => c.budget === top), result.oracle, `${title}, budget ${top}`) + '\n');
        }
      }
    } finally {
      await dispatcher?.close();
    }
    if (a.out) writeFileSync(path.join(a.out, 'table.txt'), tables.join('\n\n') + '\n');
  },
};
