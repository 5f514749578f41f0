/**
 * Design's finalists when the latency table is a few-shot estimate and the target can be reached (this host's
 * runtimes, or a phone over its adb): the search's best candidates are measured on the target
 * (src/search/within-budget.ts) before any full training, so the winner's latency is a measurement, not the estimate.
 * A table measured block by block keeps the search's ranking; so does a target that cannot be reached (adb missing,
 * no phone attached: DEVICE_FAILED), and the report says the finalists' latency is the estimate.
 * On this host a candidate is measured as `verify` will measure the file it becomes (src/verify/verify.ts):
 * JUDGED_LOADS loads, each beside the table's speed anchor, the middle one at the table's speed (raw when the table has
 * no anchor); one load of a small model can run ~25% slower than another for its whole life.
 */
import { ExporterModelFactory } from '../export/model-factory.js';
import { LayernasError } from '../core/errors.js';
import { backendForTarget } from '../platform/registry.js';
import { DEFAULT_PROTOCOL, JUDGED_LOADS } from '../profile/measure.js';
import { measureNetworks } from '../profile/fewshot-profile.js';
import { DEFAULT_ANCHORED_PROTOCOL, measureAnchored } from '../profile/speed-anchor.js';
import type { LatencyBackend, PreparedModel } from '../platform/backends.js';
import type { LatencyTable } from '../cost/latency-table.js';
import type { NetworkSpec } from '../arch/spec.js';
import { resolvePlatform } from '../platform/registry.js';
import type { ProgressSink } from '../profile/progress.js';
import { confirmWithinBudget, CONFIRM_LIMIT } from '../search/within-budget.js';
import type { LoadedTarget } from '../targets/schema.js';
import type { DesignProblem } from './problem.js';
import type { LatencySource } from './latency-source.js';
import { topFeasible, trialLabel, type Candidate } from './search-stage.js';

export interface FinalistChoice {
  readonly finalists: Candidate[];
  readonly notes: string[];
  /** every candidate measured on the target (ms at the table's speed when it has an anchor), with the table's estimate */
  readonly measured: readonly { readonly trial: Candidate; readonly ms: number; readonly predictedMs: number; readonly how: string }[];
}

export async function budgetConfirmedFinalists(req: {
  readonly loaded: LoadedTarget; readonly source: LatencySource; readonly problem: DesignProblem; readonly trials: readonly Candidate[];
  readonly count: number; readonly budgetMs: number; readonly progress: ProgressSink;
  /** candidates this run measured already (by DNA "1-5-5-…"; the same table speed): taken, not measured again */
  readonly known?: ReadonlyMap<string, { readonly ms: number; readonly how: string }>;
}): Promise<FinalistChoice> {
  const plain = topFeasible(req.trials, req.count);
  if (!req.source.table.data.metadata.fewshot) return { finalists: plain, notes: [], measured: [] };
  try {
    return await confirmFinalists(req);
  } catch (err) {
    if (!(err instanceof LayernasError) || err.code !== 'DEVICE_FAILED') throw err;
    return { finalists: plain, measured: [], notes: [`few-shot table, but ${req.loaded.target.id} could not be reached to measure the finalists (${err.message.slice(0, 200)}); their latency is the estimate`] };
  }
}

interface Confirmed { readonly ms: number; readonly how: string }

/** on a host: JUDGED_LOADS loads beside the table's anchor, the middle one at the table's speed (as verify judges) */
async function measureAsVerify(backend: LatencyBackend, spec: NetworkSpec, table: LatencyTable): Promise<Confirmed> {
  const loads: PreparedModel[] = [];
  try {
    for (let k = 0; k < JUDGED_LOADS; k++) loads.push(await backend.prepare(spec, spec.name ?? 'candidate', { role: 'network' }));
    const r = await measureAnchored(backend, loads, table, { ...DEFAULT_ANCHORED_PROTOCOL, warmupRuns: DEFAULT_PROTOCOL.warmupRuns, rounds: 10 });
    return r.atTableSpeedMs !== null
      ? { ms: r.atTableSpeedMs, how: ` at the table's speed (raw ${r.model.median_ms.toFixed(3)} ms, middle of ${JUDGED_LOADS} loads)` }
      : { ms: r.model.median_ms, how: ` (raw, middle of ${JUDGED_LOADS} loads)` };
  } finally {
    for (const l of loads) await l.dispose();
  }
}

async function confirmFinalists(req: Parameters<typeof budgetConfirmedFinalists>[0]): Promise<FinalistChoice> {
  const backend = backendForTarget(req.loaded.target, new ExporterModelFactory());
  const onHost = resolvePlatform(req.loaded.target).onHost;
  const how = new Map<Candidate, string>();
  const reused = new Set<Candidate>();
  // every feasible candidate, best first: a second round may go past the first CONFIRM_LIMIT (src/search/within-budget.ts)
  const ranked = topFeasible(req.trials, req.trials.length);
  const kept: Candidate[] = [];
  const notes: string[] = [];
  const measured: FinalistChoice['measured'][number][] = [];
  let rest = ranked;
  while (kept.length < req.count && rest.length > 0) {
    const r = await confirmWithinBudget(rest, async (t) => {
      const known = req.known?.get(t.dna.join('-'));
      if (known) {
        how.set(t, known.how);
        reused.add(t);
        return known.ms;
      }
      const spec = req.problem.networks.priced(t.dna);
      if (onHost) {
        req.progress.start(1, 0, `candidate ${trialLabel(t)}: ${JUDGED_LOADS} loads beside the speed anchor, as verify measures`);
        const m = await measureAsVerify(backend, spec, req.source.table);
        how.set(t, m.how);
        req.progress.finish(`${trialLabel(t)}: ${m.ms.toFixed(3)} ms${m.how}`);
        return m.ms;
      }
      const [ms] = await measureNetworks(backend, [spec], DEFAULT_PROTOCOL, req.progress);
      return ms ?? NaN;
    }, req.budgetMs, CONFIRM_LIMIT, (t) => req.problem.latency.cost(t.dna));
    for (const c of r.checks) {
      const t = rest[c.index] as Candidate;
      measured.push({ trial: t, ms: c.measuredMs, predictedMs: req.problem.latency.cost(t.dna), how: how.get(t) ?? '' });
      notes.push(`few-shot table: candidate ${trialLabel(t)} predicted ${req.problem.latency.cost(t.dna).toFixed(3)} ms, measured ${c.measuredMs.toFixed(3)} ms${how.get(t) ?? ''}${reused.has(t) ? '; measured earlier in this run' : ''} on ${req.loaded.target.id} (${c.within ? 'within' : 'over'} the ${req.budgetMs} ms budget)`);
    }
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
  return { finalists: kept, notes, measured };
}
