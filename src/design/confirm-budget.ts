/**
 * Design's finalists when the latency table is a few-shot estimate and the target can be reached (this host's
 * runtimes, or a phone over its adb): the search's best candidates are measured on the target
 * (src/search/within-budget.ts) before any full training, so the winner's latency is a measurement, not the estimate.
 * A table measured block by block keeps the search's ranking; so does a target that cannot be reached (adb missing,
 * no phone attached: DEVICE_FAILED), and the report says the finalists' latency is the estimate.
 */
import { ExporterModelFactory } from '../export/model-factory.js';
import { LayernasError } from '../core/errors.js';
import { backendForTarget } from '../platform/registry.js';
import { DEFAULT_PROTOCOL } from '../profile/measure.js';
import { measureNetworks } from '../profile/fewshot-profile.js';
import type { ProgressSink } from '../profile/progress.js';
import { confirmWithinBudget, CONFIRM_LIMIT } from '../search/within-budget.js';
import type { TrialRecord } from '../study/study.js';
import type { LoadedTarget } from '../targets/schema.js';
import type { DesignProblem } from './problem.js';
import type { LatencySource } from './latency-source.js';
import { topFeasible } from './search-stage.js';

export interface FinalistChoice {
  readonly finalists: TrialRecord[];
  readonly notes: string[];
}

export async function budgetConfirmedFinalists(req: {
  readonly loaded: LoadedTarget; readonly source: LatencySource; readonly problem: DesignProblem; readonly trials: readonly TrialRecord[];
  readonly count: number; readonly budgetMs: number; readonly progress: ProgressSink;
}): Promise<FinalistChoice> {
  const plain = topFeasible(req.trials, req.count);
  if (!req.source.table.data.metadata.fewshot) return { finalists: plain, notes: [] };
  try {
    return await confirmFinalists(req);
  } catch (err) {
    if (!(err instanceof LayernasError) || err.code !== 'DEVICE_FAILED') throw err;
    return { finalists: plain, notes: [`few-shot table, but ${req.loaded.target.id} could not be reached to measure the finalists (${err.message.slice(0, 200)}); their latency is the estimate`] };
  }
}

async function confirmFinalists(req: Parameters<typeof budgetConfirmedFinalists>[0]): Promise<FinalistChoice> {
  const backend = backendForTarget(req.loaded.target, new ExporterModelFactory());
  // every feasible candidate, best first: a second round may go past the first CONFIRM_LIMIT (src/search/within-budget.ts)
  const ranked = topFeasible(req.trials, req.trials.length);
  const kept: TrialRecord[] = [];
  const notes: string[] = [];
  let rest = ranked;
  while (kept.length < req.count && rest.length > 0) {
    const r = await confirmWithinBudget(rest, async (t) => {
      const [ms] = await measureNetworks(backend, [req.problem.networks.priced(t.dna)], DEFAULT_PROTOCOL, req.progress);
      return ms ?? NaN;
    }, req.budgetMs, CONFIRM_LIMIT, (t) => req.problem.latency.cost(t.dna));
    for (const c of r.checks) notes.push(`few-shot table: candidate trial ${rest[c.index]?.trial} predicted ${req.problem.latency.cost((rest[c.index] as TrialRecord).dna).toFixed(3)} ms, measured ${c.measuredMs.toFixed(3)} ms on ${req.loaded.target.id} (${c.within ? 'within' : 'over'} the ${req.budgetMs} ms budget)`);
    if (!r.chosen || !r.within) {
      if (kept.length === 0 && r.chosen) {
        kept.push(r.chosen);
        notes.push(`none of the ${r.checks.length} best candidates was measured within the budget; the fastest one measured is kept`);
      }
      break;
    }
    kept.push(r.chosen);
    rest = rest.slice((r.checks.at(-1)?.index ?? 0) + 1);
  }
  return { finalists: kept, notes };
}
