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
import { problemArgsSchema, problemFromArgs } from './search.js';
import { redisDispatcherFromArgs, withRedisDispatchOptions } from '../../dispatch/create.js';

const argsSchema = problemArgsSchema.extend({
  algorithms: z.string(),
  seeds: z.number().int().positive(),
  trials: z.string(),
  out: z.string().optional(),
  datasets: z.string().optional(),
});

function list(s: string): string[] {
  return s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
}

export const benchmarkCommand: CommandModule = {
  command: 'benchmark',
  describe: 'compare LayerNAS with random search, regularized evolution and REINFORCE over many seeds on tabular data',
  builder: (y) =>
    withRedisDispatchOptions(y)
      .option('space', { type: 'string', default: 'nb201' })
      .option('dataset', { type: 'string', describe: 'dataset, or several separated by commas (cifar10,cifar100,ImageNet16-120)' })
      .option('cost', { type: 'string', array: true, describe: 'constrained cost: latency:<device> | madds | params' })
      .option('max', { type: 'number', array: true })
      .option('min', { type: 'number', array: true })
      .option('algorithms', { type: 'string', default: 'layernas,random,re,reinforce' })
      .option('seeds', { type: 'number', default: 100 })
      .option('trials', { type: 'string', default: '100,300', describe: 'trial budgets, comma separated' })
      .option('noise', { type: 'number', default: 0, describe: 'std of Gaussian reward noise (accuracy points)' })
      .option('out', { type: 'string', describe: 'output directory for JSON, SVG and the table' }) as never,
  handler: async (argv) => {
    const parsed = argsSchema.safeParse(argv);
    if (!parsed.success) throw new LayernasError('USAGE', `benchmark: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const a = parsed.data;
    const algorithms = list(a.algorithms);
    const bad = algorithms.filter((n) => !isAlgorithmName(n));
    if (bad.length > 0 || algorithms.length === 0) throw new LayernasError('USAGE', `unknown algorithm(s) ${bad.join(', ')}: use layernas, random, re, reinforce`);
    const budgets = list(a.trials).map(Number);
    if (budgets.some((b) => !Number.isInteger(b) || b <= 0)) throw new LayernasError('USAGE', `--trials must be positive integers, got ${a.trials}`);
    const datasets = a.dataset ? list(a.dataset) : [undefined];
    if (a.out) mkdirSync(a.out, { recursive: true });
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
