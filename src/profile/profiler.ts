/**
 * `layernas profile`: measure every distinct block of a space (or of an architecture list) on a target, one
 * one-block model per key, and write a latency table. Resumable through an append-only journal next to the table.
 *
 * Fixed parts and calibration: a one-block model's time includes the per-invocation overhead of the runtime, which a
 * whole network pays once. We measure that overhead on a near-empty model (global pool over 1x1x8), store each
 * block as (its median - overhead, at least 0) and the overhead as the fixed part "invoke_overhead". Then a few
 * end-to-end networks of the space are measured; the median residual of their fastest runs (measured - predicted),
 * when positive, becomes the fixed part "calibration" (when negative it cannot be a latency: it is reported in
 * metadata.noise and not applied).
 */
import { existsSync } from 'node:fs';
import type { NetworkSpec } from '../arch/spec.js';
import { walkShapes } from '../arch/shapes.js';
import { Rng } from '../core/rng.js';
import { LayernasError } from '../core/errors.js';
import { TABLE_FORMAT, parseTable, type LatencyTableData, type TableEntry } from '../cost/latency-table.js';
import type { Target } from '../targets/schema.js';
import type { LatencyBackend } from './backends.js';
import { readJournal, JournalWriter, type JournalLine } from './journal.js';
import { measureBatch, DEFAULT_PROTOCOL, type MeasureProtocol } from './measure.js';
import type { ProgressSink } from './progress.js';
import type { DistinctBlock } from './space-networks.js';
import { median, quantileSorted } from './stats.js';

export interface ProfileRequest {
  readonly target: Target;
  readonly spaceName: string;
  readonly blocks: readonly DistinctBlock[];
  /** whole networks measured end to end for calibration (e.g. random archs of the space) */
  readonly calibrationNetworks: readonly NetworkSpec[];
  readonly input: { height: number; width: number; channels: number };
  readonly journalFile: string;
  readonly machine: string;
  readonly protocol?: MeasureProtocol;
  readonly batchSize?: number;
}

export interface ProfileResult {
  readonly table: LatencyTableData;
  readonly measuredNow: number;
  readonly resumed: number;
  readonly elapsedMs: number;
  /** median over blocks of IQR / median */
  readonly medianRelativeIqr: number;
}

export const OVERHEAD_KEY = 'invoke_overhead';
const overheadSpec: NetworkSpec = { name: 'overhead', input: { height: 1, width: 1, channels: 8 }, layers: [{ op: 'gap' }] };

/** A block that computes nothing (skip with stride 1 and unchanged channels): the lowering emits no operator. */
export function isIdentityBlock(b: DistinctBlock): boolean {
  return b.layer.op === 'skip' && b.layer.stride === 1 && b.layer.out === b.input.c;
}

export function oneBlockNetwork(b: DistinctBlock): NetworkSpec {
  return { name: b.key, input: { height: b.input.h, width: b.input.w, channels: b.input.c }, layers: [b.layer] };
}

function journalSettings(req: ProfileRequest, backend: LatencyBackend): Record<string, string | number> {
  return { target: req.target.id, runtime: backend.runtimeVersion, threads: req.target.threads, precision: req.target.precision, format: backend.format, space: req.spaceName, clock: req.protocol?.clock ?? 'wall' };
}

export async function runProfile(req: ProfileRequest, backend: LatencyBackend, progress: ProgressSink): Promise<ProfileResult> {
  const t0 = Date.now();
  const protocol = req.protocol ?? DEFAULT_PROTOCOL;
  const batchSize = req.batchSize ?? 6;
  if (protocol.clock === 'cpu' && req.target.threads !== 1) {
    throw new LayernasError('USAGE', `--clock cpu measures process CPU time, which equals latency only with 1 thread; target ${req.target.id} uses ${req.target.threads}`, { target: req.target.id });
  }
  const settings = journalSettings(req, backend);
  const { lines, droppedTornLine } = readJournal(req.journalFile);
  const writer = new JournalWriter(req.journalFile);
  const header = lines.find((l) => l.kind === 'header');
  if (header) {
    const had = (k: string): unknown => header.settings?.[k] ?? (k === 'clock' ? 'wall' : undefined); // journals before --clock were wall-clock
    const diff = Object.entries(settings).filter(([k, v]) => had(k) !== v).map(([k, v]) => `${k}: journal ${String(had(k))} vs now ${String(v)}`);
    if (diff.length > 0) throw new LayernasError('TABLE_MISMATCH', `profile journal ${req.journalFile} was made with other settings (${diff.join('; ')}); use another --out or delete it`, { file: req.journalFile, diff });
  }
  if (droppedTornLine) {
    process.emitWarning(`layernas: dropped a torn last line of ${req.journalFile} (interrupted write); that key is measured again`);
    writer.repairTail();
  }
  const now = (): string => new Date().toISOString();
  if (!header) writer.append({ kind: 'header', key: '', median_ms: 0, mean_ms: 0, p90_ms: 0, iqr_ms: 0, samples: 0, at: now(), settings });
  const done = new Map<string, JournalLine>();
  for (const l of lines) if (l.kind !== 'header') done.set(`${l.kind}:${l.key}`, l);

  type Job = { kind: 'block' | 'fixed' | 'e2e'; key: string; spec: NetworkSpec };
  const jobs: Job[] = [
    { kind: 'fixed', key: OVERHEAD_KEY, spec: overheadSpec },
    ...req.blocks.filter((b) => !isIdentityBlock(b)).map((b) => ({ kind: 'block' as const, key: b.key, spec: oneBlockNetwork(b) })),
    ...req.calibrationNetworks.map((n, i) => ({ kind: 'e2e' as const, key: n.name ?? `network-${i}`, spec: n })),
  ];
  const todo = jobs.filter((j) => !done.has(`${j.kind}:${j.key}`));
  progress.start(jobs.length, jobs.length - todo.length, `profile ${req.target.id} ${req.spaceName}`);
  // whole networks run long and are preempted more on a shared machine: more runs, so their fastest run is clean
  const e2eProtocol: MeasureProtocol = { ...protocol, minRunsPerRound: Math.max(protocol.minRunsPerRound, 8) };
  const batches: Job[][] = [];
  for (const kind of ['fixed', 'block', 'e2e'] as const) {
    const ofKind = todo.filter((j) => j.kind === kind);
    for (let i = 0; i < ofKind.length; i += batchSize) batches.push(ofKind.slice(i, i + batchSize));
  }
  for (const batch of batches) {
    const stats = await measureBatch(backend, batch.map((j) => ({ name: j.key, spec: j.spec })), batch[0]?.kind === 'e2e' ? e2eProtocol : protocol);
    batch.forEach((j, k) => {
      const s = stats[k] as (typeof stats)[number];
      const line: JournalLine = { kind: j.kind, key: j.key, median_ms: s.median_ms, mean_ms: s.mean_ms, p90_ms: s.p90_ms, iqr_ms: s.iqr_ms, min_ms: s.min_ms, samples: s.samples, at: now() };
      writer.append(line);
      done.set(`${j.kind}:${j.key}`, line);
      progress.tick(`${j.key} ${s.median_ms.toFixed(3)} ms`);
    });
  }
  const table = buildTable(req, backend, done);
  const relIqr = median(req.blocks.filter((b) => !isIdentityBlock(b)).map((b) => {
    const l = done.get(`block:${b.key}`) as JournalLine;
    return l.iqr_ms / Math.max(l.median_ms, 1e-9);
  }));
  progress.finish(`${todo.length} measured, ${jobs.length - todo.length} resumed; median relative IQR ${(100 * relIqr).toFixed(1)}%`);
  return { table, measuredNow: todo.length, resumed: jobs.length - todo.length, elapsedMs: Date.now() - t0, medianRelativeIqr: relIqr };
}

function buildTable(req: ProfileRequest, backend: LatencyBackend, done: ReadonlyMap<string, JournalLine>): LatencyTableData {
  const overhead = done.get(`fixed:${OVERHEAD_KEY}`) as JournalLine;
  const o = overhead.median_ms;
  const entries: TableEntry[] = req.blocks.map((b) => {
    if (isIdentityBlock(b)) return { key: b.key, median_ms: 0, mean_ms: 0, p90_ms: 0, spread: null, samples: 0, note: 'identity (no operator in the model): 0 ms, not measured' };
    const l = done.get(`block:${b.key}`) as JournalLine;
    const net = (v: number): number => Math.max(0, v - o);
    return {
      key: b.key,
      median_ms: net(l.median_ms),
      mean_ms: net(l.mean_ms),
      p90_ms: net(l.p90_ms),
      spread: { kind: 'iqr', ms: l.iqr_ms },
      samples: l.samples,
      ...(l.median_ms < o ? { note: `one-block median ${l.median_ms.toFixed(4)} ms is below the invoke overhead; stored as 0` } : {}),
    };
  });
  const byKey = new Map(entries.map((e) => [e.key, e.median_ms]));
  // Calibration compares fastest runs (min) of whole networks with the sum of the blocks' fastest runs: on a shared
  // machine a long run is preempted far more often than a short one, so medians of whole networks are inflated by
  // other processes' load, not by anything the table should learn.
  const minOf = (l: JournalLine): number => l.min_ms ?? l.median_ms;
  const oMin = minOf(overhead);
  const minByKey = new Map(req.blocks.map((b) => [b.key, isIdentityBlock(b) ? 0 : Math.max(0, minOf(done.get(`block:${b.key}`) as JournalLine) - oMin)]));
  const residuals = req.calibrationNetworks.map((n, i) => {
    const measured = minOf(done.get(`e2e:${n.name ?? `network-${i}`}`) as JournalLine);
    const predicted = oMin + walkShapes(n).reduce((s, r) => s + (minByKey.get(r.key) ?? NaN), 0);
    const medianMeasured = (done.get(`e2e:${n.name ?? `network-${i}`}`) as JournalLine).median_ms;
    const medianPredicted = o + walkShapes(n).reduce((s, r) => s + (byKey.get(r.key) ?? NaN), 0);
    return { measured, predicted, medianRatio: medianMeasured / medianPredicted };
  });
  // applied only when the networks agree: a positive median, most residuals positive, and a spread (IQR) below half
  // of the median; otherwise contention noise would be added to every prediction
  const res = residuals.map((r) => r.measured - r.predicted).sort((a, b) => a - b);
  const calibRaw = res.length > 0 ? median(res) : 0;
  const iqr = res.length > 0 ? quantileSorted(res, 0.75) - quantileSorted(res, 0.25) : 0;
  const consistent = calibRaw > 0 && res.filter((v) => v > 0).length >= Math.ceil(0.8 * res.length) && iqr < 0.5 * calibRaw;
  const calib = consistent ? calibRaw : 0;
  const fixed: LatencyTableData['fixed'] = [
    { name: OVERHEAD_KEY, median_ms: o, mean_ms: overhead.mean_ms, p90_ms: overhead.p90_ms, spread: { kind: 'iqr', ms: overhead.iqr_ms }, samples: overhead.samples, note: 'per-invocation overhead, measured on a global-pool model over 1x1x8; subtracted from every one-block measurement' },
  ];
  if (calib > 0) {
    fixed.push({ name: 'calibration', median_ms: calib, mean_ms: null, p90_ms: null, spread: null, samples: residuals.length, note: `median over ${residuals.length} end-to-end networks of (fastest run - sum of the blocks' fastest runs)` });
  }
  const relIqrs = entries.filter((e) => e.spread !== null).map((e) => (e.spread?.ms ?? 0) / Math.max(e.median_ms + o, 1e-9));
  const table: LatencyTableData = {
    format: TABLE_FORMAT,
    metadata: {
      device: req.target.device,
      runtime: { name: req.target.runtime.name, version: backend.runtimeVersion },
      threads: req.target.threads,
      precision: req.target.precision,
      input: req.input,
      date: new Date().toISOString().slice(0, 10),
      method: `layernas profile: one-block ${backend.format} models written by layernas, ${req.target.measure.method}, ${req.protocol?.warmupRuns ?? DEFAULT_PROTOCOL.warmupRuns} warm-up runs, interleaved rounds, ${req.protocol?.clock === 'cpu' ? 'process CPU time per run (per-round averages)' : 'wall-clock time per run'}; median minus the invoke overhead`,
      machine: req.machine,
      source: { citation: `measured with layernas profile --target ${req.target.id} --space ${req.spaceName}`, files: [] },
      noise: {
        median_relative_iqr: median(relIqrs),
        max_relative_iqr: Math.max(...relIqrs),
        calibration_networks: residuals.length,
        calibration_residual_ms: calibRaw,
        calibration_residual_iqr_ms: iqr,
        calibration_applied_ms: calib,
        ...(residuals.length > 0 ? { calibration_min_ratio: median(residuals.map((r) => r.measured / r.predicted)), e2e_median_over_prediction: median(residuals.map((r) => r.medianRatio)) } : {}),
      },
      notes: [
        `${req.blocks.length} distinct blocks; measured ${done.size} items in total (incl. overhead and calibration networks).`,
        ...(!consistent && res.length > 0 ? [`calibration residual ${calibRaw.toFixed(3)} ms (IQR ${iqr.toFixed(3)} ms over ${res.length} networks) not applied: negative or inconsistent across networks`] : []),
      ],
    },
    fixed,
    entries,
  };
  parseTable(table, req.journalFile);
  return table;
}

/** Seeded random DNAs for calibration / evaluation (same seed -> same list). */
export function randomDnas(radix: readonly number[], count: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => radix.map((r) => rng.int(r)));
}

export function journalExists(file: string): boolean {
  return existsSync(file);
}
