/**
 * The search stage: a study (src/study) over the design problem with the proxy-training evaluator, journaled to
 * <out>/search/<algorithm>.journal.jsonl (fsync per event). Rerunning replays the journal: finished trials are
 * never trained again; the trial that was running when the process died is trained again.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { EvalRequest, EvalResult, Evaluator } from '../eval/types.js';
import { handDesignedBaseline } from './baseline.js';
import { layerNasSettingsFor, makeAlgorithm, type AlgorithmChoice } from '../study/algorithms.js';
import { FileJournal, readJournal } from '../study/journal.js';
import { runStudy, studyIdFor, type StudySettings, type TrialRecord } from '../study/study.js';
import type { Recipe } from './options.js';
import type { DesignProblem } from './problem.js';
import type { StageProgress } from './progress.js';
import type { Dataset } from '../data/types.js';
import { settingsFor } from '../train/settings.js';
import { runsMetrics, trainRuns } from '../train/repeated-runs.js';
import type { Trainer } from '../train/types.js';
import { formatNetwork } from '../arch/grammar.js';
import type { TrialDispatcher } from '../dispatch/types.js';

export type SearchAlgorithmName = 'layernas' | 'random';

/** Proxy training as the search reward: validation accuracy after the proxy recipe (never test data). */
export class ProxyTrainingEvaluator implements Evaluator {
  readonly kind = 'design-proxy-training';
  constructor(
    private readonly problem: DesignProblem,
    private readonly trainer: Trainer,
    private readonly data: Dataset,
    private readonly recipe: Recipe,
    private readonly seed: number,
    /** proxy trainings per candidate (seeds seed, seed+1, ...); reward = their mean validation accuracy */
    private readonly runs: number,
    /** scratch directory for trial outputs (removed after each trial: only the reward is kept, in the journal) */
    private readonly scratchDir: string,
  ) {}

  get options(): Record<string, unknown> {
    return { recipe: this.recipe, seed: this.seed, runs: this.runs, trainer: this.trainer.name };
  }

  async evaluate(req: EvalRequest): Promise<EvalResult> {
    // per process: a trainer orphaned by a killed design run must not write into the retried trial's directory
    const outputDir = path.join(this.scratchDir, `trial-${req.trialNumber}-${process.pid}`);
    try {
      const results = await trainRuns(this.trainer, {
        spec: this.problem.networks.trained(req.dna), dataset: this.data, settings: settingsFor('proxy', { ...this.recipe, seed: this.seed }), evaluateTest: false, outputDir,
      }, this.runs);
      const metrics = runsMetrics(results);
      return { reward: metrics.val_acc as number, metrics };
    } finally {
      rmSync(outputDir, { recursive: true, force: true });
    }
  }
}

export interface SearchStageRequest {
  readonly algorithm: SearchAlgorithmName;
  readonly problem: DesignProblem;
  readonly evaluator: Evaluator;
  readonly trials: number;
  /** trials trained at once */
  readonly parallel: number;
  readonly seed: number;
  readonly outDir: string;
  /** everything that must match to resume (target, budget, dataset, recipe, ...) */
  readonly settings: StudySettings;
  readonly progress: StageProgress;
  /** train trials on `layernas worker --evaluator training` processes (BullMQ) instead of in-process */
  readonly dispatcher?: TrialDispatcher;
  /** the journal's name in <out>/search/ (default `<algorithm>`; a search on a refined table: `<algorithm>-r<round>`) */
  readonly journalName?: string;
}

/**
 * Rewards an earlier search of the same run already trained (same recipe and seed: a candidate's reward does not
 * depend on the latency table), so a search on a refined table trains only candidates it has not seen.
 */
export class KnownRewardsEvaluator implements Evaluator {
  readonly kind: string;
  private readonly known: Map<string, TrialRecord>;
  constructor(private readonly inner: Evaluator, known: readonly TrialRecord[]) {
    this.kind = inner.kind;
    this.known = new Map(known.filter((t) => t.status === 'ok').map((t) => [t.dna.join('-'), t]));
  }

  get options(): Readonly<Record<string, unknown>> {
    return this.inner.options;
  }

  async evaluate(req: EvalRequest): Promise<EvalResult> {
    const k = this.known.get(req.dna.join('-'));
    return k ? { reward: k.reward, metrics: k.metrics } : await this.inner.evaluate(req);
  }
}

export interface SearchStageResult {
  readonly algorithm: SearchAlgorithmName;
  readonly trials: readonly TrialRecord[];
  readonly best: TrialRecord | undefined;
  readonly trialsUsed: number;
  readonly evaluatedThisRun: number;
  readonly journal: string;
  readonly algorithmSettings: Record<string, unknown>;
  readonly journalProblems: readonly string[];
}

/** the shared factory (src/study/algorithms.ts, as `layernas search`); LayerNAS warm-starts from the hand-designed baseline */
function algorithmFor(req: SearchStageRequest): AlgorithmChoice {
  const baseline = handDesignedBaseline(req.problem);
  const layerNas = req.algorithm === 'layernas'
    ? layerNasSettingsFor(req.problem, req.trials, baseline ? { warmStart: { dna: baseline.dna, description: `hand-designed baseline (${baseline.description})` } } : {})
    : undefined;
  return makeAlgorithm(req.algorithm, req.problem, req.seed, req.trials, layerNas);
}

/**
 * Study id of a design search: derived from everything that defines it (target, budget, dataset, recipes, seed,
 * algorithm), so two different design runs sharing a queue never share trial ids, and the same run resumed (or
 * moved to another folder) keeps its id.
 */
export function designStudyId(algorithm: SearchAlgorithmName, settings: StudySettings): string {
  return studyIdFor(`design-${algorithm}`, settings);
}

export async function runSearchStage(req: SearchStageRequest): Promise<SearchStageResult> {
  const dir = path.join(req.outDir, 'search');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${req.journalName ?? req.algorithm}.journal.jsonl`);
  const { events, problems } = readJournal(file);
  const finished = new Set(events.filter((e) => e.type === 'result').map((e) => (e as { trial: number }).trial));
  const { algorithm, settings } = algorithmFor(req);
  req.progress.start(req.trials, Math.min(req.trials, finished.size), `${req.algorithm} search, proxy training per trial`);
  const journal = FileJournal.open(file);
  const studySettings = { ...req.settings, algorithm: req.algorithm, algorithmSettings: settings, trials: req.trials };
  try {
    const result = await runStudy({
      studyId: designStudyId(req.algorithm, studySettings),
      settings: studySettings,
      space: req.problem.networks.space,
      constraints: req.problem.constraints,
      reportCosts: req.problem.reportCosts,
      algorithm,
      maxTrials: req.trials,
      batchSize: req.parallel,
      evaluator: req.evaluator,
      ...(req.dispatcher ? { dispatcher: req.dispatcher, requestArch: (dna: number[] | readonly number[]) => formatNetwork(req.problem.networks.trained(dna)) } : {}),
      journal,
      history: events,
      onProgress: (p) => {
        if (finished.has(p.last.trial)) return;
        req.progress.tick(`trial ${p.last.trial} val ${(100 * p.last.reward).toFixed(2)}% best ${p.best ? (100 * p.best.reward).toFixed(2) + '%' : '-'}`);
      },
    });
    req.progress.finish(`${result.problems.length > 0 ? `warning: ${result.problems.join('; ')}; ` : ''}${result.trialsUsed} trials (${result.evaluatedThisRun} trained now, ${result.trialsUsed - result.evaluatedThisRun} from the journal); best val ${result.best ? (100 * result.best.reward).toFixed(2) + '%' : 'none'}`);
    return {
      algorithm: req.algorithm, trials: result.trials, best: result.best, trialsUsed: result.trialsUsed, evaluatedThisRun: result.evaluatedThisRun,
      journal: file, algorithmSettings: settings, journalProblems: [...problems.map((p) => `${p.file}:${p.line}: ${p.message}`), ...result.problems.map((p) => `${file}: ${p}`)],
    };
  } finally {
    journal.close();
  }
}

/** a trained candidate of a design; `round`: carried from the search of an earlier round (before the table was refined: src/design/refine-stage.ts) */
export type Candidate = TrialRecord & { readonly round?: number };

/** "trial 2", or "trial 2 of the first search" for a candidate carried from an earlier round */
export function trialLabel(t: Candidate): string {
  return `trial ${t.trial}${t.round === undefined ? '' : t.round === 0 ? ' of the first search' : ` of search round ${t.round}`}`;
}

/**
 * The finalists' pool after a search on a refined table (round `round` >= 1): this search's trials and the earlier
 * rounds' candidates, their feasibility judged again on the refined table (`feasible`); an earlier round's best
 * candidate stays in the running (the search on the refined table need not find it again).
 */
export function candidatePool(current: readonly TrialRecord[], earlier: readonly Candidate[], round: number, feasible: (dna: TrialRecord['dna']) => boolean): Candidate[] {
  return [...current, ...earlier.map((c) => ({ ...c, feasible: feasible(c.dna), round: c.round ?? round - 1 }))];
}

/** The best `n` distinct feasible trials by reward (ties: earlier trial first). */
export function topFeasible<T extends TrialRecord>(trials: readonly T[], n: number): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const t of [...trials].filter((t) => t.feasible && t.status === 'ok').sort((a, b) => b.reward - a.reward || a.trial - b.trial)) {
    const k = t.dna.join('-');
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(t);
    if (out.length >= n) break;
  }
  return out;
}
