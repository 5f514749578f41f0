/**
 * What a few-shot transfer can reach on the shared data (issue 22): ceilings for the rho of bench/fewshot-transfer.ts.
 * For every device of NB201 and FBNet, Spearman rho over all architectures of:
 *  - own table: the device's own per-block table summed (FBNet devices with a LUT; exact by construction);
 *  - additive, all: least squares of the device's column on (position, operator) counts fitted on ALL architectures
 *    (the best any per-block table of this device can do; below 1 only where the figures are not additive: noise,
 *    whole-millisecond rounding); additive, half: fitted on a random half, rho on the other half;
 *  - whole-net, all: least squares on the other devices' whole-network latencies + operator counts, fitted on ALL
 *    architectures (the best any fit on whole-network features, the previous few-shot model, can reach with
 *    unlimited measurements);
 *  - few-shot features, all: the same on the features of src/profile/fewshot.ts (sources + their pooled per-stage
 *    parts where the sources are per-block tables, else + counts; sources = the devices fewshot-transfer uses);
 *  - additive + order, all: the additive fit plus 50 blocks of the file's row order (FBNet: HELP's sample order, the
 *    order the networks were measured in if it was kept); where it lifts rho above "additive, all", the device's
 *    figures drift with the row order, i.e. with time: noise in the ground truth that no predictor of a network's
 *    latency can follow.
 * Run: nice -n 10 npx tsx bench/fewshot-ceiling.ts
 */
import { Rng } from '../src/core/rng.js';
import { spearman } from '../src/eval/rank-agreement.js';
import { solve } from '../src/profile/calibration.js';
import { pooledStageParts } from '../src/profile/fewshot-design.js';
import { featuresFor, loadFbnet, loadNb201, sourcesFor, type SpaceData } from './fewshot-data.js';

const FOUR = ['pixel2', 'raspi4', 'eyeriss', 'fpga'];

/** ordinary least squares (intercept + cols) on rows `train`; predictions for every row */
function olsPredict(cols: readonly Float64Array[], y: Float64Array, train: readonly number[]): Float64Array {
  const p = cols.length + 1;
  const x = (i: number, j: number): number => (j === 0 ? 1 : ((cols[j - 1] as Float64Array)[i] as number));
  const a = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1e-9 : 0)));
  const b = new Array<number>(p).fill(0);
  for (const r of train) {
    for (let i = 0; i < p; i++) {
      const xi = x(r, i);
      if (xi === 0) continue;
      b[i] = (b[i] as number) + xi * (y[r] as number);
      const ai = a[i] as number[];
      for (let j = 0; j < p; j++) ai[j] = (ai[j] as number) + xi * x(r, j);
    }
  }
  const beta = solve(a, b);
  return Float64Array.from(y, (_, i) => beta.reduce((s, v, j) => s + v * x(i, j), 0));
}

function ceilings(data: SpaceData): void {
  const n = data.latency[0]?.length ?? 0;
  const all = Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(1);
  const perm = [...all];
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j] as number, perm[i] as number]; }
  const half = perm.slice(0, n >> 1);
  const other = perm.slice(n >> 1);
  console.log(`\n=== ${data.name}: ${n} architectures; rho over all architectures (additive, half: over the held-out half)`);
  console.log(`${'device'.padEnd(12)}${'own table'.padStart(11)}${'additive, all'.padStart(15)}${'additive, half'.padStart(16)}${'whole-net, all'.padStart(16)}${'few-shot features, all'.padStart(24)}${'additive + order, all'.padStart(23)}`);
  const orderBlocks = Array.from({ length: 49 }, (_, k) => Float64Array.from({ length: n }, (_, i) => (Math.floor((50 * i) / n) === k + 1 ? 1 : 0)));
  const rows: Record<string, number[]> = {};
  data.devices.forEach((dev, t) => {
    const y = data.latency[t] as Float64Array;
    const own = data.parts?.[t] ? spearman(Float64Array.from(y, (_, i) => (data.parts?.[t] ?? []).reduce((s, p) => s + (p.values[i] as number), 0)), y) : NaN;
    const addAll = spearman(olsPredict(data.positionOps, y, all), y);
    const addHalf = (() => { const p = olsPredict(data.positionOps, y, half); return spearman(other.map((i) => p[i] as number), other.map((i) => y[i] as number)); })();
    const others = data.devices.map((_, s) => s).filter((s) => s !== t);
    const whole = spearman(olsPredict([...others.map((s) => data.latency[s] as Float64Array), ...data.counts], y, all), y);
    const f = featuresFor(data, sourcesFor(data, t));
    const stages = pooledStageParts(f).map((p) => p.values);
    const ours = spearman(olsPredict([...f.sources, ...(stages.length > 0 ? stages : f.counts)], y, all), y);
    const ordered = spearman(olsPredict([...data.positionOps, ...orderBlocks], y, all), y);
    rows[dev] = [own, addAll, addHalf, whole, ours, ordered];
    const c = (v: number, w: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(3)).padStart(w);
    console.log(`${dev.padEnd(12)}${c(own, 11)}${c(addAll, 15)}${c(addHalf, 16)}${c(whole, 16)}${c(ours, 24)}${c(ordered, 23)}`);
  });
  const m = (k: number): number => FOUR.reduce((s, d) => s + (rows[d]?.[k] ?? NaN), 0) / FOUR.length;
  console.log(`${'mean of 4'.padEnd(12)}${''.padStart(11)}${m(1).toFixed(3).padStart(15)}${m(2).toFixed(3).padStart(16)}${m(3).toFixed(3).padStart(16)}${m(4).toFixed(3).padStart(24)}${m(5).toFixed(3).padStart(23)}   (${FOUR.join(', ')})`);
}

const t0 = Date.now();
ceilings(loadNb201());
ceilings(loadFbnet());
console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
