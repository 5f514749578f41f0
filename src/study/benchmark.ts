/**
 * Benchmark: algorithms x seeds x trial budgets on one problem with a tabular evaluator. Every run is a real study
 * (in-memory journal). Reports, per algorithm and budget, the chosen model's true test accuracy (mean, std), regret
 * to the constrained oracle optimum, trials used, and accuracy-vs-trials curves (mean and 25/50/75 percentiles).
 */
import { LayernasError } from '../core/errors.js';
import type { AlgorithmName } from '../search/types.js';
import { dnaFromIndex, spaceSize } from '../space/types.js';
import { layerNasSettingsFor, makeAlgorithm } from './algorithms.js';
import { MemoryJournal } from './journal.js';
import type { Problem } from './problem.js';
import { runStudy, type TrialRecord } from './study.js';
import type { TrialDispatcher } from '../dispatch/types.js';

export interface BenchmarkOptions {
  readonly algorithms: readonly AlgorithmName[];
  readonly seeds: number;
  readonly firstSeed?: number;
  readonly budgets: readonly number[];
  readonly onRunDone?: (done: number, total: number) => void;
  /** evaluate through this dispatcher (e.g. BullMQ workers) instead of in-process; runs stay sequential */
  readonly dispatcher?: TrialDispatcher;
}

export interface BenchmarkRow {
  readonly algorithm: AlgorithmName;
  readonly budget: number;
  readonly runs: number;
  readonly meanAcc: number;
  readonly stdAcc: number;
  readonly meanRegret: number;
  readonly meanTrials: number;
  readonly minTrials: number;
  readonly maxTrials: number;
  readonly settings: Record<string, unknown>;
  /** runs that returned no feasible model (must be 0) */
  readonly noAnswer: number;
  /** share of runs whose chosen model has the oracle's accuracy */
  readonly exactShare: number;
  /** mean over runs of the trials spent on models outside the constraints (intermediate models) */
  readonly meanOverBudget: number;
}

export interface BenchmarkCurve {
  readonly algorithm: AlgorithmName;
  readonly budget: number;
  /** best-so-far chosen model's test accuracy after t trials, t = 1..budget (NaN before the first feasible) */
  readonly mean: number[];
  readonly p25: number[];
  readonly p50: number[];
  readonly p75: number[];
}

export interface BenchmarkResult {
  readonly oracle: number;
  readonly oracleArchCount: number;
  readonly rows: BenchmarkRow[];
  readonly curves: BenchmarkCurve[];
  readonly elapsedMs: number;
}

/** Best true accuracy over every feasible architecture (enumerates the space). */
export function constrainedOracle(problem: Problem): { best: number; feasible: number } {
  const acc = problem.accuracy;
  if (!acc) throw new LayernasError('USAGE', `benchmark needs a tabular accuracy for every architecture (nb201 with --dataset)`);
  let best = -Infinity;
  let feasible = 0;
  const n = spaceSize(problem.space);
  for (let i = 0; i < n; i++) {
    const dna = dnaFromIndex(problem.space, i);
    if (!problem.constraints.feasible(dna)) continue;
    feasible++;
    best = Math.max(best, acc.values[i] as number);
  }
  return { best, feasible };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

function curveOf(trials: readonly TrialRecord[], budget: number): number[] {
  const out = new Array<number>(budget).fill(NaN);
  let bestReward = -Infinity;
  let bestAcc = NaN;
  for (let t = 0; t < budget; t++) {
    const r = trials[t];
    if (r && r.feasible && r.status === 'ok' && r.reward > bestReward) {
      bestReward = r.reward;
      bestAcc = r.metrics.test_acc ?? r.reward;
    }
    out[t] = bestAcc;
  }
  return out;
}

export async function runBenchmark(problem: Problem, options: BenchmarkOptions): Promise<BenchmarkResult> {
  const started = Date.now();
  problem.constraints.assertPossible();
  const oracle = constrainedOracle(problem);
  const rows: BenchmarkRow[] = [];
  const curves: BenchmarkCurve[] = [];
  const total = options.algorithms.length * options.budgets.length * options.seeds;
  let done = 0;
  for (const budget of options.budgets) {
    const lnSettings = options.algorithms.includes('layernas') ? layerNasSettingsFor(problem, budget) : undefined;
    for (const name of options.algorithms) {
      const accs: number[] = [];
      const used: number[] = [];
      const runCurves: number[][] = [];
      let settings: Record<string, unknown> = {};
      let noAnswer = 0;
      let exact = 0;
      let over = 0;
      for (let s = 0; s < options.seeds; s++) {
        const seed = (options.firstSeed ?? 0) + s;
        const choice = makeAlgorithm(name, problem, seed, budget, lnSettings);
        settings = choice.settings;
        const result = await runStudy({
          studyId: `bench-${name}-${budget}-${seed}`,
          settings: {},
          space: problem.space,
          constraints: problem.constraints,
          algorithm: choice.algorithm,
          maxTrials: budget,
          batchSize: 1, // sequential, as in the papers; LayerNAS results do not depend on the batch size
          evaluator: problem.evaluator(seed),
          journal: new MemoryJournal(),
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        });
        if (!result.best) noAnswer++;
        else {
          const acc = result.best.metrics.test_acc ?? result.best.reward;
          accs.push(acc);
          if (acc >= oracle.best - 1e-9) exact++;
        }
        over += result.trials.filter((t) => !t.feasible).length;
        used.push(result.trialsUsed);
        runCurves.push(curveOf(result.trials, budget));
        options.onRunDone?.(++done, total);
      }
      const mean = accs.reduce((a, b) => a + b, 0) / Math.max(1, accs.length);
      const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, accs.length));
      rows.push({
        algorithm: name,
        budget,
        runs: options.seeds,
        meanAcc: mean,
        stdAcc: std,
        meanRegret: oracle.best - mean,
        meanTrials: used.reduce((a, b) => a + b, 0) / used.length,
        minTrials: Math.min(...used),
        maxTrials: Math.max(...used),
        settings,
        noAnswer,
        exactShare: exact / options.seeds,
        meanOverBudget: over / options.seeds,
      });
      const c: BenchmarkCurve = { algorithm: name, budget, mean: [], p25: [], p50: [], p75: [] };
      for (let t = 0; t < budget; t++) {
        const col = runCurves.map((rc) => rc[t] as number).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
        c.mean.push(col.length ? col.reduce((a, b) => a + b, 0) / col.length : NaN);
        c.p25.push(quantile(col, 0.25));
        c.p50.push(quantile(col, 0.5));
        c.p75.push(quantile(col, 0.75));
      }
      curves.push(c);
    }
  }
  return { oracle: oracle.best, oracleArchCount: oracle.feasible, rows, curves, elapsedMs: Date.now() - started };
}
