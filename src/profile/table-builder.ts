/**
 * Journal lines of a profile session -> a latency table.
 *
 * 1. Speed: every measuring batch timed the session's anchor network beside its models; each figure is scaled by
 *    (anchor's median over the session / anchor's median in its batch), so minutes-long drifts of the machine's
 *    speed (seen here: +-30% on this shared VM) do not end up as differences between blocks.
 * 2. Invoke overhead: the median of a near-empty model, subtracted from every one-block figure (a network pays it
 *    once; it is the fixed part `invoke_overhead`).
 * 3. Calibration: per-operator-kind scales, a non-negative intercept and a non-negative cost per weight fitted on the
 *    whole networks measured in the session (src/profile/calibration.ts); entries store the calibrated figure
 *    (scale x one-block + cost per weight x the block's weights), the note keeps the one-block one.
 */
import { layerBody } from '../arch/primitives.js';
import { formatNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { networkCost, walkShapes } from '../arch/shapes.js';
import { TABLE_FORMAT, parseTable, type LatencyTableData, type TableEntry } from '../cost/latency-table.js';
import type { LatencyBackend } from '../platform/backends.js';
import type { Target } from '../targets/schema.js';
import { fitCalibration, operatorKind } from './calibration.js';
import type { JournalLine } from './journal.js';
import { DEFAULT_PROTOCOL } from './measure.js';
import type { ProfileRequest } from './profiler.js';
import { oneBlockNetwork, type DistinctBlock } from './space-networks.js';
import { median, quantileSorted } from './stats.js';

export const OVERHEAD_KEY = 'invoke_overhead';
/** the near-empty model whose median is the invoke overhead */
/** The metadata that says which target, runtime and input a table was made for (every table builder writes it). */
export function tableIdentity(target: Target, runtimeVersion: string, input: NetworkSpec['input']): Pick<LatencyTableData['metadata'], 'device' | 'runtime' | 'threads' | 'precision' | 'input' | 'date'> {
  return {
    device: target.device,
    runtime: { name: target.runtime.name, version: runtimeVersion },
    threads: target.threads,
    precision: target.precision,
    input,
    date: new Date().toISOString().slice(0, 10),
  };
}

export const overheadSpec: NetworkSpec = { name: 'overhead', input: { height: 1, width: 1, channels: 8 }, layers: [{ op: 'gap' }] };

/** A block that computes nothing (e.g. skip with stride 1 and unchanged channels): its body is empty, the lowering emits no operator. */
export function isIdentityBlock(b: DistinctBlock): boolean {
  return layerBody(b.layer, b.input).steps.length === 0;
}

/**
 * The session's speed anchor: the calibration network of median MAdds (a typical network of the space, neither the
 * cheapest, whose timing is dominated by per-run noise, nor the dearest).
 */
export function anchorNetwork(calibration: readonly NetworkSpec[]): NetworkSpec | undefined {
  if (calibration.length === 0) return undefined;
  const byMadds = calibration.map((n, i) => ({ n, i, madds: networkCost(n).madds })).sort((a, b) => a.madds - b.madds || a.i - b.i);
  return byMadds[Math.floor((byMadds.length - 1) / 2)]?.n;
}

export function networkKey(n: NetworkSpec, i: number): string {
  return n.name ?? `network-${i}`;
}

const within10 = (errs: readonly number[]): number => (errs.length === 0 ? 0 : errs.filter((e) => Math.abs(e) <= 0.1).length / errs.length);

/** (max - min) / median of the speed anchor's times over a session's batches */
function spreadRatio(anchorMs: readonly number[]): number {
  return (Math.max(...anchorMs) - Math.min(...anchorMs)) / median(anchorMs);
}

/** a table's `metadata.anchor`: the anchor's median over its batches and their spread */
export function anchorRecord(arch: string, anchorMs: readonly number[]): { arch: string; median_ms: number; batches: number; spread_ratio: number } {
  return { arch, median_ms: median(anchorMs), batches: anchorMs.length, spread_ratio: spreadRatio(anchorMs) };
}

/** `anchorNet`: the speed anchor the journal's batches were timed with (runProfile keeps it in the journal header). */
export function buildTable(req: ProfileRequest, backend: Pick<LatencyBackend, 'runtimeVersion' | 'format'>, done: ReadonlyMap<string, JournalLine>, anchorNet: NetworkSpec | undefined): LatencyTableData {
  const lineOf = (kind: string, key: string): JournalLine => done.get(`${kind}:${key}`) as JournalLine;
  // 1. speed anchor
  const anchors = [...done.values()].map((l) => l.anchor_ms).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  const anchorRef = anchors.length > 0 ? median(anchors) : undefined;
  const speed = (l: JournalLine): number => (anchorRef !== undefined && l.anchor_ms !== undefined ? anchorRef / l.anchor_ms : 1);
  // 2. invoke overhead
  const overhead = lineOf('fixed', OVERHEAD_KEY);
  const o = overhead.median_ms * speed(overhead);
  const oneBlock = new Map<string, { median: number; mean: number; p90: number; line: JournalLine | null }>();
  for (const b of req.blocks) {
    if (isIdentityBlock(b)) {
      oneBlock.set(b.key, { median: 0, mean: 0, p90: 0, line: null });
      continue;
    }
    const l = lineOf('block', b.key);
    const k = speed(l);
    oneBlock.set(b.key, { median: Math.max(0, l.median_ms * k - o), mean: Math.max(0, l.mean_ms * k - o), p90: Math.max(0, l.p90_ms * k - o), line: l });
  }
  // 3. calibration on whole networks
  const nets = req.calibrationNetworks.map((n, i) => {
    const l = lineOf('e2e', networkKey(n, i));
    return { layers: walkShapes(n).map((r) => ({ key: r.key, ms: oneBlock.get(r.key)?.median ?? NaN, params: r.params })), fixedMs: o, measuredMs: l.median_ms * speed(l) };
  });
  const fit = fitCalibration(nets);
  const scaleOf = (key: string): number => fit.scales[operatorKind(key)] ?? 1;
  /** the calibration's weight-streaming cost of one block (ms) */
  const weightCostOf = (b: DistinctBlock): number => (fit.msPerMillionWeights * (walkShapes(oneBlockNetwork(b))[0]?.params ?? 0)) / 1e6;
  const entries: TableEntry[] = req.blocks.map((b) => {
    const m = oneBlock.get(b.key) as { median: number; mean: number; p90: number; line: JournalLine | null };
    if (!m.line) return { key: b.key, median_ms: 0, mean_ms: 0, p90_ms: 0, spread: null, samples: 0, note: 'identity (no operator in the model): 0 ms, not measured' };
    const s = scaleOf(b.key);
    const w = weightCostOf(b);
    return {
      key: b.key,
      median_ms: m.median * s + w,
      mean_ms: m.mean * s + w,
      p90_ms: m.p90 * s + w,
      spread: { kind: 'iqr', ms: m.line.iqr_ms * speed(m.line) * s },
      samples: m.line.samples,
      note: `one-block ${m.median.toFixed(5)} ms x calibration ${s.toFixed(3)} (${operatorKind(b.key)})${w > 0 ? ` + weights ${w.toFixed(5)} ms` : ''}${m.line.median_ms * speed(m.line) < o ? '; one-block median below the invoke overhead, stored as 0' : ''}`,
    };
  });
  const fixed: LatencyTableData['fixed'] = [
    { name: OVERHEAD_KEY, median_ms: o, mean_ms: overhead.mean_ms * speed(overhead), p90_ms: overhead.p90_ms * speed(overhead), spread: { kind: 'iqr', ms: overhead.iqr_ms }, samples: overhead.samples, note: 'per-invocation overhead, measured on a global-pool model over 1x1x8; subtracted from every one-block measurement' },
  ];
  if (fit.interceptMs > 0) {
    fixed.push({ name: 'calibration', median_ms: fit.interceptMs, mean_ms: null, p90_ms: null, spread: null, samples: nets.length, note: `intercept of the calibration fit over ${nets.length} end-to-end networks (src/profile/calibration.ts)` });
  }
  const relIqrs = entries.filter((e) => e.spread !== null).map((e) => (e.spread?.ms ?? 0) / Math.max(e.median_ms + o, 1e-9));
  const anchor = anchorRef !== undefined && anchorNet ? anchorRecord(formatNetwork(anchorNet), anchors) : undefined;
  const anchorSpread = anchors.length > 0 ? spreadRatio(anchors) : 0;
  const protocol = req.protocol ?? DEFAULT_PROTOCOL;
  const table: LatencyTableData = {
    format: TABLE_FORMAT,
    metadata: {
      ...tableIdentity(req.target, backend.runtimeVersion, req.input),
      method: `layernas profile: one-block ${backend.format} models written by layernas, ${req.target.measure.method}, ${protocol.warmupRuns} warm-up runs, interleaved rounds, ${protocol.clock === 'cpu' ? 'process CPU time per run (per-round averages)' : 'wall-clock time per run'}${(protocol.loads ?? 1) > 1 ? `, the middle of ${protocol.loads} loads of each model` : ''}; median minus the invoke overhead${anchorRef !== undefined ? ', scaled to the speed anchor' : ''}, times the per-kind calibration`,
      machine: req.machine,
      source: { citation: `measured with layernas profile --target ${req.target.id} --space ${req.spaceName}`, files: [] },
      ...(anchor ? { anchor } : {}),
      ...(nets.length > 0 ? { calibration: { networks: nets.length, scales: fit.scales, intercept_ms: fit.interceptMs, ms_per_million_weights: fit.msPerMillionWeights, fit_within10_before: within10(fit.errorsBefore), fit_within10_after: within10(fit.errorsAfter) } } : {}),
      noise: {
        median_relative_iqr: median(relIqrs),
        max_relative_iqr: relIqrs.length > 0 ? Math.max(...relIqrs) : 0,
        calibration_networks: nets.length,
        ...(nets.length > 0 ? { calibration_median_abs_error_before: median(fit.errorsBefore.map(Math.abs)), calibration_median_abs_error_after: median(fit.errorsAfter.map(Math.abs)) } : {}),
        ...(anchors.length > 0 ? { anchor_spread_ratio: anchorSpread, anchor_iqr_ratio: (quantileSorted(anchors, 0.75) - quantileSorted(anchors, 0.25)) / (anchorRef as number) } : {}),
      },
      notes: [`${req.blocks.length} distinct blocks; measured ${done.size} items in total (incl. overhead and calibration networks).`],
    },
    fixed,
    entries,
  };
  parseTable(table, req.journalFile);
  return table;
}
