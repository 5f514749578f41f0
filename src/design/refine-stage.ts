/**
 * Design with a few-shot table on a target it can reach: before the final training, the search's best candidates are
 * measured on the target (src/design/confirm-budget.ts). When one of them is off its estimate by more than the table's
 * own band (3 x its median leave-one-out error, or the design's tolerance), the search went where the N measured networks
 * say little (a search drives to corners: all-e1 grouped FBNet networks priced 36-45% too high for this host's ONNX
 * Runtime from phone tables). Then the table is refined with those measurements (src/profile/fewshot-refine.ts),
 * kept in the run as <out>/latency/<table>-r<round>.json, and the search runs again on it (rewards already trained are
 * reused); at most FEWSHOT_REFINE_ROUNDS rounds. Verify then judges the deployed file against the refined table.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatNetwork } from '../arch/grammar.js';
import { LayernasError } from '../core/errors.js';
import { loadTable, parseTable, type LatencyTable } from '../cost/latency-table.js';
import { writeTableFile } from '../cost/table-convert/shipped.js';
import { refineFewShotTable, sourcesOfFewShotTable } from '../profile/fewshot-refine.js';
import { latencyErrorPct, predictionTolerance } from '../verify/checks.js';
import { budgetConfirmedFinalists } from './confirm-budget.js';
import type { LatencySource } from './latency-source.js';
import { buildDesignProblem } from './problem.js';
import type { DesignRun, SearchResult, TableResult } from './stages.js';
import { trialLabel } from './search-stage.js';
import { tryTable } from './table-fit.js';

/** searches on a refined table at most (each costs up to a search's trials; most candidates' rewards are reused) */
export const FEWSHOT_REFINE_ROUNDS = 2;

function withTable(run: DesignRun, t: TableResult, table: LatencyTable, note: string): TableResult {
  const source: LatencySource = { ...t.source, table, networks: tryTable(table, t.space, t.data.numClasses).nets, notes: [...t.source.notes, note] };
  return { ...t, source, tableFile: table.file, problem: buildDesignProblem(source, t.loaded.target.id, run.opts.latencyMs, run.opts.maddsMax) };
}

/** the refined table of round `round` (or null: not a few-shot table, target out of reach, or the estimate held) */
export async function refineStage(run: DesignRun, t: TableResult, s: SearchResult, round: number): Promise<TableResult | null> {
  const fs = t.source.table.data.metadata.fewshot;
  if (!fs) return null;
  const stem = path.basename(t.tableFile, '.json').replace(/-r\d+$/, '');
  const file = path.join(run.out, 'latency', `${stem}-r${round}.json`);
  if (existsSync(file)) return withTable(run, t, loadTable(file), `few-shot table refined in round ${round} (kept from an earlier run of this design): ${file}`);
  const progress = run.progress.stage(`refine-r${round}`);
  const choice = await run.timed('refine', () => budgetConfirmedFinalists({ loaded: t.loaded, source: t.source, problem: t.problem, trials: s.candidates, count: run.opts.finalists, budgetMs: run.opts.latencyMs, progress, known: run.measuredOnTarget }));
  for (const m of choice.measured) run.measuredOnTarget.set(m.trial.dna.join('-'), { ms: m.ms, how: m.how });
  const band = predictionTolerance(run.opts.tolerancePct, fs.loo_errors).pct;
  const errorPct = (m: (typeof choice.measured)[number]): number => latencyErrorPct(m.ms, m.predictedMs);
  const off = choice.measured.filter((m) => Math.abs(errorPct(m)) > band);
  if (off.length === 0) {
    if (choice.measured.length > 0) run.progress.note(`few-shot estimate held for the ${choice.measured.length} candidate(s) measured (within ±${band}%): no refinement`);
    return null;
  }
  let sources;
  try {
    sources = sourcesOfFewShotTable(t.source.table, t.space);
  } catch (err) {
    if (!(err instanceof LayernasError)) throw err;
    run.progress.note(`few-shot table off for the search's candidates, but it cannot be refined: ${err.message}`);
    return null;
  }
  const worst = off.reduce((a, m) => (Math.abs(errorPct(m)) > Math.abs(errorPct(a)) ? m : a));
  const why = `${trialLabel(worst.trial)} predicted ${worst.predictedMs.toFixed(3)} ms, measured ${worst.ms.toFixed(3)} ms (${errorPct(worst).toFixed(1)}%, beyond ±${band}%)`;
  // a candidate an earlier round measured is in the table's fit already: not added twice
  const inFit = new Set(fs.measured.map((m) => m.arch));
  const added = choice.measured.map((m) => ({ spec: t.problem.networks.priced(m.trial.dna), ms: m.ms })).filter((a) => !inFit.has(formatNetwork(a.spec)));
  if (added.length === 0) {
    run.progress.note(`few-shot table off for the search's candidates (${why}), but they are in its fit already: no refinement`);
    return null;
  }
  const data = refineFewShotTable({
    table: t.source.table, target: t.loaded.target, space: t.space, sources, added, how: `design round ${round}: the search's best candidates measured on ${t.loaded.target.id}; ${why}`,
  });
  writeTableFile(file, data);
  const note = `few-shot table refined (round ${round}): ${why}; ${added.length} measured candidate(s) added to its fit (now ${data.metadata.fewshot?.networks} networks, leave-one-out ${(100 * (data.metadata.fewshot?.loo_rms_error ?? 0)).toFixed(1)}%): ${file}; the search runs again on it`;
  run.progress.note(note);
  return withTable(run, t, parseTable(data, file), note);
}
