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
import { runInWorkers } from './suite-workers.js';

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
  /** problems run in parallel worker threads (default 1); results are the same for any value */
  readonly jobs?: number;
}

/** What one problem of a suite gives: its rows and the summed-gap curve per algorithm (largest budget), or impossible. */
export interface SuiteProblemResult {
  readonly rows: SuiteRow[];
  readonly gapCurves: { algorithm: AlgorithmName; gap: number[] }[];
  readonly impossible?: string;
}

export async function runSuiteProblem(p: SuiteProblem, options: Pick<SuiteOptions, 'algorithms' | 'seeds' | 'budgets'>): Promise<SuiteProblemResult> {
  const problem = buildProblem(p.options);
  try {
    problem.constraints.assertPossible();
  } catch (e) {
    if (!(e instanceof LayernasError) || e.code !== 'BUDGET_IMPOSSIBLE') throw e;
    return { rows: [], gapCurves: [], impossible: e.message };
  }
  const top = Math.max(...options.budgets);
  const res = await runBenchmark(problem, { algorithms: options.algorithms, seeds: options.seeds, budgets: options.budgets });
  return {
    rows: res.rows.map((r) => ({ ...r, problem: p.id, oracle: res.oracle, meanGap: Math.max(0, r.meanRegret) })),
    gapCurves: res.curves.filter((c) => c.budget === top).map((c) => ({ algorithm: c.algorithm, gap: c.mean.map((v) => res.oracle - v) })),
  };
}

export async function runSuite(problems: readonly SuiteProblem[], options: SuiteOptions): Promise<SuiteResult> {
  const started = Date.now();
  const top = Math.max(...options.budgets);
  const results: (SuiteProblemResult | undefined)[] = new Array(problems.length);
  let k = 0;
  const done = (i: number, r: SuiteProblemResult): void => {
    results[i] = r;
    const p = problems[i] as SuiteProblem;
    options.onProblemDone?.(++k, problems.length, r.impossible ? `${p.id} (impossible)` : p.id);
  };
  const jobs = Math.max(1, Math.min(options.jobs ?? 1, problems.length));
  if (jobs === 1) {
    for (let i = 0; i < problems.length; i++) done(i, await runSuiteProblem(problems[i] as SuiteProblem, options));
  } else {
    await runInWorkers(problems, options, jobs, done);
  }
  const rows: SuiteRow[] = [];
  const impossible: { problem: string; message: string }[] = [];
  const curveSums = new Map<AlgorithmName, number[]>();
  let counted = 0;
  results.forEach((r, i) => {
    if (!r) return;
    if (r.impossible) {
      impossible.push({ problem: (problems[i] as SuiteProblem).id, message: r.impossible });
      return;
    }
    counted++;
    rows.push(...r.rows);
    for (const c of r.gapCurves) {
      const sum = curveSums.get(c.algorithm) ?? new Array<number>(top).fill(0);
      c.gap.forEach((v, t) => (sum[t] = (sum[t] as number) + (v ?? NaN)));
      curveSums.set(c.algorithm, sum);
    }
  });
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
