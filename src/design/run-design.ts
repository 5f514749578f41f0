/**
 * `design`, end to end: latency table (profiled on a host target when the space is not covered) -> budget check
 * (BUDGET_IMPOSSIBLE before any training) -> LayerNAS with proxy-training rewards -> full training of the best
 * candidates (+ optional hand-designed baseline and random search with the same trials) -> export of the winner
 * (TFLite float32 + int8, ONNX) -> verification on the target -> summary.json + report.html.
 * Each stage journals or writes its result in --out; rerunning the same command resumes where it stopped.
 */
import path from 'node:path';
import { formatNetwork } from '../arch/grammar.js';
import { LayernasError } from '../core/errors.js';
import { prepareOutputDir } from '../core/paths.js';
import { acquireRunLock } from '../core/run-lock.js';
import { formatDatasetRef, loadDataset, parseDatasetRef } from '../data/load.js';
import { writeFileAtomic } from '../export/write-atomic.js';
import { resolveTarget } from '../targets/load.js';
import { handDesignedBaseline } from './baseline.js';
import { runExportStage } from './export-stage.js';
import { finalWeightsDir, readFinalWeights, trainFinal, type FinalModel } from './final-stage.js';
import { resolveLatencySource } from './latency-source.js';
import type { DesignOptions } from './options.js';
import { buildDesignProblem, costsOf } from './problem.js';
import type { DesignProgress } from './progress.js';
import { renderDesignReport } from './report-html.js';
import { ProxyTrainingEvaluator, runSearchStage, topFeasible, type SearchStageResult } from './search-stage.js';
import { loadDesignSpace } from './space-networks.js';
import { writeJsonAtomic } from './stage-files.js';
import type { DesignFinalModel, DesignSummary, DesignTrialRow, FinalRole } from './summary.js';
import { createDesignTrainer } from './trainer.js';
import { runVerifyStage } from './verify-stage.js';
import type { TrialDispatcher } from '../dispatch/types.js';
import { TrainingEvaluator } from '../eval/training-evaluator.js';
import { selectImages } from '../data/splits.js';
import type { Dataset } from '../data/types.js';
import type { Dna } from '../space/types.js';

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

/** The dataset with only the first `n` test images (named so trainers' split caches tell it apart). */
function withTestImages(data: Dataset, n: number | undefined): Dataset {
  if (n === undefined || n >= data.test.count) return data;
  return { ...data, name: `${data.name}#test${n}`, test: selectImages(data.test, Array.from({ length: n }, (_, i) => i)) };
}

export interface DesignResult {
  readonly summary: DesignSummary;
  readonly summaryFile: string;
  readonly reportFile: string;
  readonly modelDir: string;
  /** models trained by this run (0 when everything was read back) */
  readonly trainedNow: { readonly proxy: number; readonly full: number };
}

/** `dispatcher`: proxy-train the search trials on BullMQ workers (`layernas worker --evaluator training`); final training stays here. */
export async function runDesign(opts: DesignOptions, progress: DesignProgress, dispatcher?: TrialDispatcher): Promise<DesignResult> {
  // one run per folder at a time: a second design on the same --out gets RUN_LOCKED (a dead holder's lock is taken over)
  const out = prepareOutputDir(opts.out, 'design --out');
  const lock = acquireRunLock(out, 'design run folder');
  try {
    return await runDesignLocked(opts, out, progress, dispatcher);
  } finally {
    lock.release();
  }
}

async function runDesignLocked(opts: DesignOptions, out: string, progress: DesignProgress, dispatcher?: TrialDispatcher): Promise<DesignResult> {
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + (Date.now() - t0) / 1000;
    }
  };
  const loaded = resolveTarget(opts.target);
  const space = loadDesignSpace(opts.space);
  const datasetRef = parseDatasetRef(opts.dataset);
  const data = await timed('data', async () => withTestImages(loadDataset(datasetRef), opts.testImages));
  progress.note(`design: target ${loaded.target.id}, space ${space.name}, dataset ${data.name} (${data.train.count}/${data.validation.count}/${data.test.count} train/val/test), budget ${opts.latencyMs} ms${opts.maddsMax ? `, MAdds <= ${opts.maddsMax}` : ''}; out ${out}`);

  const source = await timed('latency-table', () => resolveLatencySource({
    loaded, space, classes: data.numClasses, extraTables: opts.latencyTables, outDir: out, profileRounds: opts.profileRounds, seed: opts.seed,
    progress: progress.stage('profile'),
  }));
  const problem = buildDesignProblem(source, loaded.target.id, opts.latencyMs, opts.maddsMax);
  progress.note(`cheapest architecture of ${space.name}: ${problem.cheapest.latencyMs.toFixed(4)} ms predicted on ${loaded.target.id}`);

  const trainer = createDesignTrainer(opts.trainer, opts.trainerThreads, opts.trialTimeoutMs);
  // with a dispatcher, trials go out as kind 'training' with the same proxy recipe (workers rebuild the trained network from its string)
  const evaluator = dispatcher
    ? new TrainingEvaluator({ trainer: { kind: 'tfjs', backend: 'auto' }, outputRoot: path.join(out, 'search', 'scratch') }, { dataset: formatDatasetRef(datasetRef), setting: 'proxy', overrides: { ...opts.proxy, seed: opts.seed }, runs: opts.proxyRuns })
    : new ProxyTrainingEvaluator(problem, trainer, data, opts.proxy, opts.seed, opts.proxyRuns, path.join(out, 'search', 'scratch'));
  const studySettings = {
    design: 1, target: loaded.target.id, space: space.name, dataset: formatDatasetRef(datasetRef), classes: data.numClasses,
    latencyMs: opts.latencyMs, maddsMax: opts.maddsMax ?? null, proxy: opts.proxy, proxyRuns: opts.proxyRuns, seed: opts.seed, table: path.basename(source.table.file), trainer: trainer.name,
  };
  const searches: SearchStageResult[] = [];
  const layernas = await timed('search', () => runSearchStage({
    algorithm: 'layernas', problem, evaluator, trials: opts.trials, parallel: opts.parallelTrials, seed: opts.seed, outDir: out, settings: studySettings, progress: progress.stage('search'),
    ...(dispatcher ? { dispatcher } : {}),
  }));
  searches.push(layernas);
  if (opts.compare.includes('random')) {
    searches.push(await timed('random-search', () => runSearchStage({
      algorithm: 'random', problem, evaluator, trials: layernas.trialsUsed, parallel: opts.parallelTrials, seed: opts.seed, outDir: out, settings: studySettings, progress: progress.stage('random-search'),
      ...(dispatcher ? { dispatcher } : {}),
    })));
  }
  const finalists = topFeasible(layernas.trials, opts.finalists);
  if (finalists.length === 0) {
    throw new LayernasError('TRAINER_FAILED', `the search found no trained architecture within the budget (${layernas.trialsUsed} trials); see ${layernas.journal}`, { journal: layernas.journal });
  }

  const finalReq = { problem, trainer, data, recipe: opts.full, seed: opts.seed, outDir: out, progress: progress.stage('final-training') };
  const finals: { role: FinalRole; description: string; proxy: number | null; model: FinalModel }[] = [];
  await timed('final-training', async () => {
    const jobs: { role: FinalRole; description: string; proxy: number | null; dna: Dna; label: string }[] =
      finalists.map((f, i) => ({ role: 'finalist', description: `LayerNAS candidate ${i + 1} (trial ${f.trial})`, proxy: f.reward, dna: f.dna, label: `finalist ${i + 1}` }));
    if (opts.compare.includes('baseline')) {
      const b = handDesignedBaseline(problem);
      if (b) jobs.push({ role: 'baseline', description: `hand-designed: ${b.description}`, proxy: null, dna: b.dna, label: 'baseline' });
      else progress.note('no hand-designed baseline (uniform k3_e6/k3_e3/k3_e1 with dropped layers) meets the budget');
    }
    const random = searches.find((s) => s.algorithm === 'random');
    const rbest = random ? topFeasible(random.trials, 1)[0] : undefined;
    if (rbest) jobs.push({ role: 'random-search', description: `best of random search (${random?.trialsUsed} trials, trial ${rbest.trial})`, proxy: rbest.reward, dna: rbest.dna, label: 'random search' });
    // one progress line set per model: with --parallel they train at the same time
    const models = await mapConcurrent(jobs, opts.parallelTrials, (j) => trainFinal({ ...finalReq, progress: progress.stage('final-training') }, j.dna, j.label));
    jobs.forEach((j, i) => finals.push({ role: j.role, description: j.description, proxy: j.proxy, model: models[i] as FinalModel }));
  });
  // the winner: best validation accuracy after full training among the LayerNAS finalists (test data is never used to choose)
  const winnerEntry = finals.filter((f) => f.role === 'finalist').sort((a, b) => b.model.result.valAccuracy - a.model.result.valAccuracy)[0];
  if (!winnerEntry) throw new LayernasError('TRAINER_FAILED', 'no finalist was trained', {});
  winnerEntry.role = 'winner';
  const winner = winnerEntry.model;
  const winnerSpec = problem.networks.trained(winner.dna);

  const exported = await timed('export', async () => runExportStage({
    spec: winnerSpec, weights: await readFinalWeights(winner), weightsFrom: path.relative(out, winner.dir), calibrationSet: data.train,
    calibrationImages: opts.calibrationImages, seed: opts.seed, outDir: out, progress: progress.stage('export'),
  }));
  const verified = await timed('verify', () => runVerifyStage({
    loaded, tableFile: source.table.file, predictedMs: problem.latency.cost(winner.dna), exportDir: exported.dir, exported: exported.stage,
    testSet: data.test, winnerSpec, weightsDir: finalWeightsDir(winner), agreementImages: opts.agreementImages ?? data.test.count, outDir: out,
    progress: progress.stage('verify'),
  }));

  const trialRows: DesignTrialRow[] = searches.flatMap((s) => s.trials.map((t) => {
    const c = costsOf(problem, t.dna);
    return {
      number: t.trial, algorithm: s.algorithm, arch: t.arch, dna: t.dna, predictedLatencyMs: c.latencyMs, madds: c.madds, params: c.params,
      reward: t.status === 'ok' && Number.isFinite(t.reward) ? t.reward : null, feasible: t.feasible, reused: false,
    };
  }));
  const finalRows: DesignFinalModel[] = finals.map((f) => {
    const c = costsOf(problem, f.model.dna);
    return {
      role: f.role, description: f.description, dna: f.model.dna, arch: f.model.result.arch, predictedLatencyMs: c.latencyMs, madds: c.madds, params: c.params,
      proxyValAccuracy: f.proxy, valAccuracy: f.model.result.valAccuracy, testAccuracy: f.model.result.testAccuracy, trainSeconds: f.model.result.trainSeconds,
    };
  });
  const agreementByFile = new Map(verified.stage.agreement.map((a) => [a.file, a]));
  const summary: DesignSummary = {
    version: 1, createdAt: new Date().toISOString(), target: loaded.target.id, dataset: data.name,
    budget: { latencyMs: opts.latencyMs, ...(opts.maddsMax !== undefined ? { maddsMax: opts.maddsMax } : {}) },
    cheapestLatencyMs: problem.cheapest.latencyMs, space: space.name, searchTrials: layernas.trialsUsed, trainer: [...new Set(finals.map((f) => f.model.result.backend))].join('; ') || trainer.name,
    recipes: { proxy: { ...opts.proxy, runs: opts.proxyRuns }, full: opts.full },
    layerNames: space.layers.map((l) => l.name), optionNames: space.layers.map((l) => l.options),
    winner: { dna: winner.dna, arch: formatNetwork(winnerSpec) },
    trials: trialRows, finals: finalRows, latency: verified.stage.latency,
    files: exported.stage.files.map((f) => {
      const a = agreementByFile.get(f.file);
      return { file: f.file, format: f.format, bytes: f.bytes, sha256: f.sha256, ...(a ? { testAgreement: a.share, testAccuracy: a.testAccuracy } : {}) };
    }),
    verifyPassed: verified.stage.passed, modelDir: path.relative(out, exported.dir),
    notes: [...source.notes, ...searches.flatMap((s) => s.journalProblems.map((p) => `journal problem skipped: ${p}`))],
    timings,
  };
  const summaryFile = path.join(out, 'summary.json');
  const reportFile = path.join(out, 'report.html');
  await writeJsonAtomic(summaryFile, summary);
  await writeFileAtomic(reportFile, renderDesignReport(summary));
  return {
    summary, summaryFile, reportFile, modelDir: exported.dir,
    trainedNow: { proxy: searches.reduce((s, x) => s + x.evaluatedThisRun, 0), full: finals.filter((f) => f.model.trainedNow).length },
  };
}
