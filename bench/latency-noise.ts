/**
 * How reproducible is a model's "latency at the table's speed" on this machine, and which estimator is steadiest?
 *   npx tsx bench/latency-noise.ts [--target host-tflite-1t] [--space fbnet] [--archs 8] [--repeats 3] [--rounds 30]
 *        [--seed 7] [--out .tmp/latency-noise-<target>-<space>.json]
 * For each of N random architectures (the prediction bench's, same seed), `repeats` times over the run: the table's
 * speed anchor and the model timed in alternating rounds (~60 ms each, as src/profile/speed-anchor.ts does), keeping
 * every run. Prints, per estimator, the median over architectures of the relative standard deviation across repeats,
 * and how much the model/anchor ratio follows the machine's speed (elasticity: d log ratio / d log anchor time).
 * A steady estimator with a large spread between runs an hour apart (bench/latency-prediction.ts) means the error is
 * the machine's state, not the protocol.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseNetwork } from '../src/arch/grammar.js';
import { checkTableMatchesTarget, loadTable } from '../src/cost/latency-table.js';
import { backendForTarget } from '../src/platform/registry.js';
import { runsForBudget, warmUp } from '../src/profile/measure.js';
import { ExporterModelFactory } from '../src/export/model-factory.js';
import { randomDnas } from '../src/profile/profiler.js';
import { spaceNetwork } from '../src/profile/space-networks.js';
import { median, quantileSorted } from '../src/profile/stats.js';
import { loadSpace } from '../src/space/load.js';
import { resolveTarget } from '../src/targets/load.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
function positiveInt(name: string, dflt: string): number {
  const v = Number(arg(name, dflt));
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer (got ${arg(name, dflt)})`);
  return v;
}
const targetId = arg('target', 'host-tflite-1t');
const spaceName = arg('space', 'fbnet');
const nArchs = positiveInt('archs', '8');
const repeats = positiveInt('repeats', '3');
const rounds = positiveInt('rounds', '30');
const outFile = arg('out', `.tmp/latency-noise-${targetId}-${spaceName}.json`);

const space = loadSpace(spaceName);
const dnas = randomDnas(space.radix, nArchs, Number(arg('seed', '7')));
const nets = dnas.map((d) => spaceNetwork(space, d));
const input = nets[0]?.input;
const { target } = resolveTarget(targetId);
const table = loadTable(join('latency-tables', `${targetId}-${spaceName}-${input?.height}.json`));
checkTableMatchesTarget(table, target);
const anchorInfo = table.data.metadata.anchor;
if (!anchorInfo) throw new Error(`${table.file} has no speed anchor; this bench needs a host table made by layernas profile`);
const backend = backendForTarget(target, new ExporterModelFactory(1));

interface Record { dna: string; repeat: number; anchor: number[][]; model: number[][] }
const records: Record[] = [];
const t0 = Date.now();
try {
  for (let rep = 0; rep < repeats; rep++) {
    for (const [i, net] of nets.entries()) {
      const model = await backend.prepare(net, `arch-${i}`);
      const anchor = await backend.prepare(parseNetwork(anchorInfo.arch), 'speed-anchor');
      try {
        const nM = runsForBudget(await warmUp(model, 5), 60, 5);
        const nA = runsForBudget(await warmUp(anchor, 5), 60, 5);
        const a: number[][] = [];
        const m: number[][] = [];
        for (let r = 0; r < rounds; r++) {
          a.push(await anchor.sample(nA));
          m.push(await model.sample(nM));
        }
        records.push({ dna: (dnas[i] as number[]).join('-'), repeat: rep, anchor: a, model: m });
      } finally {
        await anchor.dispose();
        await model.dispose();
      }
      process.stderr.write(`\rrepeat ${rep + 1}/${repeats} arch ${i + 1}/${nets.length}   `);
    }
  }
} finally {
  backend.close();
}
process.stderr.write('\n');
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify({ target: targetId, space: spaceName, anchorTableMs: anchorInfo.median_ms, rounds, records }));

const A = anchorInfo.median_ms;
const flat = (x: number[][]): number[] => x.flat();
const q = (x: number[], p: number): number => quantileSorted([...x].sort((u, v) => u - v), p);
const mean = (x: readonly number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
const estimators: [string, (a: number[][], m: number[][]) => number][] = [
  ['per-round median ratio, 10 rounds (verify)', (a, m) => median(a.slice(0, 10).map((ar, r) => median(m[r] as number[]) / median(ar))) * A],
  [`per-round median ratio, ${rounds} rounds`, (a, m) => median(a.map((ar, r) => median(m[r] as number[]) / median(ar))) * A],
  ['overall median ratio, 10 rounds', (a, m) => (median(flat(m.slice(0, 10))) / median(flat(a.slice(0, 10)))) * A],
  ['per-round min ratio, 10 rounds', (a, m) => median(a.slice(0, 10).map((ar, r) => Math.min(...(m[r] as number[])) / Math.min(...ar))) * A],
  ['overall q25 ratio, all rounds', (a, m) => (q(flat(m), 0.25) / q(flat(a), 0.25)) * A],
  ['model median, no anchor, 10 rounds', (_a, m) => median(flat(m.slice(0, 10)))],
];
const byDna = new Map<string, Record[]>();
for (const r of records) byDna.set(r.dna, [...(byDna.get(r.dna) ?? []), r]);
const relSd = (v: number[]): number => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2))) / mean(v);
const lines = [`latency noise on ${targetId} / ${spaceName} (${new Date().toISOString()}): ${nArchs} archs x ${repeats} repeats x ${rounds} rounds, ${((Date.now() - t0) / 1000).toFixed(0)} s`];
lines.push('estimator'.padEnd(46) + 'repeat sd (median over archs)   mean');
for (const [name, est] of estimators) {
  const sds = [...byDna.values()].map((rs) => relSd(rs.map((r) => est(r.anchor, r.model))));
  lines.push(`${name.padEnd(46)}${(100 * median(sds)).toFixed(1).padStart(6)}%${(100 * mean(sds)).toFixed(1).padStart(28)}%`);
}
// elasticity of the model/anchor ratio to the machine's speed (least squares on logs, per-arch centred)
const xs: number[] = [];
const ys: number[] = [];
for (const rs of byDna.values()) {
  const ratio = rs.map((r) => median(r.anchor.map((ar, k) => median(r.model[k] as number[]) / median(ar))));
  const speed = rs.map((r) => median(flat(r.anchor)) / A);
  const lr = mean(ratio.map(Math.log));
  const ls = mean(speed.map(Math.log));
  ratio.forEach((v, k) => { ys.push(Math.log(v) - lr); xs.push(Math.log(speed[k] as number) - ls); });
}
const slope = xs.reduce((s, x, k) => s + x * (ys[k] as number), 0) / Math.max(1e-12, xs.reduce((s, x) => s + x * x, 0));
const speeds = records.map((r) => median(flat(r.anchor)) / A);
lines.push(`machine speed (anchor now / table) ${Math.min(...speeds).toFixed(2)}..${Math.max(...speeds).toFixed(2)}; elasticity of model/anchor ratio to it ${slope.toFixed(2)}`);
process.stdout.write(`${lines.join('\n')}\n`);
