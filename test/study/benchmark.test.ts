import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmark, constrainedOracle } from '../../src/study/benchmark.js';
import { buildProblem } from '../../src/study/problem.js';
import { benchmarkSvg, benchmarkTable } from '../../src/study/report.js';
import { isLayernasError } from '../../src/core/errors.js';

test('benchmark on NB201 Pixel 3 <= 9.19 ms: oracle from the table, table and SVG with a 25-75% band', async () => {
  const problem = buildProblem({ space: 'nb201', dataset: 'ImageNet16-120', constraints: [{ cost: 'latency:pixel3', high: 9.19 }] });
  const oracle = constrainedOracle(problem);
  assert.equal(oracle.best.toFixed(2), '45.23'); // issue 3: the constrained optimum
  const result = await runBenchmark(problem, { algorithms: ['layernas', 'random'], seeds: 8, budgets: [100] });
  const ln = result.rows.find((r) => r.algorithm === 'layernas')!;
  const rs = result.rows.find((r) => r.algorithm === 'random')!;
  assert.ok(ln.maxTrials <= 100 && rs.maxTrials === 100);
  assert.equal(ln.noAnswer + rs.noAnswer, 0);
  assert.ok(ln.meanAcc > rs.meanAcc, `layernas ${ln.meanAcc} vs random ${rs.meanAcc}`);
  assert.ok(ln.meanAcc <= oracle.best && rs.meanAcc <= oracle.best);
  const curve = result.curves.find((c) => c.algorithm === 'random')!;
  for (let t = 1; t < 100; t++) assert.ok(!(curve.mean[t]! < curve.mean[t - 1]!), 'best-so-far never decreases');
  assert.ok(curve.p25.every((v, i) => Number.isNaN(v) || v <= curve.p75[i]!));
  const svg = benchmarkSvg(result.curves, result.oracle, 'test');
  assert.match(svg, /^<svg[\s\S]*<polygon[\s\S]*<polyline[\s\S]*<\/svg>$/);
  assert.match(benchmarkTable(result, 't'), /layernas\s+100/);
});

test('benchmark with an impossible budget fails before any run', async () => {
  const problem = buildProblem({ space: 'nb201', dataset: 'cifar10', constraints: [{ cost: 'latency:pixel3', high: 0.001 }] });
  let runs = 0;
  await assert.rejects(runBenchmark(problem, { algorithms: ['layernas'], seeds: 2, budgets: [10], onRunDone: () => runs++ }), (e) => isLayernasError(e, 'BUDGET_IMPOSSIBLE'));
  assert.equal(runs, 0);
});
