/**
 * Few-shot transfer onto a device that is not in the shared data (issue 22's held-out check, on real hardware): this
 * machine's runtime, from the Pixel 3 and Raspberry Pi 4 FBNet tables plus N networks measured here, exactly as
 * `layernas profile --target <host target> --space fbnet --from pixel3-tflite,raspi4-tflite --networks N` does
 * (src/profile/fewshot-profile.ts runFewShotProfile). Scored on `--eval` other random FBNet networks measured here
 * twice (two passes, far apart in time): Spearman rho and the share within +-10% of the few-shot table's sum, of the
 * plain linear fit (intercept + scale of the Pixel 3 table on the same N measurements), of the target's own shipped
 * per-block table (profiled block by block here) and, as the ceiling the machine's noise allows, of pass 1 vs pass 2.
 * Run: nice -n 5 npx tsx bench/fewshot-host.ts [--target host-onnxruntime-1t] [--networks 10] [--eval 40] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { walkShapes } from '../src/arch/shapes.js';
import type { NetworkSpec } from '../src/arch/spec.js';
import { Rng } from '../src/core/rng.js';
import { predictLatency, tableForInput } from '../src/cost/latency-predictor.js';
import { loadTable, parseTable } from '../src/cost/latency-table.js';
import { spearman } from '../src/eval/rank-agreement.js';
import { ExporterModelFactory } from '../src/export/model-factory.js';
import { backendForTarget } from '../src/platform/registry.js';
import { linearTransfer } from '../src/profile/fewshot.js';
import { measureNetworks, resolveFewShotSources } from '../src/profile/fewshot-profile.js';
import { buildFewShotTable, planFewShot } from '../src/profile/fewshot-table.js';
import { DEFAULT_PROTOCOL } from '../src/profile/measure.js';
import { silentProgress } from '../src/profile/progress.js';
import { spaceNetwork } from '../src/profile/space-networks.js';
import { loadSpace } from '../src/space/load.js';
import { resolveTarget } from '../src/targets/load.js';

const { values: o } = parseArgs({ options: { target: { type: 'string', default: 'host-onnxruntime-1t' }, networks: { type: 'string', default: '10' }, eval: { type: 'string', default: '40' }, seed: { type: 'string', default: '1' } } });
const t0 = Date.now();
const space = loadSpace('fbnet');
const loaded = resolveTarget(o.target as string);
const backend = backendForTarget(loaded.target, new ExporterModelFactory());
const sources = resolveFewShotSources(['pixel3-tflite', 'raspi4-tflite'], space);
const seed = Number(o.seed);
const n = Number(o.networks);
const plan = planFewShot(space, sources, n, seed);
const chosenNets = plan.chosen.map((i) => plan.candidates[i] as NetworkSpec);
const measured = await measureNetworks(backend, chosenNets, DEFAULT_PROTOCOL, silentProgress);
const { table, fit } = buildFewShotTable({ target: loaded.target, space, sources, plan, measuredMs: measured, runtimeVersion: backend.runtimeVersion, seed, how: 'bench/fewshot-host.ts' });
const fewshot = parseTable(table, 'few-shot table');
// the same measurements fitted once on all N (every measurement pinned: no average over refits), side by side
const single = parseTable(buildFewShotTable({ target: loaded.target, space, sources, plan, measuredMs: measured, pinned: n, runtimeVersion: backend.runtimeVersion, seed, how: 'bench/fewshot-host.ts' }).table, 'single fit');
const input = spaceNetwork(space, space.radix.map(() => 0)).input;
// the target's own per-block table, where it ships one for the space (host-tflite-int8-1t ships none for FBNet)
const own = (() => { try { return tableForInput(loaded.tableFiles.map((f) => loadTable(f)), input); } catch { return undefined; } })();
const pixel3 = sources[0]?.table as NonNullable<(typeof sources)[number]>['table'];
const rng = new Rng(1000 + seed);
const evalNets = Array.from({ length: Number(o.eval) }, (_, k) => ({ ...spaceNetwork(space, space.radix.map((r) => rng.int(r))), name: `eval-${k}` }));
const pass1 = await measureNetworks(backend, evalNets, DEFAULT_PROTOCOL, silentProgress);
const pass2 = await measureNetworks(backend, [...evalNets].reverse(), DEFAULT_PROTOCOL, silentProgress).then((v) => v.reverse());
const truth = pass1.map((v, i) => Math.sqrt(v * (pass2[i] as number)));
const sum = (t: typeof pixel3, net: NetworkSpec): number => predictLatency(walkShapes(net), t).total_ms;
const lin = linearTransfer(Float64Array.from(chosenNets, (net) => sum(pixel3, net)), chosenNets.map((_, j) => j), measured);
const rows: [string, number[]][] = [
  [`few-shot table (N = ${n}, product)`, evalNets.map((net) => sum(fewshot, net))],
  [`one fit on all ${n} (no refit average)`, evalNets.map((net) => sum(single, net))],
  [`linear on pixel3 (same ${n})`, evalNets.map((net) => lin.interceptMs + lin.scale * sum(pixel3, net))],
  ...(own ? [[`own per-block table (${own.file.split('/').pop()})`, evalNets.map((net) => sum(own, net))] as [string, number[]]] : []),
  ['pass 1 vs pass 2 (noise ceiling)', pass1],
];
console.log(`target ${loaded.target.id} (${backend.runtimeVersion}), few-shot from pixel3-tflite + raspi4-tflite, ${n} networks measured (leave-one-out ${(100 * fit.looRmse).toFixed(1)}% rms, lambda ${fit.lambda}); scored on ${evalNets.length} other random FBNet networks measured twice (geometric mean; pass 1 vs 2 rho ${spearman(pass1, pass2).toFixed(3)})`);
for (const [name, pred] of rows) {
  const ref = name.startsWith('pass') ? pass2 : truth;
  const w10 = ref.filter((v, i) => Math.abs((pred[i] as number) / v - 1) <= 0.1).length / ref.length;
  const bias = pred.reduce((a, v, i) => a + v / (ref[i] as number), 0) / ref.length - 1;
  console.log(`${name.padEnd(48)} rho ${spearman(pred, ref).toFixed(3)}   within +-10% ${(100 * w10).toFixed(0).padStart(3)}%   mean ratio-1 ${(100 * bias).toFixed(1).padStart(6)}%`);
}
console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
