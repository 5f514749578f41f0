/**
 * The stages of `design`, in order: table -> search -> final -> export -> verify -> report. Each takes what the
 * earlier ones produced and calls the functions the single commands call: the latency table through `profile`'s
 * runProfile (latency-source.ts), the search through the study and the algorithm factory `layernas search` uses
 * (search-stage.ts), final training through the shared trainer choice (final-stage.ts), the export through the
 * exporter of `layernas export` (export-stage.ts), verification through `layernas verify`'s verifyExport
 * (verify-stage.ts). Every stage journals or writes its result in --out, so a rerun resumes where it stopped.
 */
import path from 'node:path';
import { LayernasError } from '../core/errors.js';
import { formatDatasetRef, loadDataset, parseDatasetRef } from '../data/load.js';
import { selectImages } from '../data/splits.js';
import type { Dataset } from '../data/types.js';
import type { TrialDispatcher } from '../dispatch/types.js';
import { TrainingEvaluator } from '../eval/training-evaluator.js';
import type { Dna, SearchSpace } from '../space/types.js';
import { isTargetPath, resolveTarget } from '../targets/load.js';
import { RUN_TARGET_FILE } from '../export/model-source.js';
import { writeJsonAtomic } from './stage-files.js';
import type { LoadedTarget } from '../targets/schema.js';
import type { Trainer } from '../train/types.js';
import { handDesignedBaseline } from './baseline.js';
import { finalWeightsDir, readFinalWeights, trainFinal, type FinalModel } from './final-stage.js';
import { runExportStage } from './export-stage.js';
import { deployFacts } from '../export/deploy-info.js';
import { resolveLatencySource, tableInRun, type LatencySource } from './latency-source.js';
import type { DesignOptions } from './options.js';
import { buildDesignProblem, type DesignProblem } from './problem.js';
import type { DesignProgress } from './progress.js';
import { candidatePool, KnownRewardsEvaluator, ProxyTrainingEvaluator, runSearchStage, topFeasible, trialLabel, type Candidate, type SearchStageResult } from './search-stage.js';
import { budgetConfirmedFinalists } from './confirm-budget.js';
import { loadDesignSpace } from './space-networks.js';
import type { FinalRole } from './summary.js';
import { createDesignTrainer } from './trainer.js';
import { runVerifyStage } from './verify-stage.js';

/** One design run: its options, output directory, progress and the seconds each stage took. */
export class DesignRun {
  readonly out: string;
  readonly timings: Record<string, number> = {};
  /** candidates measured on the target during this run, by DNA (src/design/confirm-budget.ts): measured once */
  readonly measuredOnTarget = new Map<string, { readonly ms: number; readonly how: string }>();
  constructor(readonly opts: DesignOptions, readonly progress: DesignProgress, readonly dispatcher?: TrialDispatcher) {
    this.out = path.resolve(opts.out);
  }

  async timed<T>(stage: string, f: () => Promise<T>): Promise<T> {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      this.timings[stage] = (this.timings[stage] ?? 0) + (Date.now() - t0) / 1000;
    }
  }
}

export interface TableResult {
  readonly loaded: LoadedTarget;
  readonly space: SearchSpace;
  readonly data: Dataset;
  readonly datasetRef: string;
  readonly source: LatencySource;
  /** the table priced with, kept in the run (<out>/latency/) */
  readonly tableFile: string;
  readonly problem: DesignProblem;
}

/** The dataset with only the first `n` test images (named so trainers' split caches tell it apart). */
function withTestImages(data: Dataset, n: number | undefined): Dataset {
  if (n === undefined || n >= data.test.count) return data;
  return { ...data, name: `${data.name}#test${n}`, test: selectImages(data.test, Array.from({ length: n }, (_, i) => i)) };
}

/** table: target, space and data; the latency table pricing the space (profiled when missing); the budget checked. */
export async function tableStage(run: DesignRun): Promise<TableResult> {
  const { opts, progress } = run;
  const loaded = resolveTarget(opts.target);
  // a target given as a file (a new phone's) is kept in the run, so `layernas verify <run>` finds it later
  if (isTargetPath(opts.target)) await writeJsonAtomic(path.join(run.out, RUN_TARGET_FILE), { ...loaded.target, latencyTables: [] });
  const space = loadDesignSpace(opts.space);
  const ref = parseDatasetRef(opts.dataset);
  const data = await run.timed('data', async () => withTestImages(loadDataset(ref), opts.testImages));
  progress.note(`design: target ${loaded.target.id}, space ${space.name}, dataset ${data.name} (${data.train.count}/${data.validation.count}/${data.test.count} train/val/test), budget ${opts.latencyMs} ms${opts.maddsMax ? `, MAdds <= ${opts.maddsMax}` : ''}; out ${run.out}`);
  const source = await run.timed('latency-table', () => resolveLatencySource({
    loaded, space, classes: data.numClasses, extraTables: opts.latencyTables, outDir: run.out, profileRounds: opts.profileRounds, seed: opts.seed,
    progress: progress.stage('profile'),
  }));
  const problem = buildDesignProblem(source, loaded.target.id, opts.latencyMs, opts.maddsMax);
  progress.note(`cheapest architecture of ${space.name}: ${problem.cheapest.latencyMs.toFixed(4)} ms predicted on ${loaded.target.id}`);
  return { loaded, space, data, datasetRef: formatDatasetRef(ref), source, tableFile: await tableInRun(run.out, source.table.file), problem };
}

export interface SearchResult {
  readonly trainer: Trainer;
  readonly searches: readonly SearchStageResult[];
  readonly layernas: SearchStageResult;
  /** what the finalists are chosen from: this search's trials and, after a refinement, the earlier rounds' (feasibility judged on this table) */
  readonly candidates: readonly Candidate[];
}

/**
 * search: LayerNAS with proxy-training rewards (and random search with the same trials when compared). `earlier`: the
 * search of this run on the table before it was refined (src/design/refine-stage.ts): this search has its own
 * journal, reuses the rewards earlier trials trained, and keeps the earlier random search.
 */
export async function searchStage(run: DesignRun, t: TableResult, earlier?: { readonly round: number; readonly search: SearchResult }): Promise<SearchResult> {
  const { opts, progress, dispatcher } = run;
  const trainer = createDesignTrainer(opts.trainer, opts.trainerThreads, opts.trialTimeoutMs, opts.trainerDevice);
  // with a dispatcher, trials go out as kind 'training' with the same proxy recipe (workers rebuild the trained network from its string)
  const trained = dispatcher
    ? new TrainingEvaluator({ trainer: { kind: 'tfjs', backend: 'auto' }, outputRoot: path.join(run.out, 'search', 'scratch') }, { dataset: t.datasetRef, setting: 'proxy', overrides: { ...opts.proxy, seed: opts.seed }, runs: opts.proxyRuns })
    : new ProxyTrainingEvaluator(t.problem, trainer, t.data, opts.proxy, opts.seed, opts.proxyRuns, path.join(run.out, 'search', 'scratch'));
  // every round's LayerNAS trials (candidates) and the random search's
  const evaluator = earlier ? new KnownRewardsEvaluator(trained, [...earlier.search.candidates, ...earlier.search.searches.flatMap((x) => x.trials)]) : trained;
  const suffix = earlier ? `-r${earlier.round}` : '';
  const settings = {
    design: 1, target: t.loaded.target.id, space: t.space.name, dataset: t.datasetRef, classes: t.data.numClasses, latencyMs: opts.latencyMs, maddsMax: opts.maddsMax ?? null,
    proxy: opts.proxy, proxyRuns: opts.proxyRuns, seed: opts.seed, table: path.basename(t.source.table.file), trainer: trainer.name,
  };
  const search = (algorithm: 'layernas' | 'random', trials: number, stage: string): Promise<SearchStageResult> => run.timed(stage, () => runSearchStage({
    algorithm, problem: t.problem, evaluator, trials, parallel: opts.parallelTrials, seed: opts.seed, outDir: run.out, settings, progress: progress.stage(`${stage}${suffix}`),
    journalName: `${algorithm}${suffix}`, ...(dispatcher ? { dispatcher } : {}),
  }));
  const layernas = await search('layernas', opts.trials, 'search');
  const searches = [layernas];
  const random = earlier?.search.searches.find((x) => x.algorithm === 'random');
  if (random) searches.push(random);
  else if (opts.compare.includes('random')) searches.push(await search('random', layernas.trialsUsed, 'random-search'));
  const candidates = earlier ? candidatePool(layernas.trials, earlier.search.candidates, earlier.round, (dna) => t.problem.constraints.feasible(dna)) : layernas.trials;
  return { trainer, searches, layernas, candidates };
}

export interface FinalEntry {
  role: FinalRole;
  readonly description: string;
  readonly proxy: number | null;
  readonly model: FinalModel;
}

export interface FinalResult {
  readonly finals: readonly FinalEntry[];
  readonly winner: FinalModel;
  /** what choosing the finalists measured (a few-shot table: src/design/confirm-budget.ts) */
  readonly notes?: readonly string[];
}

/** f over every item, at most `limit` at once; results in input order. */
async function mapConcurrent<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}

/** final: the best search candidates (+ baseline, best of random search) trained with the full recipe; the winner by validation accuracy. */
export async function finalStage(run: DesignRun, t: TableResult, s: SearchResult): Promise<FinalResult> {
  const { opts, progress } = run;
  // a few-shot table: the best candidates are measured on the target first when it can be reached (src/design/confirm-budget.ts)
  const confirmed = await budgetConfirmedFinalists({ loaded: t.loaded, source: t.source, problem: t.problem, trials: s.candidates, count: opts.finalists, budgetMs: opts.latencyMs, progress: progress.stage('confirm-budget'), known: run.measuredOnTarget });
  confirmed.notes.forEach((n) => progress.note(n));
  const finalists = confirmed.finalists;
  if (finalists.length === 0) {
    throw new LayernasError('TRAINER_FAILED', `the search found no trained architecture within the budget (${s.layernas.trialsUsed} trials); see ${s.layernas.journal}`, { journal: s.layernas.journal });
  }
  const jobs: { role: FinalRole; description: string; proxy: number | null; dna: Dna; label: string }[] =
    finalists.map((f, i) => ({ role: 'finalist', description: `LayerNAS candidate ${i + 1} (${trialLabel(f)})`, proxy: f.reward, dna: f.dna, label: `finalist ${i + 1}` }));
  if (opts.compare.includes('baseline')) {
    const b = handDesignedBaseline(t.problem);
    if (b) jobs.push({ role: 'baseline', description: `hand-designed: ${b.description}`, proxy: null, dna: b.dna, label: 'baseline' });
    else progress.note('no hand-designed baseline (uniform k3_e6/k3_e3/k3_e1 with dropped layers) meets the budget');
  }
  const random = s.searches.find((x) => x.algorithm === 'random');
  const rbest = random ? topFeasible(random.trials, 1)[0] : undefined;
  if (rbest) jobs.push({ role: 'random-search', description: `best of random search (${random?.trialsUsed} trials, trial ${rbest.trial})`, proxy: rbest.reward, dna: rbest.dna, label: 'random search' });
  const req = { problem: t.problem, trainer: s.trainer, data: t.data, recipe: opts.full, seed: opts.seed, outDir: run.out };
  // one progress line set per model: with --parallel they train at the same time
  const models = await run.timed('final-training', () => mapConcurrent(jobs, opts.parallelTrials, (j) => trainFinal({ ...req, progress: progress.stage('final-training') }, j.dna, j.label)));
  const finals: FinalEntry[] = jobs.map((j, i) => ({ role: j.role, description: j.description, proxy: j.proxy, model: models[i] as FinalModel }));
  // the winner: best validation accuracy after full training among the LayerNAS finalists (test data is never used to choose)
  const winner = finals.filter((f) => f.role === 'finalist').sort((a, b) => b.model.result.valAccuracy - a.model.result.valAccuracy)[0];
  if (!winner) throw new LayernasError('TRAINER_FAILED', 'no finalist was trained', {});
  winner.role = 'winner';
  return { finals, winner: winner.model, notes: confirmed.notes };
}

export type ExportResult = Awaited<ReturnType<typeof runExportStage>>;
export type VerifyResult = Awaited<ReturnType<typeof runVerifyStage>>;

/** export: the winner with its trained weights, by the exporter `layernas export` uses. */
export async function exportStage(run: DesignRun, t: TableResult, f: FinalResult): Promise<ExportResult> {
  const { opts } = run;
  const spec = t.problem.networks.trained(f.winner.dna);
  const train = t.data.train;
  const deploy = deployFacts(spec, { source: { height: train.height, width: train.width, channels: train.channels }, labels: t.data.classNames, dataset: t.data.name.split('#')[0] ?? t.data.name });
  return await run.timed('export', async () => runExportStage({
    spec, weights: await readFinalWeights(f.winner), weightsFrom: path.relative(run.out, f.winner.dir), calibrationSet: t.data.train,
    calibrationImages: opts.calibrationImages, seed: opts.seed, outDir: run.out, progress: run.progress.stage('export'), deploy,
  }));
}

/** verify: the shipped files on the target (the deployed file's latency against the table's prediction and the budget) and against the trained model. */
export async function verifyStage(run: DesignRun, t: TableResult, f: FinalResult, e: ExportResult): Promise<VerifyResult> {
  return await run.timed('verify', () => runVerifyStage({
    loaded: t.loaded, tableFile: t.tableFile, predictedMs: t.problem.latency.cost(f.winner.dna), exportDir: e.dir, exported: e.stage,
    testSet: t.data.test, winnerSpec: t.problem.networks.trained(f.winner.dna), weightsDir: finalWeightsDir(f.winner),
    agreementImages: run.opts.agreementImages ?? t.data.test.count, budgetMs: run.opts.latencyMs, tolerancePct: run.opts.tolerancePct, outDir: run.out, progress: run.progress.stage('verify'),
  }));
}
