/**
 * Would another calibration model predict whole networks better? Re-fits the calibration of each host table from its
 * profile journal (the one-block figures and the calibration networks it measured) with several models, and scores
 * each against recorded end-to-end measurements (bench/latency-prediction.ts runs), without measuring anything.
 *   npx tsx bench/calibration-variants.ts [--journals bench/results/profile-journals-2026-11-29]
 *        [--measured bench/results/latency-measured-s5b-2026-11-29.json,bench/results/latency-measured-s5c-2026-11-29.json]
 *        [--calibrate 40] [--calibrate-span 0] [--residuals] [--spaces mobilenetv2,fbnet]
 * Models (all fitted by src/profile/calibration.ts fitKindScales: least squares on relative error, scales pulled
 * towards 1 by a ridge and clipped to [0.5, 2]; the first two keep their extra terms non-negative like the product,
 * the exploratory ones below them leave them free):
 *   shipped           what `profile` fits (fitCalibration): one scale per operator kind, an intercept, a cost per weight
 *   kinds+intercept   the session-6 model (no weight cost)
 *   +per-op           plus a cost per executed operator (networks with many identity skips run fewer operators)
 *   kinds x H         one scale per operator kind and input resolution
 *   +distinct kinds   plus a cost per distinct operator kind the network executes
 *   +kind changes     plus a cost per pair of adjacent executed layers of different kinds
 *   ridge R           the shipped model with a weaker pull of the scales towards 1 (shipped: 0.5)
 *   first N nets      the shipped model fitted on fewer calibration networks (how much more networks could help)
 *   N+M nets          the shipped model on N random + M cost-spanning calibration networks (the first M: cheapest, dearest, ...)
 * Printed per (space, target): leave-one-out share within +-10% on the calibration networks, and the share within
 * +-10% of each recorded run and of their mean. --residuals: every calibration network's fit error under the shipped
 * model, by MAdds (random / spanning).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { networkCost, walkShapes } from '../src/arch/shapes.js';
import type { NetworkSpec } from '../src/arch/spec.js';
import { fitKindScales, networkWeightsM, operatorKind, type CalibrationNetwork, type KindFitOptions } from '../src/profile/calibration.js';
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

type Net = CalibrationNetwork;
/** `pick`: which calibration networks (by index: uniform ones first, then the cost-spanning ones) the fit may use */
interface Variant { readonly name: string; readonly fit: KindFitOptions; readonly pick?: (i: number) => boolean }
const executed = (n: Net): Net['layers'] => n.layers.filter((l) => l.ms > 0);
const executedOps = (n: Net): number => executed(n).length;
/** distinct operator kinds the network executes (a network repeating one block kind runs faster than a mixture) */
const distinctKinds = (n: Net): number => new Set(executed(n).map((l) => operatorKind(l.key))).size;
/** adjacent executed layers of different operator kinds (a context-dependent cost that stays a sum over layers) */
const kindChanges = (n: Net): number => {
  const kinds = executed(n).map((l) => operatorKind(l.key));
  return kinds.slice(1).filter((k, i) => k !== kinds[i]).length;
};
const byKindAndH = (key: string): string => `${operatorKind(key)}@${key.split('@')[1]?.split('x')[0] ?? ''}`;
const one = (): number => 1;
const shipped: KindFitOptions = { extras: [one, networkWeightsM] };
const free = (extras: KindFitOptions['extras'], more: KindFitOptions = {}): KindFitOptions => ({ extras, nonNegativeExtras: false, ...more });
const variants: Variant[] = [
  { name: 'shipped (+weights)', fit: shipped },
  { name: 'kinds+intercept (session 6)', fit: { extras: [one] } },
  { name: 'kinds+intercept+per-op', fit: free([one, executedOps]) },
  { name: 'kinds x H + intercept', fit: free([one], { kindOf: byKindAndH }) },
  { name: 'kinds+intercept+distinct kinds', fit: free([one, distinctKinds]) },
  { name: 'kinds+intercept+kind changes', fit: free([one, kindChanges]) },
  { name: 'ridge 0.1', fit: { ...shipped, ridge: 0.1 } },
  { name: 'ridge 0.02', fit: { ...shipped, ridge: 0.02 } },
  { name: `first ${Math.floor(nCalibration / 2)} nets`, fit: shipped, pick: (i) => i < Math.floor(nCalibration / 2) },
  // fewer calibration networks: N random + M spanning (the design job's on-the-fly table uses 4 + 2)
  ...[[4, 2], [6, 4], [10, 5], [20, 10]].map(([u, m]) => ({ name: `shipped, ${u}+${m} nets`, fit: shipped, pick: (i: number) => i < (u as number) || (i >= nCalibration && i < nCalibration + (m as number)) })),
  { name: 'session 6, 4+2 nets', fit: { extras: [one] }, pick: (i) => i < 4 || (i >= nCalibration && i < nCalibration + 2) },
];
const fit = (nets: readonly Net[], v: Variant): ((n: Net) => number) => fitKindScales(nets, v.fit).predict;
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
    const netOf = (spec: NetworkSpec, measured: number): Net => ({ layers: walkShapes(spec).map((r) => ({ key: r.key, ms: oneBlock.get(r.key) ?? NaN, params: r.params })), fixedMs: o, measuredMs: measured });
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
      const used = nets.filter((_, i) => v.pick?.(i) ?? true);
      const predict = fit(used, v);
      const loo = used.map((n, i) => (fit(used.filter((_, j) => j !== i), v)(n) - n.measuredMs) / n.measuredMs);
      const scores = [...runs.map((_, k) => k), -1].map((k) => within10([...judged.entries()].map(([d, ms]) => {
        const m = k < 0 ? ms.reduce((s, x) => s + x, 0) / ms.length : (ms[k] as number);
        return (predict(netOf(specs.get(d) as NetworkSpec, m)) - m) / m;
      })));
      if (process.argv.includes('--residuals') && v === variants[0]) {
        const rows = used.map((n, i) => ({ group: i < nCalibration ? 'random' : 'spanning', madds: networkCost(calibration[i] as NetworkSpec).madds / 1e6, err: (predict(n) - n.measuredMs) / n.measuredMs })).sort((x, y) => x.madds - y.madds);
        for (const r of rows) process.stdout.write(`    ${r.group.padEnd(8)} ${r.madds.toFixed(0).padStart(5)} M MAdds  fit error ${(100 * r.err).toFixed(1).padStart(6)}%\n`);
      }
      process.stdout.write(`  ${v.name.padEnd(28)} leave-one-out ${within10(loo).padStart(4)}   recorded runs ${scores.slice(0, -1).join(' / ')}   their mean ${scores.at(-1)}\n`);
    }
  }
}
