/**
 * A few-shot latency table for a new device (src/profile/fewshot.ts) of a per-block space: the candidate networks
 * (seeded random DNAs plus cost-spanning ones) priced by every source table, the N networks to measure chosen among
 * them, and, once they are measured, a table the predictor can sum like any other:
 *
 *     entry(key) = sum_s (w_s + d_s[stage(key)] + d_s[kind(key)]) * entry_s(key) + c[operatorKind(key)]
 *     fixed "fewshot" = a + sum_s w_s * fixed_s
 *
 * (c = 0: a per-block source's fit uses its parts; d_s[kind] = 0 unless the features were split by operator kind
 * too, as a refined table's may be: src/profile/fewshot-refine.ts), which reproduces the fit exactly for every network
 * of the space (each source is a sum over its layers, its parts are sums over some of its layers, the per-operator
 * counts are sums too). A layer's stage is its output shape (stageOf). `metadata.fewshot` records N, the sources, the
 * fit and its leave-one-out error.
 */
import { formatNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { walkShapes } from '../arch/shapes.js';
import { LayernasError } from '../core/errors.js';
import { predictLatency, type LatencyPrediction } from '../cost/latency-predictor.js';
import { TABLE_FORMAT, parseTable, type LatencyTable, type LatencyTableData, type TableEntry } from '../cost/latency-table.js';
import type { SearchSpace } from '../space/types.js';
import type { Target } from '../targets/schema.js';
import { operatorKind } from './calibration.js';
import { calibrationDnas } from './calibration-networks.js';
import { fitFewShot, type FewShotFeatures, type FewShotFit, type FewShotPart } from './fewshot.js';
import { chooseNetworks } from './fewshot-design.js';
import { countColumns, operatorCounts } from './operator-counts.js';
import { distinctSpaceBlocks, oneBlockNetwork, spaceNetwork } from './space-networks.js';
import { tableIdentity } from './table-builder.js';

export interface FewShotSource {
  readonly name: string;
  readonly table: LatencyTable;
}

export interface FewShotPlan {
  readonly dnas: readonly (readonly number[])[];
  readonly candidates: readonly NetworkSpec[];
  readonly features: FewShotFeatures;
  /** indices into candidates, in measuring order */
  readonly chosen: readonly number[];
}

/** A layer's stage for the per-stage parts of the few-shot fit: its output shape. */
export function stageOf(output: { readonly h: number; readonly w: number; readonly c: number }): string {
  return `${output.h}x${output.w}x${output.c}`;
}

/** Candidates (`pool` random + 20 cost-spanning networks of the space, seeded) and the `n` to measure among them. */
export function planFewShot(space: SearchSpace, sources: readonly FewShotSource[], n: number, seed: number, pool = 1000): FewShotPlan {
  if (sources.length === 0) throw new LayernasError('USAGE', 'few-shot profiling needs at least one source table (--from)');
  const { dnas, candidates } = fewShotCandidates(space, seed, pool);
  const features = fewShotFeaturesOf(sources, candidates);
  return { dnas, candidates, features, chosen: chooseNetworks(features, n, seed, candidates.length) };
}

/** the universe a few-shot table is planned over: `pool` seeded random networks + 20 cost-spanning ones */
export function fewShotCandidates(space: SearchSpace, seed: number, pool = 1000): { dnas: (readonly number[])[]; candidates: NetworkSpec[] } {
  const dnas = calibrationDnas(space, { uniform: pool, spanning: 20, seed });
  return { dnas, candidates: dnas.map((dna, i) => ({ ...spaceNetwork(space, dna), name: `fewshot-${i}` })) };
}

/** a layer's operator-kind part of the few-shot fit (fewShotFeaturesOf with kinds) */
export const kindPart = (key: string): string => `kind:${operatorKind(key)}`;

/**
 * The few-shot fit's features of `candidates`: each source's price of every network, split by stage (and, with
 * `kinds`, also by operator kind: kindPart), and operator counts.
 */
export function fewShotFeaturesOf(sources: readonly FewShotSource[], candidates: readonly NetworkSpec[], kinds = false): FewShotFeatures {
  const walks = candidates.map((net) => walkShapes(net));
  const priced = sources.map((s) => walks.map((rows) => predictLatency(rows, s.table)));
  const parts: FewShotPart[] = [];
  sources.forEach((_, s) => {
    const byStage = new Map<string, Float64Array>();
    walks.forEach((rows, i) => rows.forEach((row, l) => {
      for (const st of kinds ? [stageOf(row.output), kindPart(row.key)] : [stageOf(row.output)]) {
        const col = byStage.get(st) ?? new Float64Array(candidates.length);
        byStage.set(st, col);
        col[i] = (col[i] as number) + ((priced[s] as LatencyPrediction[])[i] as LatencyPrediction).layers[l]!.ms;
      }
    }));
    for (const [stage, values] of byStage) parts.push({ source: s, stage, values });
  });
  const c = countColumns(candidates.map(operatorCounts));
  return { sourceNames: sources.map((s) => s.name), sources: priced.map((col) => Float64Array.from(col, (p) => p.total_ms)), parts, countNames: c.names, counts: c.counts };
}

export interface FewShotTableRequest {
  readonly target: Target;
  readonly space: SearchSpace;
  readonly sources: readonly FewShotSource[];
  readonly plan: FewShotPlan;
  /** measured latency (ms) of plan.chosen[j] */
  readonly measuredMs: readonly number[];
  /** the last `pinned` of plan.chosen were measured where a search went: the table is then the single fit on all (fitFewShot) */
  readonly pinned?: number;
  readonly runtimeVersion: string;
  readonly seed: number;
  readonly how: string;
  /** the speed anchor timed beside every measured network (measuredMs already scaled to its median) */
  readonly anchor?: { readonly arch: string; readonly median_ms: number; readonly batches: number; readonly spread_ratio: number };
}

const within10 = (errs: readonly number[]): number => errs.filter((e) => Math.abs(e) <= 0.1).length / Math.max(1, errs.length);

export function buildFewShotTable(req: FewShotTableRequest): { table: LatencyTableData; fit: FewShotFit } {
  const { plan, space, sources } = req;
  // A table's fixed part cannot be negative. When the free fit wants one (a device much faster than the sources at
  // the cheap end), refit with the fixed part held at 0: no intercept, each source without its own fixed parts.
  let fit = fitFewShot(plan.features, plan.chosen, req.measuredMs, undefined, { pinned: req.pinned ?? 0 });
  const fixedOf = (f: FewShotFit): number => f.interceptMs + sources.reduce((a, s) => a + (f.sourceWeights[s.name] ?? 0) * s.table.fixedTotalMs, 0);
  let refitted = false;
  if (fixedOf(fit) < 0) {
    const layersOnly: FewShotFeatures = { ...plan.features, sources: plan.features.sources.map((col, k) => col.map((v) => v - (sources[k] as FewShotSource).table.fixedTotalMs)) };
    fit = { ...fitFewShot(layersOnly, plan.chosen, req.measuredMs, undefined, { intercept: false, pinned: req.pinned ?? 0 }) };
    fit = { ...fit, interceptMs: -sources.reduce((a, s) => a + (fit.sourceWeights[s.name] ?? 0) * s.table.fixedTotalMs, 0) };
    refitted = true;
  }
  const input = spaceNetwork(space, space.radix.map(() => 0)).input;
  const weightOf = (s: FewShotSource): number => fit.sourceWeights[s.name] ?? 0;
  let clamped = 0;
  const partWeight = new Map(fit.partWeights.map((p) => [`${p.source}\t${p.stage}`, p.weight]));
  const entries: TableEntry[] = distinctSpaceBlocks(space).map((b) => {
    const stage = stageOf((walkShapes(oneBlockNetwork(b))[0] as { output: { h: number; w: number; c: number } }).output);
    const weights = sources.map((s) => weightOf(s) + (partWeight.get(`${s.name}\t${stage}`) ?? 0) + (partWeight.get(`${s.name}\t${kindPart(b.key)}`) ?? 0));
    const parts = sources.map((s, k) => {
      const e = s.table.byKey.get(b.key);
      if (!e) throw new LayernasError('TABLE_MISSING_KEY', `source table ${s.table.file} has no entry for "${b.key}"`, { key: b.key, table: s.table.file });
      return (weights[k] as number) * e.median_ms;
    });
    const kind = operatorKind(b.key);
    const raw = parts.reduce((a, v) => a + v, 0) + (fit.countWeights[kind] ?? 0);
    if (raw < 0) clamped++;
    return { key: b.key, median_ms: Math.max(0, raw), mean_ms: null, p90_ms: null, spread: null, samples: null, note: `few-shot: ${sources.map((s, k) => `${(weights[k] as number).toFixed(4)} x ${s.name}`).join(' + ')} + ${(fit.countWeights[kind] ?? 0).toFixed(4)} ms (${kind})${raw < 0 ? `; ${raw.toFixed(4)} ms stored as 0` : ''}` };
  });
  // Entries stored as 0 break the sum the fit made: the fixed part is then refitted (least squares on the relative
  // error of the N measured networks, >= 0) to the table as stored.
  let fixedMs = Math.max(0, fixedOf(fit));
  if (clamped > 0) {
    const byKey = new Map(entries.map((e) => [e.key, e.median_ms]));
    const layerSums = plan.chosen.map((i) => walkShapes(plan.candidates[i] as NetworkSpec).reduce((a, l) => a + (byKey.get(l.key) ?? 0), 0));
    const wsum = req.measuredMs.reduce((a, y) => a + 1 / (y * y), 0);
    fixedMs = Math.max(0, req.measuredMs.reduce((a, y, j) => a + (y - (layerSums[j] as number)) / (y * y), 0) / wsum);
  }
  const sumFit = entries.length;
  const table: LatencyTableData = {
    format: TABLE_FORMAT,
    metadata: {
      ...tableIdentity(req.target, req.runtimeVersion, input),
      ...(req.anchor ? { anchor: { ...req.anchor } } : {}),
      method: `few-shot estimate: ${plan.chosen.length} whole networks measured (${req.how}), fitted onto the source table(s) ${sources.map((s) => s.name).join(', ')} (non-negative mix with per-stage corrections; src/profile/fewshot.ts); leave-one-out error ${(100 * fit.looRmse).toFixed(1)}% rms`,
      source: { citation: `layernas profile --target ${req.target.id} --space ${space.name} --from ${sources.map((s) => s.name).join(',')} --networks ${plan.chosen.length}`, files: sources.map((s) => s.table.file) },
      fewshot: {
        networks: plan.chosen.length,
        sources: sources.map((s) => s.name),
        base: fit.base,
        lambda: Number.isFinite(fit.lambda) ? fit.lambda : null,
        intercept_ms: fit.interceptMs,
        source_weights: fit.sourceWeights,
        part_weights: fit.partWeights.filter((p) => p.weight !== 0).map((p) => ({ ...p })),
        count_weights: fit.countWeights,
        loo_rms_error: fit.looRmse,
        loo_within10: within10(fit.looErrors),
        loo_errors: [...fit.looErrors],
        seed: req.seed,
        measured: plan.chosen.map((i, j) => ({ arch: formatNetwork(plan.candidates[i] as NetworkSpec), ms: req.measuredMs[j] as number })),
      },
      notes: [
        `few-shot estimate from ${plan.chosen.length} measured networks; leave-one-out: ${(100 * within10(fit.looErrors)).toFixed(0)}% of them within +-10%`,
        ...(refitted ? ['the free fit wanted a negative fixed part: refitted with the fixed part held at 0 (no intercept, sources without their fixed parts)'] : []),
        ...(clamped > 0 ? [`${clamped} of ${sumFit} entries came out negative and are stored as 0; the fixed part was refitted to the measured networks`] : []),
      ],
    },
    fixed: [{ name: 'fewshot', median_ms: fixedMs, mean_ms: null, p90_ms: null, spread: null, samples: plan.chosen.length, note: `intercept ${fit.interceptMs.toFixed(4)} ms + the sources' fixed parts, weighted${clamped > 0 ? ' (refitted after clamping entries)' : ''}` }],
    entries,
  };
  parseTable(table, 'few-shot table');
  return { table, fit };
}
