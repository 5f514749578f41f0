/**
 * `layernas profile --target <new> --space <space> --from <tables or targets> --networks N`: choose N networks
 * (src/profile/fewshot-table.ts planFewShot), measure them on the target through its backend (each alone beside the
 * nothing else, interleaved rounds as `profile` times calibration networks), fit and write the few-shot table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
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
import { measureBatch, type MeasureProtocol } from './measure.js';
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
  return items.map((item) => {
    if (isTableFile(item)) return { name: basename(item, '.json'), table: loadTable(item) };
    const loaded = resolveTarget(item);
    return { name: loaded.target.id, table: tableForInput(loaded.tableFiles.map((f) => loadTable(f)), input) };
  });
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

export async function runFewShotProfile(req: FewShotProfileRequest, backend: LatencyBackend, progress: ProgressSink): Promise<{ table: LatencyTableData; fit: FewShotFit }> {
  const plan = planFewShot(req.space, req.sources, req.networks, req.seed);
  const measured = await measureNetworks(backend, plan.chosen.map((i) => plan.candidates[i] as NetworkSpec), req.protocol, progress);
  return buildFewShotTable({
    target: req.target, space: req.space, sources: req.sources, plan, measuredMs: measured, runtimeVersion: backend.runtimeVersion, seed: req.seed,
    how: `${req.target.measure.method}, median of interleaved rounds`,
  });
}
