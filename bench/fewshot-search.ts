/**
 * The search figure of issue 22: LayerNAS on NB201 (CIFAR-100 test accuracy, as HELP's latency-constrained NAS)
 * under a device's latency budget, constrained once by the few-shot column (N networks, a fresh draw per run: the
 * device's own column is read only at the N chosen networks) and once by the device's full column. Reports the share of
 * runs whose chosen model is within the TRUE budget and the mean test accuracy of both. Budgets by a fixed rule: the
 * 25% and 50% quantiles of the device's column (midway to the next distinct value). Variants of using the few-shot
 * column: plain (the search's choice); the product's check (what `design` does with a few-shot table on a target it
 * can measure: src/design/confirm-budget.ts -> src/search/within-budget.ts), its best candidates measured on the device
 * (a lookup here) until one fits, at most CONFIRM_LIMIT (10; 5 reached 92.1% of runs with this fit, see docs/targets.md)
 * ("check top 10": the first round alone; "+2nd round": the product's check, which goes on down the ranking when the
 * ten best all measure over, skipping by the measured/estimated ratio). Earlier figures (docs/targets.md): shrinking the budget by the fit's
 * worst leave-one-out under-prediction reached 99.2% of runs but cost 1.57 accuracy points; refitting after each
 * over-budget measurement gave the same figures as the check.
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
import { topFeasible } from '../src/design/search-stage.js';
import { confirmWithinBudget, CONFIRM_LIMIT } from '../src/search/within-budget.js';
import { fewShotColumn, sourcesFor, type SpaceData } from './fewshot-data.js';

export interface SearchFigureOptions {
  readonly runs: number;
  readonly trials: number;
  readonly networks: number;
  readonly devices?: readonly string[];
  readonly quantiles?: readonly number[];
  /** first run's seed (draw of the few-shot networks and search seed); 0 for the suite, another for held-out runs */
  readonly firstRun?: number;
}

interface RunOutcome { readonly withinTrue: boolean; readonly acc: number; readonly checks: number }

/**
 * One LayerNAS run; its outcome as the search chose (plain) and after the product's check (src/search/within-budget.ts
 * confirmWithinBudget over design's ranking, topFeasible): the best candidates measured on the device, a lookup in
 * the true column here, until one is within the budget.
 */
async function searchOnce(problem: Problem, seed: number, trials: number, truth: Float64Array, budget: number): Promise<{ plain: RunOutcome; checked: RunOutcome; skipping: RunOutcome }> {
  const choice = makeAlgorithm('layernas', problem, seed, trials, layerNasSettingsFor(problem, trials));
  const r = await runStudy({ studyId: `fewshot-${seed}`, settings: {}, space: problem.space, constraints: problem.constraints, algorithm: choice.algorithm, maxTrials: trials, batchSize: 1, evaluator: problem.evaluator(seed), journal: new MemoryJournal() });
  const none = { withinTrue: false, acc: NaN, checks: 0 };
  if (!r.best) return { plain: none, checked: none, skipping: none };
  const trueMs = (dna: readonly number[]): number => truth[dnaIndex(problem.space, dna)] as number;
  const accOf = (t: { metrics: Readonly<Record<string, number>>; reward: number }): number => t.metrics.test_acc ?? t.reward;
  const c = await confirmWithinBudget(topFeasible(r.trials, CONFIRM_LIMIT), async (t) => trueMs(t.dna), budget);
  const s = await confirmWithinBudget(topFeasible(r.trials, r.trials.length), async (t) => trueMs(t.dna), budget, CONFIRM_LIMIT, (t) => problem.constraints.costs(t.dna)[0] ?? 0);
  return {
    plain: { withinTrue: trueMs(r.best.dna) <= budget, acc: accOf(r.best), checks: 0 },
    checked: c.chosen ? { withinTrue: c.within, acc: accOf(c.chosen), checks: c.checks.length } : none,
    skipping: s.chosen ? { withinTrue: s.within, acc: accOf(s.chosen), checks: s.checks.length } : none,
  };
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
  console.log(`\n=== search: LayerNAS on NB201 (CIFAR-100 test accuracy), ${o.trials} trials, ${o.runs} runs per budget (seeds ${o.firstRun ?? 0}..${(o.firstRun ?? 0) + o.runs - 1}); few-shot column from the other 5 devices + N = ${o.networks} (a new draw per run) vs the device's full column`);
  console.log(`${'device'.padEnd(12)}${'budget ms'.padStart(10)}${'variant'.padStart(14)}${'within TRUE: fs'.padStart(16)}${'full'.padStart(7)}${'mean acc: few-shot'.padStart(20)}${'full'.padStart(8)}${'diff'.padStart(8)}`);
  const totals = new Map<string, { within: number; runs: number; diffs: number[]; checks: number }>();
  for (const dev of devices) {
    const t = data.devices.indexOf(dev);
    const col = data.latency[t] as Float64Array;
    const sorted = [...col].sort((a, b) => a - b);
    const truth = byDna(col);
    const full = perArchitectureCostModel(space, 'latency_ms', `latency:${dev}`, truth);
    const sources = sourcesFor(data, t);
    for (const q of o.quantiles ?? [0.25, 0.5]) {
      // between the quantile's value and the next larger one: a budget exactly on a value many architectures share
      // (additive devices such as the FPGA estimate have large ties) would turn a 1e-4 ms prediction error into a flip
      const at = sorted[Math.floor(q * (sorted.length - 1))] as number;
      const budget = (at + (sorted.find((v) => v > at) ?? at)) / 2;
      const ref: RunOutcome[] = [];
      const variants: { name: string; runs: RunOutcome[] }[] = [{ name: 'plain', runs: [] }, { name: `check top ${CONFIRM_LIMIT}`, runs: [] }, { name: `+2nd round`, runs: [] }];
      for (let r = o.firstRun ?? 0; r < (o.firstRun ?? 0) + o.runs; r++) {
        const fit = fewShotColumn(data, t, sources, o.networks, r);
        const model = perArchitectureCostModel(space, 'latency_ms', `latency:${dev}-fewshot`, byDna(fit.pred));
        const fs = await searchOnce(problemWith(model, budget), r, o.trials, truth, budget);
        (variants[0] as { runs: RunOutcome[] }).runs.push(fs.plain);
        (variants[1] as { runs: RunOutcome[] }).runs.push(fs.checked);
        (variants[2] as { runs: RunOutcome[] }).runs.push(fs.skipping);
        ref.push((await searchOnce(problemWith(full, budget), r, o.trials, truth, budget)).plain);
      }
      const share = (xs: RunOutcome[]): number => xs.filter((x) => x.withinTrue).length / xs.length;
      const meanAcc = (xs: RunOutcome[]): number => { const a = xs.filter((x) => !Number.isNaN(x.acc)); return a.reduce((s, x) => s + x.acc, 0) / Math.max(1, a.length); };
      for (const v of variants) {
        const tot = totals.get(v.name) ?? { within: 0, runs: 0, diffs: [] as number[], checks: 0 };
        tot.within += v.runs.filter((x) => x.withinTrue).length;
        tot.runs += v.runs.length;
        tot.diffs.push(meanAcc(v.runs) - meanAcc(ref));
        tot.checks += v.runs.reduce((a, x) => a + x.checks, 0);
        totals.set(v.name, tot);
        console.log(`${dev.padEnd(12)}${budget.toFixed(3).padStart(10)}${v.name.padStart(14)}${`${(100 * share(v.runs)).toFixed(0)}%`.padStart(16)}${`${(100 * share(ref)).toFixed(0)}%`.padStart(7)}${meanAcc(v.runs).toFixed(2).padStart(20)}${meanAcc(ref).toFixed(2).padStart(8)}${(meanAcc(v.runs) - meanAcc(ref)).toFixed(2).padStart(8)}`);
      }
    }
  }
  for (const [name, tot] of totals) {
    console.log(`all budgets, ${name}: within the TRUE budget in ${tot.within}/${tot.runs} runs (${((100 * tot.within) / tot.runs).toFixed(1)}%); accuracy few-shot - full: mean ${(tot.diffs.reduce((a, b) => a + b, 0) / tot.diffs.length).toFixed(2)}, worst ${Math.min(...tot.diffs).toFixed(2)}${tot.checks > 0 ? `; ${(tot.checks / tot.runs).toFixed(2)} extra measurements per run` : ''}`);
  }
}
