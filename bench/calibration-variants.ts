/**
 * Would another calibration model predict whole networks better? Re-fits the calibration of each host table from its
 * profile journal (the one-block figures and the calibration networks it measured) with several models, and scores
 * each against recorded end-to-end measurements (bench/latency-prediction.ts runs), without measuring anything.
 *   npx tsx bench/calibration-variants.ts [--journals bench/results/profile-journals-2026-11-29]
 *        [--measured bench/results/latency-measured-s5b-2026-11-29.json,bench/results/latency-measured-s5c-2026-11-29.json]
 *        [--calibrate 40] [--calibrate-span 0] [--residuals] [--spaces mobilenetv2,fbnet]
 * Models (all fitted like src/profile/calibration.ts: least squares on relative error, scales pulled towards 1):
 *   kinds+intercept   the shipped model: one scale per operator kind and a constant
 *   +per-op           plus a cost per executed operator (networks with many identity skips run fewer operators)
 *   kinds x H         one scale per operator kind and input resolution
 *   +distinct kinds   plus a cost per distinct operator kind the network executes
 *   +kind changes     plus a cost per pair of adjacent executed layers of different kinds
 *   +weights          plus a cost per executed weight (one-block timings keep a block's weights in cache)
 *   ridge R           the shipped model with a weaker pull of the scales towards 1 (shipped: 0.5)
 *   first N nets      the shipped model fitted on fewer calibration networks (how much more networks could help)
 * Printed per (space, target): leave-one-out share within +-10% on the calibration networks, and the share within
 * +-10% of each recorded run and of their mean. --residuals: every calibration network's fit error under the shipped
 * model, by MAdds (random / spanning).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { networkCost, walkShapes } from '../src/arch/shapes.js';
import type { NetworkSpec } from '../src/arch/spec.js';
import { operatorKind, solve } from '../src/profile/calibration.js';
import { readJournal } from '../src/profile/journal.js';
import { calibrationDnas } from '../src/profile/calibration-networks.js';
import { distinctSpaceBlocks, spaceNetwork } from '../src/profile/space-networks.js';
import { isIdentityBlock, networkKey, OVERHEAD_KEY } from '../src/profile/table-builder.js';
import { median } from '../src/profile/stats.js';
import { loadSpace } from '../src/space/load.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const journals = arg('journals', 'bench/results/profile-journals-2026-11-29');
const measuredFiles = arg('measured', 'bench/results/latency-measured-s5b-2026-11-29.json,bench/results/latency-measured-s5c-2026-11-29.json').split(',');
const nCalibration = Number(arg('calibrate', '40'));
/** cost-spanning calibration networks in the journals (src/profile/calibration-networks.ts; 0 for journals before them) */
const nSpanning = Number(arg('calibrate-span', '0'));
type MeasuredRow = { space: string; target: string; dna: string; atTableSpeed: number[] };
const runs = measuredFiles.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { rows: MeasuredRow[] }).rows);

interface Net { readonly layers: readonly { readonly key: string; readonly ms: number; readonly params: number }[]; readonly fixed: number; readonly measured: number }
interface Variant { readonly name: string; readonly kindOf: (key: string) => string; readonly extra: (n: Net) => number[]; readonly nets?: number; readonly ridge?: number }
const executedOps = (n: Net): number => n.layers.filter((l) => l.ms > 0).length;
/** distinct operator kinds the network executes (a network repeating one block kind runs faster than a mixture) */
const distinctKinds = (n: Net): number => new Set(n.layers.filter((l) => l.ms > 0).map((l) => operatorKind(l.key))).size;
/** adjacent executed layers of different operator kinds (a context-dependent cost that stays a sum over layers) */
const kindChanges = (n: Net): number => {
  const kinds = n.layers.filter((l) => l.ms > 0).map((l) => operatorKind(l.key));
  return kinds.slice(1).filter((k, i) => k !== kinds[i]).length;
};
/** millions of weights the network executes (a per-layer cost for streaming weights that no longer stay in cache) */
const weightsM = (n: Net): number => n.layers.filter((l) => l.ms > 0).reduce((s, l) => s + l.params, 0) / 1e6;
const byKind = (key: string): string => operatorKind(key);
const byKindAndH = (key: string): string => `${operatorKind(key)}@${key.split('@')[1]?.split('x')[0] ?? ''}`;
const variants: Variant[] = [
  { name: 'kinds+intercept (shipped)', kindOf: byKind, extra: () => [1] },
  { name: 'kinds+intercept+per-op', kindOf: byKind, extra: (n) => [1, executedOps(n)] },
  { name: 'kinds x H + intercept', kindOf: byKindAndH, extra: () => [1] },
  { name: 'kinds+intercept+distinct kinds', kindOf: byKind, extra: (n) => [1, distinctKinds(n)] },
  { name: 'kinds+intercept+kind changes', kindOf: byKind, extra: (n) => [1, kindChanges(n)] },
  { name: 'kinds+intercept+weights', kindOf: byKind, extra: (n) => [1, weightsM(n)] },
  { name: 'ridge 0.1', kindOf: byKind, extra: () => [1], ridge: 0.1 },
  { name: 'ridge 0.02', kindOf: byKind, extra: () => [1], ridge: 0.02 },
  { name: `first ${Math.floor(nCalibration / 2)} nets`, kindOf: byKind, extra: () => [1], nets: Math.floor(nCalibration / 2) },
];

/** Ridge least squares on relative error; scales clipped to [0.5, 2] like the shipped fit. */
function fit(nets: readonly Net[], v: Variant): (n: Net) => number {
  const kinds = [...new Set(nets.flatMap((n) => n.layers.map((l) => v.kindOf(l.key))))].sort();
  const features = (n: Net): number[] => {
    const x = kinds.map(() => 0);
    for (const l of n.layers) {
      const k = kinds.indexOf(v.kindOf(l.key));
      if (k >= 0) x[k] = (x[k] as number) + l.ms;
    }
    return [...x, ...v.extra(n)];
  };
  const dim = kinds.length + v.extra(nets[0] as Net).length;
  const a = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
  const b = new Array<number>(dim).fill(0);
  for (const n of nets) {
    const f = features(n);
    const w = 1 / n.measured ** 2;
    f.forEach((fi, i) => {
      b[i] = (b[i] as number) + w * fi * (n.measured - n.fixed);
      f.forEach((fj, j) => { (a[i] as number[])[j] = ((a[i] as number[])[j] as number) + w * fi * fj; });
    });
  }
  kinds.forEach((_, i) => { (a[i] as number[])[i] = ((a[i] as number[])[i] as number) + (v.ridge ?? 0.5); b[i] = (b[i] as number) + (v.ridge ?? 0.5); });
  const beta = solve(a, b).map((x, i) => (i < kinds.length ? Math.min(2, Math.max(0.5, x)) : x));
  return (n) => n.fixed + features(n).reduce((s, x, i) => s + x * (beta[i] as number), 0);
}
const within10 = (errs: readonly number[]): string => `${((100 * errs.filter((e) => Math.abs(e) <= 0.1).length) / errs.length).toFixed(0)}%`;

for (const spaceName of arg('spaces', 'mobilenetv2,fbnet').split(',')) {
  const space = loadSpace(spaceName);
  const blocks = distinctSpaceBlocks(space);
  const calibration = calibrationDnas(space, { uniform: nCalibration, spanning: nSpanning, seed: 101 }).map((d) => spaceNetwork(space, d));
  const res = calibration[0]?.input.height;
  for (const target of ['host-tflite-1t', 'host-tflite-2t', 'host-onnxruntime-1t', 'host-onnxruntime-2t']) {
    const { lines } = readJournal(join(journals, `${target}-${spaceName}-${res}.jsonl`));
    const done = new Map(lines.map((l) => [`${l.kind}:${l.key}`, l]));
    const ref = median(lines.map((l) => l.anchor_ms).filter((x): x is number => x !== undefined));
    const atRef = (l: { median_ms: number; anchor_ms?: number }): number => l.median_ms * (l.anchor_ms ? ref / l.anchor_ms : 1);
    const overhead = done.get(`fixed:${OVERHEAD_KEY}`);
    if (!overhead) throw new Error(`${target}-${spaceName}: journal has no ${OVERHEAD_KEY} line`);
    const o = atRef(overhead);
    const oneBlock = new Map(blocks.map((b) => {
      const l = done.get(`block:${b.key}`);
      if (!isIdentityBlock(b) && !l) throw new Error(`${target}-${spaceName}: journal has no block ${b.key}`);
      return [b.key, l && !isIdentityBlock(b) ? Math.max(0, atRef(l) - o) : 0] as const;
    }));
    const netOf = (spec: NetworkSpec, measured: number): Net => ({ layers: walkShapes(spec).map((r) => ({ key: r.key, ms: oneBlock.get(r.key) ?? NaN, params: r.params })), fixed: o, measured });
    const nets = calibration.map((n, i) => {
      const l = done.get(`e2e:${networkKey(n, i)}`);
      if (!l) throw new Error(`${target}-${spaceName}: journal has no calibration network ${networkKey(n, i)}`);
      return netOf(n, atRef(l));
    });
    const judged = new Map<string, number[]>();
    for (const run of runs) for (const r of run.filter((x) => x.space === spaceName && x.target === target)) judged.set(r.dna, [...(judged.get(r.dna) ?? []), median(r.atTableSpeed)]);
    const specs = new Map([...judged.keys()].map((d) => [d, spaceNetwork(space, d.split('-').map(Number))]));
    process.stdout.write(`${spaceName} ${target} (${judged.size} judged archs)\n`);
    for (const v of variants) {
      const used = nets.slice(0, v.nets ?? nets.length);
      const predict = fit(used, v);
      const loo = used.map((n, i) => (fit(used.filter((_, j) => j !== i), v)(n) - n.measured) / n.measured);
      const scores = [...runs.map((_, k) => k), -1].map((k) => within10([...judged.entries()].map(([d, ms]) => {
        const m = k < 0 ? ms.reduce((s, x) => s + x, 0) / ms.length : (ms[k] as number);
        return (predict(netOf(specs.get(d) as NetworkSpec, m)) - m) / m;
      })));
      if (process.argv.includes('--residuals') && v === variants[0]) {
        const rows = used.map((n, i) => ({ group: i < nCalibration ? 'random' : 'spanning', madds: networkCost(calibration[i] as NetworkSpec).madds / 1e6, err: (predict(n) - n.measured) / n.measured })).sort((x, y) => x.madds - y.madds);
        for (const r of rows) process.stdout.write(`    ${r.group.padEnd(8)} ${r.madds.toFixed(0).padStart(5)} M MAdds  fit error ${(100 * r.err).toFixed(1).padStart(6)}%\n`);
      }
      process.stdout.write(`  ${v.name.padEnd(28)} leave-one-out ${within10(loo).padStart(4)}   recorded runs ${scores.slice(0, -1).join(' / ')}   their mean ${scores.at(-1)}\n`);
    }
  }
}
