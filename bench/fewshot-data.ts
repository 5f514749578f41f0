/** Shared data of the few-shot bench (bench/fewshot-transfer.ts): device columns and per-operator counts of NB201 and FBNet. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fbnetNetwork, nb201Network } from '../src/arch/zoo.js';
import { countColumns, operatorCounts } from '../src/profile/operator-counts.js';
import { readCsv, sharedDataDir } from '../src/space/data-files.js';
import { fitFewShot, linearTransfer, predictFewShot, type FewShotFeatures } from '../src/profile/fewshot.js';
import { chooseNetworks } from '../src/profile/fewshot-design.js';

export interface SpaceData {
  readonly name: string;
  readonly devices: string[];
  /** latency[d][i] */
  readonly latency: Float64Array[];
  readonly countNames: string[];
  readonly counts: Float64Array[];
  /** architecture string of each row (NB201) */
  readonly archs?: string[];
  /** parts[d]: per-stage shares of device d's latency where the device has a per-block table (FBNet: the LUT) */
  readonly parts?: Record<number, { stage: string; values: Float64Array }[]>;
  /** one column per (position, operator): how often the network runs that operator there (the ceiling's additive model) */
  readonly positionOps: Float64Array[];
}

/** indicator/count columns of (position, option) pairs; positions[i][l] = option of row i at position l */
function positionOpColumns(positions: readonly (readonly (number | string)[])[], groupOf: (l: number) => number = (l) => l): Float64Array[] {
  const keys = [...new Set(positions.flatMap((p) => p.map((o, l) => `${groupOf(l)}:${o}`)))].sort();
  const idx = new Map(keys.map((k, j) => [k, j]));
  const cols = keys.map(() => new Float64Array(positions.length));
  positions.forEach((p, i) => p.forEach((o, l) => { const c = cols[idx.get(`${groupOf(l)}:${o}`) as number] as Float64Array; c[i] = (c[i] as number) + 1; }));
  return cols;
}

export function loadNb201(): SpaceData {
  const t = readCsv(path.join(sharedDataDir(), 'nb201', 'nb201_latency_ms.csv'));
  const devices = t.header.filter((h) => h.startsWith('lat_')).map((h) => h.slice(4));
  const latency = devices.map((d) => Float64Array.from(t.rows, (r) => Number(r[t.column(`lat_${d}`)])));
  const archs = t.rows.map((r) => r[t.column('arch_str')] as string);
  const { names, counts } = countColumns(archs.map((a) => operatorCounts(nb201Network(a))));
  const edges = archs.map((a) => [...a.matchAll(/\|([a-z_0-9]+)~\d/g)].map((m) => m[1] as string));
  return { name: 'NB201', devices, latency, countNames: names, counts, archs, positionOps: positionOpColumns(edges) };
}

export function loadFbnet(): SpaceData {
  const t = readCsv(path.join(sharedDataDir(), 'fbnet', 'fbnet_archs_latency_ms.csv'));
  const devices = t.header.filter((h) => h.startsWith('lat_')).map((h) => h.slice(4));
  const latency = devices.map((d) => Float64Array.from(t.rows, (r) => Number(r[t.column(`lat_${d}`)])));
  const ops = t.rows.map((r) => (r[t.column('op_indices')] as string).split('-').map(Number));
  const { names, counts } = countColumns(ops.map((o) => operatorCounts(fbnetNetwork(o))));
  // the per-block LUT of the devices that have one: a network's latency split by stage (its layers' share)
  const lut = JSON.parse(readFileSync(path.join(sharedDataDir(), 'fbnet', 'fbnet_lut_reconstructed_cifar100.json'), 'utf8')) as {
    layer_to_group: number[]; groups: { stage: number }[]; devices: Record<string, { delta_vs_skip_ms: number[][] }>;
  };
  const parts: Record<number, { stage: string; values: Float64Array }[]> = {};
  devices.forEach((d, k) => {
    const table = lut.devices[d];
    if (!table) return;
    const stages = [...new Set(lut.groups.map((g) => g.stage))];
    parts[k] = stages.map((st) => ({ stage: `stage${st}`, values: Float64Array.from(ops, (o) => o.reduce((a, op, l) => {
      const g = lut.layer_to_group[l] as number;
      return a + ((lut.groups[g] as { stage: number }).stage === st ? ((table.delta_vs_skip_ms[g] as number[])[op] as number) : 0);
    }, 0)) }));
  });
  return { name: 'FBNet', devices, latency, countNames: names, counts, parts, positionOps: positionOpColumns(ops, (l) => lut.layer_to_group[l] as number) };
}

export function featuresFor(data: SpaceData, sources: readonly number[]): FewShotFeatures {
  const parts = sources.flatMap((s, k) => (data.parts?.[s] ?? []).map((p) => ({ source: k, stage: p.stage, values: p.values })));
  return { sourceNames: sources.map((s) => data.devices[s] as string), sources: sources.map((s) => data.latency[s] as Float64Array), parts, countNames: data.countNames, counts: data.counts };
}

/** The few-shot column of target `t` from `sources`, N networks, draw `d` (seed). */
export function fewShotColumn(data: SpaceData, t: number, sources: readonly number[], n: number, d: number): { pred: Float64Array; chosen: number[]; base: string; lambda: number; looRmse: number; looErrors: readonly number[] } {
  const f = featuresFor(data, sources);
  const chosen = chooseNetworks(f, n, 1000 * d + 7);
  const y = data.latency[t] as Float64Array;
  const fit = fitFewShot(f, chosen, chosen.map((i) => y[i] as number));
  const pred = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) pred[i] = predictFewShot(fit, f, i);
  return { pred, chosen, base: fit.base, lambda: fit.lambda, looRmse: fit.looRmse, looErrors: fit.looErrors };
}



/**
 * The plain linear fit a user can make (the baseline): intercept + scale of the one source whose OLS fit has the
 * least leave-one-out relative error on the same N networks (the same networks the few-shot fit measures).
 */
export function linearLooColumn(data: SpaceData, t: number, sources: readonly number[], n: number, d: number): Float64Array {
  const chosen = chooseNetworks(featuresFor(data, sources), n, 1000 * d + 7);
  const y = data.latency[t] as Float64Array;
  let best: { err: number; s: number; fit: { interceptMs: number; scale: number } } | undefined;
  for (const s of sources) {
    const x = data.latency[s] as Float64Array;
    let err = 0;
    chosen.forEach((i, j) => {
      const rest = chosen.filter((_, k) => k !== j);
      const l = linearTransfer(x, rest, rest.map((r) => y[r] as number));
      err += ((l.interceptMs + l.scale * (x[i] as number)) / (y[i] as number) - 1) ** 2;
    });
    if (!best || err < best.err) best = { err, s, fit: linearTransfer(x, chosen, chosen.map((i) => y[i] as number)) };
  }
  const b = best as NonNullable<typeof best>;
  const x = data.latency[b.s] as Float64Array;
  return x.map((v) => b.fit.interceptMs + b.fit.scale * v);
}

/**
 * The sources of a multi-source fit for target `t`: every other device, or where the space has per-block tables
 * (FBNet), every other device that has one (in the product a source is a latency table; FBNet's phones Pixel 2 and
 * Galaxy A50 are known per network only).
 */
export function sourcesFor(data: SpaceData, t: number): number[] {
  return data.devices.map((_, s) => s).filter((s) => s !== t && (data.parts === undefined || data.parts[s] !== undefined));
}
