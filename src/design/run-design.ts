/**
 * `design`, end to end, as an ordered list of stages (src/design/stages.ts), each calling the functions the single
 * commands call: table (latency table of the target, profiled on a host target when the space is not covered; budget
 * check, BUDGET_IMPOSSIBLE before any training) -> search (LayerNAS with proxy-training rewards; with a few-shot
 * table whose estimate fails on the search's best candidates: refined with their measurements and searched again,
 * src/design/refine-stage.ts) -> final (full
 * training of the best candidates, + optional hand-designed baseline and random search with the same trials) ->
 * export (TFLite float32 + int8, ONNX, by `layernas export`'s exporter) -> verify (`layernas verify` on the target)
 * -> report (summary.json + report.html). Each stage journals or writes its result in --out; rerunning the same
 * command resumes where it stopped.
 */
import { prepareOutputDir } from '../core/paths.js';
import { acquireRunLock } from '../core/run-lock.js';
import type { TrialDispatcher } from '../dispatch/types.js';
import type { DesignOptions } from './options.js';
import type { DesignProgress } from './progress.js';
import { reportStage, type DesignResult } from './report-stage.js';
import { DesignRun, exportStage, finalStage, searchStage, tableStage, verifyStage } from './stages.js';
import { FEWSHOT_REFINE_ROUNDS, refineStage } from './refine-stage.js';

export type { DesignResult } from './report-stage.js';

/** `dispatcher`: proxy-train the search trials on BullMQ workers (`layernas worker --evaluator training`); final training stays here. */
export async function runDesign(opts: DesignOptions, progress: DesignProgress, dispatcher?: TrialDispatcher): Promise<DesignResult> {
  // one run per folder at a time: a second design on the same --out gets RUN_LOCKED (a dead holder's lock is taken over)
  const lock = acquireRunLock(prepareOutputDir(opts.out, 'design --out'), 'design run folder');
  try {
    const run = new DesignRun(opts, progress, dispatcher);
    let table = await tableStage(run);
    let search = await searchStage(run, table);
    // a few-shot table off for the search's candidates is refined with their measurements and searched again
    for (let round = 1; round <= FEWSHOT_REFINE_ROUNDS; round++) {
      const refined = await refineStage(run, table, search, round);
      if (!refined) break;
      table = refined;
      search = await searchStage(run, table, { round, search });
    }
    const final = await finalStage(run, table, search);
    const exported = await exportStage(run, table, final);
    const verified = await verifyStage(run, table, final, exported);
    return await reportStage(run, table, search, final, exported, verified);
  } finally {
    lock.release();
  }
}
