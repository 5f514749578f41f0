/**
 * One architecture search under cost constraints, resumable from its journal: what `layernas search` runs and what
 * the library's `search()` calls (one implementation).
 */
import { existsSync } from 'node:fs';
import { LayernasError } from '../core/errors.js';
import type { TrialDispatcher } from '../dispatch/types.js';
import type { Evaluator } from '../eval/types.js';
import type { AlgorithmName } from '../search/types.js';
import { layerNasSettingsFor, makeAlgorithm } from './algorithms.js';
import { FileJournal, readJournal } from './journal.js';
import { buildProblem, type ConstraintOption, type Problem } from './problem.js';
import { runStudy, studyIdFor, type StudyProgress, type StudyResult } from './study.js';

export interface SearchOptions {
  /** nb201 | nats_sss | fbnet | mobilenetv2 | path/to/space.json */
  readonly space: string;
  /** nb201: cifar10 | cifar100 | ImageNet16-120 */
  readonly dataset?: string;
  /** e.g. `[{ cost: 'latency:pixel3', high: 9.19 }]` */
  readonly constraints: readonly ConstraintOption[];
  readonly algorithm?: AlgorithmName;
  readonly trials?: number;
  readonly seed?: number;
  /** proposals evaluated together */
  readonly batch?: number;
  /** JSONL journal; an existing one is resumed */
  readonly journal?: string;
  /** LayerNAS H and K (default: by the budget rule) */
  readonly buckets?: number;
  readonly keep?: number;
  /** std of Gaussian noise added to tabular rewards */
  readonly noise?: number;
  /** per-architecture CSV with an arch column (your own measurements) and the column to maximise */
  readonly csv?: { readonly file: string; readonly rewardColumn: string };
}

export interface SearchHooks {
  /** wraps the problem's evaluator (e.g. a simulated delay) */
  readonly wrapEvaluator?: (e: Evaluator) => Evaluator;
  /** a dispatcher (local pool, BullMQ) chosen for the problem's evaluator; closed by the caller */
  readonly dispatcher?: (evaluator: Evaluator) => Promise<TrialDispatcher | undefined>;
  readonly onProgress?: (p: StudyProgress) => void;
  /** journal lines skipped as corrupt, and the resume notice */
  readonly onNotice?: (message: string) => void;
}

export interface SearchResult extends StudyResult {
  readonly algorithmSettings: Readonly<Record<string, unknown>>;
  readonly problem: Problem;
}

export async function runSearch(o: SearchOptions, hooks: SearchHooks = {}): Promise<SearchResult> {
  const algorithm = o.algorithm ?? 'layernas';
  const trials = o.trials ?? 300;
  const seed = o.seed ?? 0;
  const batch = o.batch ?? 1;
  if (!Number.isInteger(trials) || trials < 1) throw new LayernasError('USAGE', `search: trials must be a positive integer (got ${trials})`);
  const problem = buildProblem({
    space: o.space,
    ...(o.dataset !== undefined ? { dataset: o.dataset } : {}),
    constraints: [...o.constraints],
    noiseStd: o.noise ?? 0,
    ...(o.csv ? { csv: o.csv } : {}),
  });
  problem.constraints.assertPossible();
  const overrides = { ...(o.buckets !== undefined ? { buckets: o.buckets } : {}), ...(o.keep !== undefined ? { keep: o.keep } : {}), polishBatch: batch };
  const ln = algorithm === 'layernas' ? layerNasSettingsFor(problem, trials, overrides) : undefined;
  const choice = makeAlgorithm(algorithm, problem, seed, trials, ln);
  const evaluator = problem.evaluator(seed);
  const settings = {
    space: problem.space.name,
    dataset: o.dataset ?? null,
    constraints: problem.constraints.list.map((c) => ({ cost: c.model.name, low: Number.isFinite(c.low) ? c.low : null, high: Number.isFinite(c.high) ? c.high : null })),
    algorithm,
    algorithmSettings: choice.settings,
    seed,
    trials,
    batch,
    evaluator: { kind: evaluator.kind, options: evaluator.options },
  };
  let history = undefined;
  if (o.journal && existsSync(o.journal)) {
    const read = readJournal(o.journal);
    for (const p of read.problems) hooks.onNotice?.(`warning [JOURNAL_CORRUPT]: ${p.file}:${p.line}: ${p.message}; line skipped, the rest recovered`);
    history = read.events;
    const done = read.events.filter((e) => e.type === 'result').length;
    hooks.onNotice?.(`resuming ${o.journal}: ${done} finished trials will not be evaluated again`);
  }
  const journal = o.journal ? FileJournal.open(o.journal) : { append: () => {}, close: () => {} };
  try {
    const dispatcher = hooks.dispatcher ? await hooks.dispatcher(evaluator) : undefined;
    const result = await runStudy({
      studyId: studyIdFor('search', settings),
      settings,
      space: problem.space,
      constraints: problem.constraints,
      reportCosts: problem.reportCosts,
      algorithm: choice.algorithm,
      maxTrials: trials,
      batchSize: batch,
      evaluator: hooks.wrapEvaluator ? hooks.wrapEvaluator(evaluator) : evaluator,
      journal,
      ...(dispatcher ? { dispatcher } : {}),
      ...(history ? { history } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    });
    return { ...result, algorithmSettings: choice.settings, problem };
  } finally {
    journal.close();
  }
}
