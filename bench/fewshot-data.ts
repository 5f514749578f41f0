/** Shared data of the few-shot bench (bench/fewshot-transfer.ts): device columns and per-operator counts of NB201 and FBNet. */
import path from 'node:path';
import { fbnetNetwork, nb201Network } from '../src/arch/zoo.js';
import { countColumns, operatorCounts } from '../src/profile/operator-counts.js';
import { readCsv, sharedDataDir } from '../src/space/data-files.js';
import { chooseNetworks, fitFewShot, predictFewShot, type FewShotFeatures } from '../src/profile/fewshot.js';

export interface SpaceData {
  readonly name: string;
  readonly devices: string[];
  /** latency[d][i] */
  readonly latency: Float64Array[];
  readonly countNames: string[];
  readonly counts: Float64Array[];
  /** architecture string of each row (NB201) */
  readonly archs?: string[];
}

export function loadNb201(): SpaceData {
  const t = readCsv(path.join(sharedDataDir(), 'nb201', 'nb201_latency_ms.csv'));
  const devices = t.header.filter((h) => h.startsWith('lat_')).map((h) => h.slice(4));
  const latency = devices.map((d) => Float64Array.from(t.rows, (r) => Number(r[t.column(`lat_${d}`)])));
  const archs = t.rows.map((r) => r[t.column('arch_str')] as string);
  const { names, counts } = countColumns(archs.map((a) => operatorCounts(nb201Network(a))));
  return { name: 'NB201', devices, latency, countNames: names, counts, archs };
}

export function loadFbnet(): SpaceData {
  const t = readCsv(path.join(sharedDataDir(), 'fbnet', 'fbnet_archs_latency_ms.csv'));
  const devices = t.header.filter((h) => h.startsWith('lat_')).map((h) => h.slice(4));
  const latency = devices.map((d) => Float64Array.from(t.rows, (r) => Number(r[t.column(`lat_${d}`)])));
  const { names, counts } = countColumns(t.rows.map((r) => operatorCounts(fbnetNetwork((r[t.column('op_indices')] as string).split('-').map(Number)))));
  return { name: 'FBNet', devices, latency, countNames: names, counts };
}

export function featuresFor(data: SpaceData, sources: readonly number[]): FewShotFeatures {
  return { sourceNames: sources.map((s) => data.devices[s] as string), sources: sources.map((s) => data.latency[s] as Float64Array), countNames: data.countNames, counts: data.counts };
}

/** The few-shot column of target `t` from `sources`, N networks, draw `d` (seed). */
export function fewShotColumn(data: SpaceData, t: number, sources: readonly number[], n: number, d: number, lambdas?: readonly number[]): { pred: Float64Array; chosen: number[]; base: string; lambda: number; looRmse: number; looErrors: readonly number[] } {
  const f = featuresFor(data, sources);
  const chosen = chooseNetworks(f, n, 1000 * d + 7);
  const y = data.latency[t] as Float64Array;
  const fit = fitFewShot(f, chosen, chosen.map((i) => y[i] as number), lambdas);
  const pred = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) pred[i] = predictFewShot(fit, f, i);
  return { pred, chosen, base: fit.base, lambda: fit.lambda, looRmse: fit.looRmse, looErrors: fit.looErrors };
}


