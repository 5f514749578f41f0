/**
 * Problem suites for `layernas benchmark --suite`: many constrained problems, one settings rule per algorithm, every
 * problem reported. `nb201-latency`: every latency column of the NB201 table x budgets at fixed fractions of that
 * device's maximum latency x the three datasets. Figures per problem: mean gap to the constrained optimum, share of
 * runs that return the optimum, trials used and trials spent on models over the budget.
 */
import { LayernasError } from '../core/errors.js';
import { NB201_LATENCY_DEVICES } from '../cost/tabular-latency.js';
import { NB201_DATASETS } from '../eval/tabular-nb201.js';
import type { AlgorithmName } from '../search/types.js';
import { runBenchmark, type BenchmarkRow } from './benchmark.js';
import { buildProblem, type ProblemOptions } from './problem.js';

export interface SuiteProblem {
  readonly id: string;
  readonly options: ProblemOptions;
}

export interface SuiteSpec {
  /** cost specs, e.g. latency:pixel3 or params */
  readonly costs: readonly string[];
  /** budgets as fractions of each cost's maximum over the space */
  readonly fractions: readonly number[];
  readonly datasets: readonly string[];
}

export const SUITES: Record<string, SuiteSpec> = {
  'nb201-latency': { costs: NB201_LATENCY_DEVICES.map((d) => `latency:${d}`), fractions: [0.15, 0.25], datasets: [...NB201_DATASETS] },
};

export function suiteSpec(name: string): SuiteSpec {
  const s = SUITES[name];
  if (!s) throw new LayernasError('USAGE', `unknown suite "${name}" (known: ${Object.keys(SUITES).join(', ')})`);
  return s;
}

/** The problems of a suite: budget = fraction x the cost's maximum over the whole space (computed from the table). */
export function suiteProblems(spec: SuiteSpec, noiseStd = 0): SuiteProblem[] {
  const out: SuiteProblem[] = [];
  for (const cost of spec.costs) {
    for (const dataset of spec.datasets) {
      const probe = buildProblem({ space: 'nb201', dataset, constraints: [{ cost, high: Infinity }] });
      const model = probe.constraints.list[0]!.model;
      const max = model.completionBounds(probe.space.radix.map(() => 0), 0).max;
      for (const f of spec.fractions) {
        const high = Number((f * max).toPrecision(6));
        out.push({ id: `${cost}<=${high} (${Math.round(f * 100)}%) ${dataset}`, options: { space: 'nb201', dataset, constraints: [{ cost, high }], noiseStd } });
      }
    }
  }
  return out;
}

export interface SuiteRow extends BenchmarkRow {
  readonly problem: string;
  readonly oracle: number;
  readonly meanGap: number;
}

export interface SuiteOverall {
  readonly algorithm: AlgorithmName;
  readonly budget: number;
  readonly meanGap: number;
  readonly maxGap: number;
  readonly exactShare: number;
  readonly meanTrials: number;
  /** trials over budget / trials used, over the whole suite */
  readonly overBudgetShare: number;
  readonly noAnswer: number;
}

export interface SuiteResult {
  readonly rows: SuiteRow[];
  /** problems with no feasible architecture (BUDGET_IMPOSSIBLE before any trial), left out of every average */
  readonly impossible: { problem: string; message: string }[];
  readonly overall: SuiteOverall[];
  /** mean over problems of the gap of the best-so-far chosen model after t trials, per algorithm, largest budget */
  readonly gapCurves: { algorithm: AlgorithmName; budget: number; mean: number[] }[];
  readonly elapsedMs: number;
}

export interface SuiteOptions {
  readonly algorithms: readonly AlgorithmName[];
  readonly seeds: number;
  readonly budgets: readonly number[];
  readonly onProblemDone?: (done: number, total: number, id: string) => void;
}

export async function runSuite(problems: readonly SuiteProblem[], options: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const rows: SuiteRow[] = [];
  const top = Math.max(...options.budgets);
  const curveSums = new Map<AlgorithmName, number[]>();
  let k = 0;
  const impossible: { problem: string; message: string }[] = [];
  let counted = 0;
  for (const p of problems) {
    const problem = buildProblem(p.options);
    try {
      problem.constraints.assertPossible();
    } catch (e) {
      if (!(e instanceof LayernasError) || e.code !== 'BUDGET_IMPOSSIBLE') throw e;
      impossible.push({ problem: p.id, message: e.message });
      options.onProblemDone?.(++k, problems.length, `${p.id} (impossible)`);
      continue;
    }
    counted++;
    const res = await runBenchmark(problem, { algorithms: options.algorithms, seeds: options.seeds, budgets: options.budgets });
    for (const r of res.rows) rows.push({ ...r, problem: p.id, oracle: res.oracle, meanGap: Math.max(0, r.meanRegret) });
    for (const c of res.curves) {
      if (c.budget !== top) continue;
      const sum = curveSums.get(c.algorithm) ?? new Array<number>(top).fill(0);
      c.mean.forEach((v, t) => (sum[t] = (sum[t] as number) + (Number.isNaN(v) ? NaN : res.oracle - v)));
      curveSums.set(c.algorithm, sum);
    }
    options.onProblemDone?.(++k, problems.length, p.id);
  }
  const overall: SuiteOverall[] = [];
  for (const budget of options.budgets) {
    for (const algorithm of options.algorithms) {
      const rs = rows.filter((r) => r.algorithm === algorithm && r.budget === budget);
      if (rs.length === 0) continue;
      const used = rs.reduce((s, r) => s + r.meanTrials, 0);
      overall.push({
        algorithm,
        budget,
        meanGap: rs.reduce((s, r) => s + r.meanGap, 0) / rs.length,
        maxGap: Math.max(...rs.map((r) => r.meanGap)),
        exactShare: rs.reduce((s, r) => s + r.exactShare, 0) / rs.length,
        meanTrials: used / rs.length,
        overBudgetShare: used > 0 ? rs.reduce((s, r) => s + r.meanOverBudget, 0) / used : 0,
        noAnswer: rs.reduce((s, r) => s + r.noAnswer, 0),
      });
    }
  }
  const gapCurves = [...curveSums.entries()].map(([algorithm, sum]) => ({ algorithm, budget: top, mean: sum.map((v) => v / counted) }));
  return { rows, impossible, overall, gapCurves, elapsedMs: Date.now() - started };
}
