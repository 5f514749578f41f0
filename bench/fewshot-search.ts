/**
 * The search figure of issue 22: LayerNAS on NB201 (CIFAR-100 test accuracy, as HELP's latency-constrained NAS)
 * under a device's latency budget, constrained once by the few-shot column (N networks, a fresh draw per run: the
 * device's own column is read only at the N chosen networks) and once by the device's full column. Reports the share of
 * runs whose chosen model is within the TRUE budget and the mean test accuracy of both. Budgets by a fixed rule: the
 * 25% and 50% quantiles of the device's column.
 */
import { perArchitectureCostModel } from '../src/cost/tabular-latency.js';
import type { CostModel } from '../src/cost/types.js';
import { Constraints } from '../src/search/constraints.js';
import { encodeArch } from '../src/space/decode.js';
import { dnaIndex, spaceSize } from '../src/space/types.js';
import { layerNasSettingsFor, makeAlgorithm } from '../src/study/algorithms.js';
import { MemoryJournal } from '../src/study/journal.js';
import { buildProblem, type Problem } from '../src/study/problem.js';
import { runStudy } from '../src/study/study.js';
import { fewShotColumn, type SpaceData } from './fewshot-data.js';

export interface SearchFigureOptions {
  readonly runs: number;
  readonly trials: number;
  readonly networks: number;
  readonly devices?: readonly string[];
  readonly quantiles?: readonly number[];
}

interface RunOutcome { readonly withinTrue: boolean; readonly acc: number }

async function searchOnce(problem: Problem, seed: number, trials: number, truth: Float64Array, budget: number): Promise<RunOutcome> {
  const choice = makeAlgorithm('layernas', problem, seed, trials, layerNasSettingsFor(problem, trials));
  const r = await runStudy({ studyId: `fewshot-${seed}`, settings: {}, space: problem.space, constraints: problem.constraints, algorithm: choice.algorithm, maxTrials: trials, batchSize: 1, evaluator: problem.evaluator(seed), journal: new MemoryJournal() });
  if (!r.best) return { withinTrue: false, acc: NaN };
  return { withinTrue: (truth[dnaIndex(problem.space, r.best.dna)] as number) <= budget, acc: r.best.metrics.test_acc ?? r.best.reward };
}

export async function runSearchFigure(data: SpaceData, o: SearchFigureOptions): Promise<void> {
  const base = buildProblem({ space: 'nb201', dataset: 'cifar100', constraints: [] });
  const space = base.space;
  const archs = data.archs ?? [];
  const pos = archs.map((a) => dnaIndex(space, encodeArch(space, a)));
  const byDna = (v: Float64Array): Float64Array => {
    const out = new Float64Array(spaceSize(space));
    v.forEach((x, i) => { out[pos[i] as number] = x; });
    return out;
  };
  const problemWith = (model: CostModel, budget: number): Problem => {
    const constraints = new Constraints(space, [{ model, low: 0, high: budget }]);
    return { ...base, constraints, bucketCosts: [model], reportCosts: [model] };
  };
  const devices = o.devices ?? data.devices;
  console.log(`\n=== search: LayerNAS on NB201 (CIFAR-100 test accuracy), ${o.trials} trials, ${o.runs} runs per budget; few-shot column from the other 5 devices + N = ${o.networks} (a new draw per run) vs the device's full column`);
  console.log(`${'device'.padEnd(12)}${'budget ms'.padStart(10)}${'within TRUE budget: few-shot'.padStart(30)}${'full'.padStart(7)}${'mean acc: few-shot'.padStart(20)}${'full'.padStart(8)}${'diff'.padStart(8)}`);
  let allWithin = 0, allRuns = 0;
  const diffs: number[] = [];
  for (const dev of devices) {
    const t = data.devices.indexOf(dev);
    const col = data.latency[t] as Float64Array;
    const sorted = [...col].sort((a, b) => a - b);
    const truth = byDna(col);
    const full = perArchitectureCostModel(space, 'latency_ms', `latency:${dev}`, truth);
    const sources = data.devices.map((_, s) => s).filter((s) => s !== t);
    for (const q of o.quantiles ?? [0.25, 0.5]) {
      const budget = sorted[Math.floor(q * (sorted.length - 1))] as number;
      const few: RunOutcome[] = [];
      const ref: RunOutcome[] = [];
      for (let r = 0; r < o.runs; r++) {
        const fit = fewShotColumn(data, t, sources, o.networks, r);
        const model = perArchitectureCostModel(space, 'latency_ms', `latency:${dev}-fewshot`, byDna(fit.pred));
        few.push(await searchOnce(problemWith(model, budget), r, o.trials, truth, budget));
        ref.push(await searchOnce(problemWith(full, budget), r, o.trials, truth, budget));
      }
      const share = (xs: RunOutcome[]): number => xs.filter((x) => x.withinTrue).length / xs.length;
      const meanAcc = (xs: RunOutcome[]): number => { const a = xs.filter((x) => !Number.isNaN(x.acc)); return a.reduce((s, x) => s + x.acc, 0) / Math.max(1, a.length); };
      allWithin += few.filter((x) => x.withinTrue).length;
      allRuns += few.length;
      diffs.push(meanAcc(few) - meanAcc(ref));
      console.log(`${dev.padEnd(12)}${budget.toFixed(3).padStart(10)}${`${(100 * share(few)).toFixed(0)}%`.padStart(30)}${`${(100 * share(ref)).toFixed(0)}%`.padStart(7)}${meanAcc(few).toFixed(2).padStart(20)}${meanAcc(ref).toFixed(2).padStart(8)}${(meanAcc(few) - meanAcc(ref)).toFixed(2).padStart(8)}`);
    }
  }
  console.log(`all budgets: few-shot within the TRUE budget in ${allWithin}/${allRuns} runs (${((100 * allWithin) / allRuns).toFixed(1)}%); accuracy few-shot - full: mean ${(diffs.reduce((a, b) => a + b, 0) / diffs.length).toFixed(2)}, worst ${Math.min(...diffs).toFixed(2)}`);
}
