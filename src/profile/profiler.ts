/**
 * `layernas profile`: measure every distinct block of a space (or of an architecture list) on a target, one
 * one-block model per key, and write a latency table. Resumable through an append-only journal next to the table.
 *
 * Every measuring batch also times a speed anchor (the calibration network of median MAdds), so figures measured minutes
 * apart can be put on one speed; then whole networks are measured and a per-operator-kind calibration is fitted
 * (src/profile/table-builder.ts, src/profile/calibration.ts).
 */
import { existsSync } from 'node:fs';
import { formatNetwork, parseNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { Rng } from '../core/rng.js';
import { LayernasError } from '../core/errors.js';
import type { LatencyTableData } from '../cost/latency-table.js';
import type { Target } from '../targets/schema.js';
import type { LatencyBackend } from '../platform/backends.js';
import { readJournal, JournalWriter, type JournalLine } from './journal.js';
import { measureBatch, DEFAULT_PROTOCOL, type MeasureProtocol } from './measure.js';
import type { ProgressSink } from './progress.js';
import { oneBlockNetwork, type DistinctBlock } from './space-networks.js';
import { median } from './stats.js';
import { anchorNetwork, buildTable, isIdentityBlock, networkKey, OVERHEAD_KEY, overheadSpec } from './table-builder.js';

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

export { OVERHEAD_KEY, isIdentityBlock } from './table-builder.js';

function journalSettings(req: ProfileRequest, backend: LatencyBackend, loads: number): Record<string, string | number> {
  return { target: req.target.id, runtime: backend.runtimeVersion, threads: req.target.threads, precision: req.target.precision, format: backend.format, space: req.spaceName, clock: req.protocol?.clock ?? 'wall', loads };
}

/**
 * loads per model: the protocol's (`profile --loads`), else 1. Three loads per block (the middle kept, as verify
 * times a deployed file) did not make tables more repeatable here and took 2.8x as long (bench/profile-loads.ts:
 * spread of 40 networks' predictions over 3 profiles, median / p90: TFLite 1.9 / 5.0% with 1 load vs 2.2 / 3.8% with 3;
 * ONNX Runtime 2.6 / 4.6% vs 3.6 / 6.2%).
 */
function loadsFor(req: ProfileRequest): number {
  return req.protocol?.loads ?? 1;
}

function recordedAnchor(arch: string, journalFile: string): NetworkSpec {
  try {
    return parseNetwork(arch);
  } catch (e) {
    throw new LayernasError('TABLE_INVALID', `profile journal ${journalFile}: the header's speed anchor is not a network string (${(e as Error).message}); delete the journal to start over`, { file: journalFile });
  }
}

export async function runProfile(req: ProfileRequest, backend: LatencyBackend, progress: ProgressSink): Promise<ProfileResult> {
  const t0 = Date.now();
  const loads = loadsFor(req);
  const protocol: MeasureProtocol = { ...(req.protocol ?? DEFAULT_PROTOCOL), loads };
  const batchSize = req.batchSize ?? 6;
  if (protocol.clock === 'cpu' && req.target.threads !== 1) {
    throw new LayernasError('USAGE', `--clock cpu measures process CPU time, which equals latency only with 1 thread; target ${req.target.id} uses ${req.target.threads}`, { target: req.target.id });
  }
  const settings = journalSettings(req, backend, loads);
  const { lines, droppedTornLine } = readJournal(req.journalFile);
  const writer = new JournalWriter(req.journalFile);
  const header = lines.find((l) => l.kind === 'header');
  if (header) {
    // journals before --clock were wall-clock, before loads one load per model
    const had = (k: string): unknown => header.settings?.[k] ?? (k === 'clock' ? 'wall' : k === 'loads' ? 1 : undefined);
    const diff = Object.entries(settings).filter(([k, v]) => had(k) !== v).map(([k, v]) => `${k}: journal ${String(had(k))} vs now ${String(v)}`);
    if (diff.length > 0) throw new LayernasError('TABLE_MISMATCH', `profile journal ${req.journalFile} was made with other settings (${diff.join('; ')}); use another --out or delete it`, { file: req.journalFile, diff });
  }
  if (droppedTornLine) {
    process.emitWarning(`layernas: dropped a torn last line of ${req.journalFile} (interrupted write); that key is measured again`);
    writer.repairTail();
  }
  // The speed anchor belongs to the journal: chosen when it is created and kept in its header, so resuming with more
  // calibration networks (which moves the median-MAdds network) cannot switch anchors halfway; every figure in a
  // table is scaled by one anchor's times. Journals from before kept no anchor and get the old choice.
  const recorded = header?.settings?.anchor;
  const anchor = typeof recorded === 'string' ? recordedAnchor(recorded, req.journalFile) : anchorNetwork(req.calibrationNetworks);
  const now = (): string => new Date().toISOString();
  if (!header) writer.append({ kind: 'header', key: '', median_ms: 0, mean_ms: 0, p90_ms: 0, iqr_ms: 0, samples: 0, at: now(), settings: { ...settings, ...(anchor ? { anchor: formatNetwork(anchor) } : {}) } });
  const done = new Map<string, JournalLine>();
  for (const l of lines) if (l.kind !== 'header') done.set(`${l.kind}:${l.key}`, l);

  type Job = { kind: 'block' | 'fixed' | 'e2e'; key: string; spec: NetworkSpec };
  const jobs: Job[] = [
    { kind: 'fixed', key: OVERHEAD_KEY, spec: overheadSpec },
    ...req.blocks.filter((b) => !isIdentityBlock(b)).map((b) => ({ kind: 'block' as const, key: b.key, spec: oneBlockNetwork(b) })),
    ...req.calibrationNetworks.map((n, i) => ({ kind: 'e2e' as const, key: networkKey(n, i), spec: n })),
  ];
  const todo = jobs.filter((j) => !done.has(`${j.kind}:${j.key}`));
  progress.start(jobs.length, jobs.length - todo.length, `profile ${req.target.id} ${req.spaceName}`);
  // whole networks run long and are preempted more on a shared machine: more runs, so their fastest run is clean
  const e2eProtocol: MeasureProtocol = { ...protocol, minRunsPerRound: Math.max(protocol.minRunsPerRound, 8) };
  const batchesOf = (kind: Job['kind']): Job[][] => {
    const ofKind = todo.filter((j) => j.kind === kind);
    // A whole network is timed alone beside the anchor, exactly as `verify` and bench/latency-prediction.ts time an
    // exported model (src/profile/speed-anchor.ts): the calibration then fits the measurement it will be judged by.
    // In batches of 6 the anchor ran among other networks that evicted its caches, and predictions of FBNet networks
    // came out ~5% low against the alone-with-anchor measurement.
    const size = kind === 'e2e' ? 1 : batchSize;
    const out: Job[][] = [];
    for (let i = 0; i < ofKind.length; i += size) out.push(ofKind.slice(i, i + size));
    return out;
  };
  const batches = [...batchesOf('fixed'), ...interleaveEvenly(batchesOf('block'), batchesOf('e2e'))];
  for (const batch of batches) {
    const items = [...(anchor ? [{ name: 'speed-anchor', spec: anchor }] : []), ...batch.map((j) => ({ name: j.key, spec: j.spec, role: j.kind === 'e2e' ? 'network' as const : 'block' as const }))];
    const measured = await measureBatch(backend, items, batch[0]?.kind === 'e2e' ? e2eProtocol : protocol);
    const anchorMs = anchor ? measured[0]?.median_ms : undefined;
    const stats = anchor ? measured.slice(1) : measured;
    batch.forEach((j, k) => {
      const s = stats[k] as (typeof stats)[number];
      const line: JournalLine = { kind: j.kind, key: j.key, median_ms: s.median_ms, mean_ms: s.mean_ms, p90_ms: s.p90_ms, iqr_ms: s.iqr_ms, min_ms: s.min_ms, samples: s.samples, ...(anchorMs !== undefined && anchorMs > 0 ? { anchor_ms: anchorMs } : {}), at: now() };
      writer.append(line);
      done.set(`${j.kind}:${j.key}`, line);
      progress.tick(`${j.key} ${s.median_ms.toFixed(3)} ms`);
    });
  }
  const table = buildTable({ ...req, protocol }, backend, done, anchor);
  const relIqr = median(req.blocks.filter((b) => !isIdentityBlock(b)).map((b) => {
    const l = done.get(`block:${b.key}`) as JournalLine;
    return l.iqr_ms / Math.max(l.median_ms, 1e-9);
  }));
  progress.finish(`${todo.length} measured, ${jobs.length - todo.length} resumed; median relative IQR ${(100 * relIqr).toFixed(1)}%`);
  return { table, measuredNow: todo.length, resumed: jobs.length - todo.length, elapsedMs: Date.now() - t0, medianRelativeIqr: relIqr };
}

/**
 * Both lists in one, each spread evenly over the whole (a, a, b, a, a, b, ...), keeping their own order. Blocks and
 * calibration networks are timed interleaved so that a change of the machine's speed during the session hits both
 * alike: timed one phase after the other (blocks, then networks), a machine that slowed down between the phases made
 * the design run's table fit its networks 17% off its blocks (the anchor does not follow such changes one for one).
 */
export function interleaveEvenly<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && (i + 0.5) / a.length <= (j + 0.5) / b.length);
    out.push(takeA ? (a[i++] as T) : (b[j++] as T));
  }
  return out;
}

/** Seeded random DNAs for calibration / evaluation (same seed -> same list). */
export function randomDnas(radix: readonly number[], count: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => radix.map((r) => rng.int(r)));
}

export function journalExists(file: string): boolean {
  return existsSync(file);
}
