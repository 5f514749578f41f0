/**
 * The report stage of `design`: summary.json (what the run produced, as data) and report.html rendered from it.
 */
import path from 'node:path';
import { formatNetwork } from '../arch/grammar.js';
import { writeFileAtomic } from '../core/write-atomic.js';
import { costsOf } from './problem.js';
import { walkShapes } from '../arch/shapes.js';
import { priceNetwork } from '../cost/price-network.js';
import { renderDesignReport } from './report-html.js';
import type { DesignRun, ExportResult, FinalResult, SearchResult, TableResult, VerifyResult } from './stages.js';
import { writeJsonAtomic } from './stage-files.js';
import type { DesignFinalModel, DesignSummary, DesignTrialRow } from './summary.js';

export interface DesignResult {
  readonly summary: DesignSummary;
  readonly summaryFile: string;
  readonly reportFile: string;
  readonly modelDir: string;
  /** models trained by this run (0 when everything was read back) */
  readonly trainedNow: { readonly proxy: number; readonly full: number };
}

export function designSummary(run: DesignRun, t: TableResult, s: SearchResult, f: FinalResult, e: ExportResult, v: VerifyResult): DesignSummary {
  const { opts } = run;
  const { problem } = t;
  const trials: DesignTrialRow[] = s.searches.flatMap((x) => x.trials.map((tr) => {
    const c = costsOf(problem, tr.dna);
    return {
      number: tr.trial, algorithm: x.algorithm, arch: tr.arch, dna: tr.dna, predictedLatencyMs: c.latencyMs, madds: c.madds, params: c.params,
      reward: tr.status === 'ok' && Number.isFinite(tr.reward) ? tr.reward : null, feasible: tr.feasible, reused: false,
    };
  }));
  const finals: DesignFinalModel[] = f.finals.map((x) => {
    const c = costsOf(problem, x.model.dna);
    return {
      role: x.role, description: x.description, dna: x.model.dna, arch: x.model.result.arch, predictedLatencyMs: c.latencyMs, madds: c.madds, params: c.params,
      proxyValAccuracy: x.proxy, valAccuracy: x.model.result.valAccuracy, testAccuracy: x.model.result.testAccuracy, trainSeconds: x.model.result.trainSeconds,
    };
  });
  const agreementByFile = new Map(v.stage.agreement.map((a) => [a.file, a]));
  return {
    version: 1, createdAt: new Date().toISOString(), target: t.loaded.target.id, dataset: t.data.name,
    budget: { latencyMs: opts.latencyMs, ...(opts.maddsMax !== undefined ? { maddsMax: opts.maddsMax } : {}) },
    cheapestLatencyMs: problem.cheapest.latencyMs, space: t.space.name, searchTrials: s.layernas.trialsUsed,
    trainer: [...new Set(f.finals.map((x) => x.model.result.backend))].join('; ') || s.trainer.name,
    recipes: { proxy: { ...opts.proxy, runs: opts.proxyRuns }, full: opts.full },
    layerNames: t.space.layers.map((l) => l.name), optionNames: t.space.layers.map((l) => l.options),
    winner: { dna: f.winner.dna, arch: formatNetwork(problem.networks.trained(f.winner.dna)) },
    trials, finals, latency: v.stage.latency,
    files: e.stage.files.map((x) => {
      const a = agreementByFile.get(x.file);
      return { file: x.file, format: x.format, bytes: x.bytes, sha256: x.sha256, ...(a ? { testAgreement: a.share, testAccuracy: a.testAccuracy } : {}) };
    }),
    verifyPassed: v.stage.passed, verifyFailures: v.stage.failures, verifyWarnings: v.stage.warnings ?? [],
    checks: v.stage.checks.map((c) => ({ name: c.name, passed: c.passed, detail: c.detail, ...(c.advisory ? { advisory: true } : {}) })), modelDir: path.relative(run.out, e.dir),
    notes: [...t.source.notes, ...(f.notes ?? []), ...s.searches.flatMap((x) => x.journalProblems.map((p) => `journal problem skipped: ${p}`))],
    timings: run.timings,
    winnerLatency: winnerLatency(t, f),
    verification: { table: path.relative(run.out, t.tableFile), dataset: t.datasetRef, agreementImages: v.stage.agreementImages, tolerancePct: opts.tolerancePct },
  };
}

/** the winner priced layer by layer with the table the design used (the same network the search priced) */
function winnerLatency(t: TableResult, f: FinalResult): NonNullable<DesignSummary['winnerLatency']> {
  const p = priceNetwork(walkShapes(t.problem.networks.priced(f.winner.dna)), t.source.table);
  return {
    layers: p.layers.map((l) => ({ block: l.key.slice(0, l.key.lastIndexOf('@')), key: l.key, ms: l.ms })),
    fixedMs: p.fixed_ms,
    totalMs: p.total_ms ?? p.priced_ms,
  };
}

/** report: summary.json + report.html in --out */
export async function reportStage(run: DesignRun, t: TableResult, s: SearchResult, f: FinalResult, e: ExportResult, v: VerifyResult): Promise<DesignResult> {
  const summary = designSummary(run, t, s, f, e, v);
  const summaryFile = path.join(run.out, 'summary.json');
  const reportFile = path.join(run.out, 'report.html');
  await writeJsonAtomic(summaryFile, summary);
  await writeFileAtomic(reportFile, renderDesignReport(summary));
  return {
    summary, summaryFile, reportFile, modelDir: e.dir,
    trainedNow: { proxy: s.searches.reduce((n, x) => n + x.evaluatedThisRun, 0), full: f.finals.filter((x) => x.model.trainedNow).length },
  };
}
