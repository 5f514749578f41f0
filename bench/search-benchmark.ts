/**
 * Speed goal of issue 3: a 100-seed x 4-algorithm x 300-trial benchmark on NB201 (Pixel 3 <= 9.19 ms, CIFAR-10)
 * finishes in under 2 minutes on this machine. Prints wall time, trials per second and the result table.
 * Run: npx tsx bench/search-benchmark.ts [seeds] [trials]
 */
import { runBenchmark } from '../src/study/benchmark.js';
import { buildProblem } from '../src/study/problem.js';
import { benchmarkTable } from '../src/study/report.js';

const seeds = Number(process.argv[2] ?? 100);
const trials = Number(process.argv[3] ?? 300);
const t0 = performance.now();
const problem = buildProblem({ space: 'nb201', dataset: 'cifar10', constraints: [{ cost: 'latency:pixel3', high: 9.19 }] });
const loaded = performance.now();
const result = await runBenchmark(problem, { algorithms: ['layernas', 'random', 're', 'reinforce'], seeds, budgets: [trials] });
const t1 = performance.now();
const totalTrials = result.rows.reduce((s, r) => s + r.meanTrials * r.runs, 0);
console.log(benchmarkTable(result, `NB201 CIFAR-10, latency:pixel3 <= 9.19 ms, ${seeds} seeds x 4 algorithms x ${trials} trials`));
console.log(`load tables: ${((loaded - t0) / 1000).toFixed(2)} s`);
console.log(`benchmark:   ${((t1 - loaded) / 1000).toFixed(2)} s for ${totalTrials} trials (${Math.round(totalTrials / ((t1 - loaded) / 1000))} trials/s)`);
console.log(`total:       ${((t1 - t0) / 1000).toFixed(2)} s (goal < 120 s)`);
