/**
 * `layernas profile --target <new> --space <space> --from <tables or targets> --networks N`: choose N networks
 * (src/profile/fewshot-table.ts planFewShot), measure them on the target through its backend (each alone beside the
 * speed anchor, interleaved rounds as `profile` times calibration networks), fit and write the few-shot table. The
 * anchor is the measured network of median MAdds (as `profile` picks it among its calibration networks); every figure
 * is scaled to the anchor's median over the session and the table records it (`metadata.anchor`), so a table fitted
 * from ten networks describes the machine at one speed and `verify` judges a deployed file at that speed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { tableForInput } from '../cost/latency-predictor.js';
import { loadTable, TABLE_FORMAT, type LatencyTableData } from '../cost/latency-table.js';
import type { SearchSpace } from '../space/types.js';
import { resolveTarget } from '../targets/load.js';
import type { Target } from '../targets/schema.js';
import type { LatencyBackend } from '../platform/backends.js';
import { buildFewShotTable, planFewShot, type FewShotSource } from './fewshot-table.js';
import type { FewShotFit } from './fewshot.js';
import { formatNetwork } from '../arch/grammar.js';
import { anchorNetwork, anchorRecord } from './table-builder.js';
import { JUDGED_LOADS, measureBatch, type MeasureProtocol } from './measure.js';
import { resolvePlatform } from '../platform/registry.js';
import type { ProgressSink } from './progress.js';
import { spaceNetwork } from './space-networks.js';

function isTableFile(item: string): boolean {
  if (!item.endsWith('.json') || !existsSync(item)) return false;
  try {
    return (JSON.parse(readFileSync(item, 'utf8')) as { format?: unknown }).format === TABLE_FORMAT;
  } catch {
    return false;
  }
}

/** `--from` items: latency table files, or target ids / files whose table covers the space's input size. */
export function resolveFewShotSources(items: readonly string[], space: SearchSpace): FewShotSource[] {
  if (items.length === 0) throw new LayernasError('USAGE', '--from needs at least one source table or target', { flag: 'from' });
  const input = spaceNetwork(space, space.radix.map(() => 0)).input;
  const sources = items.map((item) => {
    if (isTableFile(item)) return { name: basename(item, '.json'), table: loadTable(item) };
    const loaded = resolveTarget(item);
    return { name: loaded.target.id, table: tableForInput(loaded.tableFiles.map((f) => loadTable(f)), input) };
  });
  // one table twice gives the fit two identical columns (and one name twice would merge their weights)
  sources.forEach((s, i) => {
    const j = sources.findIndex((o) => resolve(o.table.file) === resolve(s.table.file) || o.name === s.name);
    if (j < i) throw new LayernasError('USAGE', `--from names the source table ${s.table.file} twice ("${items[j]}" and "${items[i]}")`, { flag: 'from', table: s.table.file });
  });
  return sources;
}

export interface FewShotProfileRequest {
  readonly target: Target;
  readonly space: SearchSpace;
  readonly sources: readonly FewShotSource[];
  readonly networks: number;
  readonly seed: number;
  readonly protocol: MeasureProtocol;
}

/** Measure each network alone (warm-up, interleaved rounds of at least 8 runs); the median per network. */
export async function measureNetworks(backend: LatencyBackend, nets: readonly NetworkSpec[], protocol: MeasureProtocol, progress: ProgressSink): Promise<number[]> {
  const out: number[] = [];
  progress.start(nets.length, 0, 'few-shot networks');
  for (const [i, net] of nets.entries()) {
    const [s] = await measureBatch(backend, [{ name: net.name ?? `network-${i}`, spec: net, role: 'network' }], { ...protocol, minRunsPerRound: Math.max(protocol.minRunsPerRound, 8) });
    out.push(s?.median_ms ?? NaN);
    progress.tick(`${(s?.median_ms ?? NaN).toFixed(3)} ms`);
  }
  progress.finish(`${nets.length} networks measured`);
  return out;
}

/**
 * Each network timed beside `anchor` (interleaved rounds of the pair), then scaled by (the anchor's median over all
 * pairs / its median beside that network): the figures of a session at one machine speed.
 */
export async function measureNetworksAnchored(backend: LatencyBackend, nets: readonly NetworkSpec[], anchor: NetworkSpec, protocol: MeasureProtocol, progress: ProgressSink): Promise<{ ms: number[]; anchor: { arch: string; median_ms: number; batches: number; spread_ratio: number } }> {
  const raw: { ms: number; anchorMs: number }[] = [];
  progress.start(nets.length, 0, 'few-shot networks (each beside the speed anchor)');
  for (const [i, net] of nets.entries()) {
    const [a, s] = await measureBatch(backend, [{ name: 'speed-anchor', spec: anchor, role: 'network' }, { name: net.name ?? `network-${i}`, spec: net, role: 'network' }], { ...protocol, minRunsPerRound: Math.max(protocol.minRunsPerRound, 8) });
    raw.push({ ms: s?.median_ms ?? NaN, anchorMs: a?.median_ms ?? NaN });
    progress.tick(`${(s?.median_ms ?? NaN).toFixed(3)} ms (anchor ${(a?.median_ms ?? NaN).toFixed(3)} ms)`);
  }
  const record = anchorRecord(formatNetwork(anchor), raw.map((r) => r.anchorMs));
  progress.finish(`${nets.length} networks measured; anchor ${record.median_ms.toFixed(3)} ms (spread ${(100 * record.spread_ratio).toFixed(0)}%)`);
  return { ms: raw.map((r) => r.ms * (record.median_ms / r.anchorMs)), anchor: record };
}

export async function runFewShotProfile(req: FewShotProfileRequest, backend: LatencyBackend, progress: ProgressSink): Promise<{ table: LatencyTableData; fit: FewShotFit }> {
  const plan = planFewShot(req.space, req.sources, req.networks, req.seed);
  const nets = plan.chosen.map((i) => plan.candidates[i] as NetworkSpec);
  const anchor = anchorNetwork(nets) as NetworkSpec;
  // whole networks, as verify times a deployed file: on this host each in JUDGED_LOADS fresh loads, the middle one kept
  const protocol = { ...req.protocol, loads: req.protocol.loads ?? (resolvePlatform(req.target).onHost ? JUDGED_LOADS : 1) };
  const measured = await measureNetworksAnchored(backend, nets, anchor, protocol, progress);
  return buildFewShotTable({
    target: req.target, space: req.space, sources: req.sources, plan, measuredMs: measured.ms, runtimeVersion: backend.runtimeVersion, seed: req.seed,
    how: `${req.target.measure.method}, median of interleaved rounds beside the speed anchor${protocol.loads > 1 ? `, the middle of ${protocol.loads} loads` : ''}, scaled to its session median`, anchor: measured.anchor,
  });
}
