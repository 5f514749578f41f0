/**
 * A study runs one search: it asks the algorithm for proposals, evaluates them (through an Evaluator, or a
 * TrialDispatcher for parallel/distributed work), journals every ask and result, and tells the rewards back in
 * trial-number order, so the algorithm's state depends only on the seed and the journal.
 * Resume = replay the journal: asked trials with a result are told their journaled reward (never re-evaluated),
 * asked trials without one are evaluated again; the same seed ends with the same result, interrupted or not.
 */
import { createHash } from 'node:crypto';
import { LayernasError } from '../core/errors.js';
import type { CostModel } from '../cost/types.js';
import type { TrialDispatcher, TrialRequest, TrialResult } from '../dispatch/types.js';
import type { EvalResult, Evaluator } from '../eval/types.js';
import type { Constraints } from '../search/constraints.js';
import type { SearchAlgorithm } from '../search/types.js';
import { decodeArch } from '../space/decode.js';
import { dnaKey, type Dna, type SearchSpace } from '../space/types.js';
import { describeFailure, isFinalFailure, reasonOfCode, trialFailure, type TrialFailure } from '../core/failure.js';
import type { JournalEvent, JournalSink } from './journal.js';

/** Everything that must match for a journal to be resumed (compared as canonical JSON). */
export type StudySettings = Readonly<Record<string, unknown>>;

export interface TrialRecord {
  readonly trial: number;
  readonly dna: Dna;
  readonly arch: string;
  readonly status: 'ok' | 'failed';
  readonly reward: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly costs: Readonly<Record<string, number>>;
  readonly feasible: boolean;
}

export interface StudyResult {
  readonly best: TrialRecord | undefined;
  readonly trialsUsed: number;
  readonly evaluatedThisRun: number;
  readonly trials: readonly TrialRecord[];
  readonly summary: Record<string, unknown> | undefined;
  /** journal lines ignored on resume (results of trials never asked), for the user */
  readonly problems: readonly string[];
}

export interface StudyProgress {
  readonly trialsUsed: number;
  readonly maxTrials: number;
  readonly best: TrialRecord | undefined;
  readonly last: TrialRecord;
}

export interface StudyOptions {
  readonly studyId: string;
  readonly settings: StudySettings;
  readonly space: SearchSpace;
  readonly constraints: Constraints;
  /** costs recorded with every trial (constraint costs are always recorded) */
  readonly reportCosts?: readonly CostModel[];
  readonly algorithm: SearchAlgorithm;
  readonly maxTrials: number;
  /** proposals asked and evaluated together (e.g. all children of a LayerNAS layer, up to this many) */
  readonly batchSize: number;
  readonly evaluator: Evaluator;
  readonly dispatcher?: TrialDispatcher;
  /** architecture string sent to dispatched workers (default: decodeArch; a network string lets training workers build it) */
  readonly requestArch?: (dna: Dna) => string;
  readonly journal: JournalSink;
  /** events of an existing journal to resume from */
  readonly history?: readonly JournalEvent[];
  readonly onProgress?: (p: StudyProgress) => void;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** `<prefix>-<16 hex of sha256(canonical settings)>`: a study id that two different studies never share. */
export function studyIdFor(prefix: string, settings: StudySettings): string {
  return `${prefix}-${createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 16)}`;
}

type ResultEvent = Extract<JournalEvent, { type: 'result' }>;

/** `key: journal value in the journal, requested value now` for every top-level setting that differs */
function settingsDiff(journal: StudySettings, now: StudySettings): string {
  const show = (v: unknown): string => (v === undefined ? 'unset' : canonicalJson(v).slice(0, 80));
  return [...new Set([...Object.keys(journal), ...Object.keys(now)])].sort()
    .filter((k) => canonicalJson(journal[k] ?? null) !== canonicalJson(now[k] ?? null))
    .map((k) => `${k}: ${show(journal[k])} in the journal, ${show(now[k])} now`).join('; ');
}

export async function runStudy(opts: StudyOptions): Promise<StudyResult> {
  const { constraints, algorithm, journal } = opts;
  const asks = new Map<number, Extract<JournalEvent, { type: 'ask' }>>();
  const results = new Map<number, ResultEvent>();
  const problems: string[] = [];
  let haveHeader = false;
  for (const ev of opts.history ?? []) {
    if (ev.type === 'study') {
      if (canonicalJson(ev.settings) !== canonicalJson(opts.settings)) {
        const where = journal.file !== undefined ? `the journal ${journal.file}` : 'the journal';
        throw new LayernasError('STUDY_MISMATCH', `${where} was written with different settings (${settingsDiff(ev.settings, opts.settings)}); resume with the same ones or use a new journal (another --out)`, {
          journal: ev.settings,
          requested: opts.settings,
        });
      }
      haveHeader = true;
    } else if (ev.type === 'ask') asks.set(ev.trial, ev);
    else if (ev.type === 'result') {
      // a journal accepts only results of trials it asked for (an injected or misplaced line must not become the best)
      if (!asks.has(ev.trial)) {
        problems.push(`result for trial ${ev.trial}, which the journal never asked for, ignored`);
        continue;
      }
      // a failure caused by the environment (full disk, kill, timeout) is trained again; the candidate's own is final
      if (ev.status === 'failed' && !isFinalFailure(ev.error ? reasonOfCode(ev.error.code, ev.error.reason) : undefined)) {
        results.delete(ev.trial);
        continue;
      }
      results.set(ev.trial, ev);
    }
  }
  if (!haveHeader && (opts.history?.length ?? 0) > 0) {
    throw new LayernasError('STUDY_MISMATCH', 'the journal has trials but no readable study header line', {});
  }
  if (!haveHeader) journal.append({ type: 'study', version: 1, settings: { ...opts.settings }, time: new Date().toISOString() });

  const costModels = [...constraints.list.map((c) => c.model), ...(opts.reportCosts ?? []).filter((m) => !constraints.list.some((c) => c.model === m))];
  const trials: TrialRecord[] = [];
  let best: TrialRecord | undefined;
  let evaluatedThisRun = 0;
  let next = 0;
  const dispatcherResults = opts.dispatcher?.results()[Symbol.asyncIterator]();

  const record = (trial: number, dna: Dna, arch: string, ev: ResultEvent): TrialRecord => {
    const rec: TrialRecord = {
      trial,
      dna,
      arch,
      status: ev.status,
      reward: ev.status === 'ok' && ev.reward !== null ? ev.reward : -Infinity,
      metrics: ev.metrics,
      costs: ev.costs,
      feasible: constraints.feasible(dna),
    };
    trials.push(rec);
    if (rec.feasible && rec.status === 'ok' && (!best || rec.reward > best.reward)) best = rec;
    return rec;
  };

  const resultEvent = (trial: number, dna: Dna, outcome: { ok: EvalResult } | { error: TrialFailure }, extra: { durationMs?: number; worker?: string }): ResultEvent => {
    const costs: Record<string, number> = {};
    for (const m of costModels) costs[m.name] = m.cost(dna);
    return 'ok' in outcome
      ? { type: 'result', trial, status: 'ok', reward: outcome.ok.reward, metrics: { ...outcome.ok.metrics }, costs, ...extra }
      : { type: 'result', trial, status: 'failed', reward: null, metrics: {}, costs, error: outcome.error, ...extra };
  };

  while (next < opts.maxTrials && !algorithm.done()) {
    const batch = algorithm.ask(Math.min(opts.batchSize, opts.maxTrials - next));
    if (batch.length === 0) break;
    const numbered = batch.map((dna) => ({ trial: next++, dna, arch: decodeArch(opts.space, dna) }));
    for (const t of numbered) {
      const old = asks.get(t.trial);
      if (old) {
        if (dnaKey(old.dna) !== dnaKey(t.dna)) {
          throw new LayernasError('STUDY_MISMATCH', `journal diverges at trial ${t.trial}: it asked [${old.dna.join(',')}], this run asks [${t.dna.join(',')}]`, { trial: t.trial });
        }
      } else journal.append({ type: 'ask', trial: t.trial, dna: [...t.dna], arch: t.arch });
    }
    const todo = numbered.filter((t) => !results.has(t.trial));
    if (todo.length > 0) {
      if (opts.dispatcher && dispatcherResults) {
        const byId = new Map(todo.map((t) => [`${opts.studyId}:${t.trial}`, t]));
        const requests: TrialRequest[] = todo.map((t) => ({
          trialId: `${opts.studyId}:${t.trial}`,
          studyId: opts.studyId,
          dna: [...t.dna],
          arch: opts.requestArch ? opts.requestArch(t.dna) : t.arch,
          evaluator: { kind: opts.evaluator.kind, options: { ...opts.evaluator.options } },
          attempt: 1,
        }));
        await opts.dispatcher.submit(requests);
        while (byId.size > 0) {
          const r = await dispatcherResults.next();
          if (r.done) throw new LayernasError('QUEUE_UNREACHABLE', `dispatcher closed with ${byId.size} trials outstanding`, {});
          const res: TrialResult = r.value;
          const t = byId.get(res.trialId);
          if (!t) continue; // duplicate or foreign result
          byId.delete(res.trialId);
          const failure = res.outcome.status === 'failed'
            ? { code: res.outcome.error.code, message: res.outcome.error.message, reason: reasonOfCode(res.outcome.error.code, res.outcome.error.reason) }
            : undefined;
          const ev = resultEvent(t.trial, t.dna, res.outcome.status === 'ok' ? { ok: { reward: res.outcome.reward, metrics: res.outcome.metrics } } : { error: failure as TrialFailure }, {
            durationMs: res.durationMs,
            worker: res.worker,
          });
          journal.append(ev);
          results.set(t.trial, ev);
          evaluatedThisRun++;
        }
      } else {
        await Promise.all(
          todo.map(async (t) => {
            const started = Date.now();
            let outcome: { ok: EvalResult } | { error: TrialFailure };
            try {
              outcome = { ok: await opts.evaluator.evaluate({ trialNumber: t.trial, dna: t.dna, arch: t.arch }) };
            } catch (e) {
              const failure = trialFailure(e);
              if (failure === undefined) throw e; // a bug, not a failed trial
              outcome = { error: failure };
            }
            const ev = resultEvent(t.trial, t.dna, outcome, { durationMs: Date.now() - started });
            journal.append(ev);
            results.set(t.trial, ev);
            evaluatedThisRun++;
          }),
        );
      }
    }
    // a trial that failed because of the environment is not told to the algorithm (its reward is unknown, not bad):
    // stop here with everything journaled; rerunning the same command trains it again and goes on
    const transient = todo.map((t) => results.get(t.trial) as ResultEvent).filter((ev) => ev.status === 'failed' && !isFinalFailure(ev.error?.reason));
    if (transient.length > 0) {
      const first = transient[0] as ResultEvent;
      const f = first.error as TrialFailure;
      throw new LayernasError('TRAINER_FAILED', `trial ${first.trial}${transient.length > 1 ? ` and ${transient.length - 1} more` : ''} failed: ${describeFailure(f)}\nnothing is lost: every finished trial is journaled; fix the cause and rerun the same command to resume`, {
        reason: f.reason, trials: transient.map((ev) => ev.trial), code: f.code,
      });
    }
    for (const t of numbered) {
      const ev = results.get(t.trial) as ResultEvent;
      const rec = record(t.trial, t.dna, t.arch, ev);
      algorithm.tell(t.dna, rec.reward);
      opts.onProgress?.({ trialsUsed: next, maxTrials: opts.maxTrials, best, last: rec });
    }
  }
  const summary = algorithm.summary?.();
  journal.append({ type: 'end', trialsUsed: next, best: best ? { trial: best.trial, dna: best.dna, arch: best.arch, reward: best.reward } : null });
  return { best, trialsUsed: next, evaluatedThisRun, trials, summary, problems };
}
