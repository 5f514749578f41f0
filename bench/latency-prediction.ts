/**
 * How well the host tables predict whole networks on this machine.
 *   npx tsx bench/latency-prediction.ts [--targets host-tflite-1t,host-tflite-2t,host-onnxruntime-1t,host-onnxruntime-2t]
 *        [--spaces mobilenetv2,fbnet] [--archs 50] [--seed 7] [--passes 2] [--out .tmp/latency-prediction.json]
 *        [--clock wall|cpu] [--tables latency-tables] [--rounds 5] [--sample uniform|spanning]
 * Needs the tables from bench/latency-profile.ts (latency-tables/<target>-<space>-<H>.json).
 * For N random architectures per space: predicted latency (table sum) vs measured end-to-end median. Measurement:
 * every (arch, target) pair in turn, in several passes over the whole list (so slow drifts of a shared machine are
 * spread over all archs), warm-up of >= 10 runs and >= 100 ms, then >= 5 runs and >= 200 ms per pass; median over all runs.
 * Prints the share within +-10%, median |error|, signed bias, worst cases, pass-to-pass noise, and the same share
 * against the fastest run (which other processes disturb least).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { walkShapes } from '../src/arch/shapes.js';
import { loadTable, checkTableMatchesTarget } from '../src/cost/latency-table.js';
import { predictLatency } from '../src/cost/latency-predictor.js';
import { backendForTarget } from '../src/platform/registry.js';
import { ExporterModelFactory } from '../src/export/model-factory.js';
import { costSpanningDnas } from '../src/profile/calibration-networks.js';
import { randomDnas } from '../src/profile/profiler.js';
import { spaceNetwork } from '../src/profile/space-networks.js';
import { median, quantileSorted } from '../src/profile/stats.js';
import { warmUp } from '../src/profile/measure.js';
import { DEFAULT_ANCHORED_PROTOCOL, measureAnchored } from '../src/profile/speed-anchor.js';
import { formatDuration } from '../src/profile/progress.js';
import { loadSpace } from '../src/space/load.js';
import { resolveTarget } from '../src/targets/load.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const targetIds = arg('targets', 'host-tflite-1t,host-tflite-2t,host-onnxruntime-1t,host-onnxruntime-2t').split(',');
const spaceNames = arg('spaces', 'mobilenetv2,fbnet').split(',');
const nArchs = Number(arg('archs', '50'));
const seed = Number(arg('seed', '7'));
const passes = Number(arg('passes', '2'));
/** anchored rounds per model per pass (verify uses 10 in one pass: --passes 1 --rounds 10) */
const rounds = Number(arg('rounds', '5'));
const outFile = arg('out', '.tmp/latency-prediction.json');
/** uniform: uniformly random architectures; spanning: architectures spread from the cheapest to the dearest end */
const sample = arg('sample', 'uniform');
if (sample !== 'uniform' && sample !== 'spanning') throw new Error(`--sample must be uniform or spanning (got ${sample})`);
const modelDir = '.tmp/bench-models';
/** --clock cpu: per-run process CPU time (1-thread targets) against the `.cpu` tables of bench/latency-profile.ts */
const clock = arg('clock', 'wall') === 'cpu' ? 'cpu' : 'wall';
const suffix = clock === 'cpu' ? '.cpu' : '';
mkdirSync(modelDir, { recursive: true });
const factory = new ExporterModelFactory(1);

interface Row { space: string; target: string; dna: string; predicted: number; samples: number[]; passMedians: number[]; min: number; speedRatios: number[]; atTableSpeed: number[] }
const rows: Row[] = [];
const loads: number[] = [];
const t0 = Date.now();

for (const spaceName of spaceNames) {
  const space = loadSpace(spaceName);
  // --sample spanning: networks across the cost range (src/profile/calibration-networks.ts) without the cheapest and
  // dearest networks, which every table calibrated with spanning networks has measured already
  const dnas = sample === 'spanning' ? costSpanningDnas(space, nArchs + 2, seed).slice(2) : randomDnas(space.radix, nArchs, seed);
  const nets = dnas.map((d) => spaceNetwork(space, d));
  const res = nets[0]?.input.height ?? 0;
  const targets = targetIds.map((id) => {
    const { target } = resolveTarget(id);
    const table = loadTable(join(arg('tables', 'latency-tables'), `${id}-${spaceName}-${res}${suffix}.json`));
    checkTableMatchesTarget(table, target);
    return { id, target, table, backend: backendForTarget(target, factory) };
  });
  // model files, built once per arch and format
  const fileOf = (i: number, format: 'tflite' | 'onnx'): string => {
    const f = join(modelDir, `${spaceName}-${(dnas[i] as number[]).join('-')}.${format}`);
    if (!existsSync(f)) writeFileSync(f, factory.build(nets[i]!, format, 'float32'));
    return f;
  };
  const local: Row[] = [];
  nets.forEach((n, i) => {
    for (const t of targets) local.push({ space: spaceName, target: t.id, dna: (dnas[i] as number[]).join('-'), predicted: predictLatency(walkShapes(n), t.table).total_ms, samples: [], passMedians: [], min: Infinity, speedRatios: [], atTableSpeed: [] });
  });
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < nets.length; i++) {
      for (const [k, t] of targets.entries()) {
        const row = local[i * targets.length + k] as Row;
        const model = await t.backend.prepareFile(fileOf(i, t.backend.format));
        try {
          let s: number[];
          if (clock === 'cpu') {
            await warmUp(model, 5);
            s = [];
            for (let k = 0; k < 5; k++) {
              const c0 = process.cpuUsage();
              await model.sample(10);
              const c = process.cpuUsage(c0);
              s.push((c.user + c.system) / 1000 / 10);
            }
          } else {
            // the table's speed anchor is timed in rounds alternating with the model (src/profile/speed-anchor.ts)
            const r = await measureAnchored(t.backend, model, t.table, { ...DEFAULT_ANCHORED_PROTOCOL, rounds });
            s = [...r.modelSamples];
            if (r.speedRatio !== null) row.speedRatios.push(r.speedRatio);
            if (r.atTableSpeedMs !== null) row.atTableSpeed.push(r.atTableSpeedMs);
          }
          row.samples.push(...s);
          row.passMedians.push(median(s));
          row.min = Math.min(row.min, ...s);
        } finally {
          await model.dispose();
        }
      }
      loads.push(loadavg()[0] ?? 0);
      const done = p * nets.length + i + 1;
      process.stderr.write(`\r${spaceName} pass ${p + 1}/${passes} arch ${i + 1}/${nets.length} ETA ${formatDuration(((Date.now() - t0) / done) * (passes * nets.length - done))} load ${loads.at(-1)?.toFixed(1)}   `);
    }
  }
  process.stderr.write('\n');
  for (const t of targets) t.backend.close();
  rows.push(...local);
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const lines: string[] = [];
lines.push(`latency prediction on this machine (${new Date().toISOString()}), clock ${clock}, ${nArchs} ${sample === 'spanning' ? 'cost-spanning' : 'random'} archs per space, seed ${seed}, ${passes} passes of ${rounds} anchored rounds; load average during: median ${median(loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)} (2 cores, shared)`);
lines.push('space        target               within10%(median)  median|err|  bias    within10%(drift-corrected)  median|err|(corr)  speed now/table  pass-to-pass noise  measured median range');
const summary: Record<string, unknown>[] = [];
for (const space of spaceNames) {
  for (const target of targetIds) {
    const rs = rows.filter((r) => r.space === space && r.target === target);
    const errs = rs.map((r) => {
      const m = median(r.samples);
      const speed = r.speedRatios.length > 0 ? median(r.speedRatios) : 1;
      // drift-corrected: the model's time at the table's speed, per round against the interleaved anchor
      const atTable = r.atTableSpeed.length > 0 ? median(r.atTableSpeed) : m;
      return { r, m, speed, atTable, err: (r.predicted - m) / m, errCorr: (r.predicted - atTable) / atTable, errMin: (r.predicted - r.min) / r.min };
    });
    const within = errs.filter((e) => Math.abs(e.err) <= 0.1).length / errs.length;
    const withinCorr = errs.filter((e) => Math.abs(e.errCorr) <= 0.1).length / errs.length;
    const corrAbs = errs.map((e) => Math.abs(e.errCorr)).sort((a, b) => a - b);
    const speeds = errs.map((e) => e.speed).sort((a, b) => a - b);
    const withinMin = errs.filter((e) => Math.abs(e.errMin) <= 0.1).length / errs.length;
    const absSorted = errs.map((e) => Math.abs(e.err)).sort((a, b) => a - b);
    const bias = median(errs.map((e) => e.err));
    const noise = median(rs.map((r) => (r.passMedians.length > 1 ? (Math.max(...r.passMedians) - Math.min(...r.passMedians)) / median(r.passMedians) : 0)));
    const ms = errs.map((e) => e.m).sort((a, b) => a - b);
    lines.push(`${space.padEnd(12)} ${target.padEnd(20)} ${pct(within).padStart(17)}  ${pct(quantileSorted(absSorted, 0.5)).padStart(11)}  ${pct(bias).padStart(6)}  ${pct(withinCorr).padStart(26)}  ${pct(quantileSorted(corrAbs, 0.5)).padStart(17)}  ${`${speeds[0]?.toFixed(2)}..${speeds.at(-1)?.toFixed(2)}`.padStart(15)}  ${pct(noise).padStart(18)}  ${ms[0]?.toFixed(2)}..${ms.at(-1)?.toFixed(2)} ms`);
    const worst = [...errs].sort((a, b) => Math.abs(b.errCorr) - Math.abs(a.errCorr)).slice(0, 3);
    for (const w of worst) lines.push(`    worst: ${w.r.dna} predicted ${w.r.predicted.toFixed(3)} measured ${w.m.toFixed(3)} (at table speed ${w.atTable.toFixed(3)}, speed now/table ${w.speed.toFixed(3)}) error ${pct(w.err)}, drift-corrected ${pct(w.errCorr)}`);
    summary.push({ space, target, archs: rs.length, within10: within, within10DriftCorrected: withinCorr, medianAbsErrDriftCorrected: quantileSorted(corrAbs, 0.5), within10Fastest: withinMin, medianAbsErr: quantileSorted(absSorted, 0.5), bias, passNoise: noise, worst: worst.map((w) => ({ dna: w.r.dna, predicted: w.r.predicted, measured: w.m, measuredAtTableSpeed: w.atTable, fastest: w.r.min, speed: w.speed, err: w.err, errDriftCorrected: w.errCorr })) });
  }
}
lines.push(`total time ${formatDuration(Date.now() - t0)}`);
mkdirSync('.tmp', { recursive: true });
writeFileSync(outFile, JSON.stringify({ summary, rows: rows.map((r) => ({ ...r, median: median(r.samples), samples: r.samples.length })), loads }, null, 1));
process.stdout.write(`${lines.join('\n')}\n`);
