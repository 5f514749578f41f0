/**
 * Few-shot latency transfer on the shared data (issue 22): a device's latency for every architecture of the space
 * from other devices' latencies plus N tool-chosen measurements on it (src/profile/fewshot.ts). Here a "measurement"
 * is a lookup in the device's column; nothing else of the target device is used (its column is read only at the N
 * chosen networks and when scoring).
 *
 * Prints, for NB201 (15,625 cells x 6 devices) and FBNet (5,000 networks x 6 devices), N = 10 and 20, averaged over
 * `--draws` draws (seeded: random candidate pool and random first network of the greedy choice):
 *  - every ordered pair source -> target: Spearman rho over all architectures and the share within +-10% (only where
 *    the target's figures are finer than 1 ms), for the plain linear fit (intercept + scale of the source, OLS on the
 *    same chosen networks) and for the few-shot fit with that one source (+ per-operator counts);
 *  - every target with the other devices as sources (the multi-source fit; FBNet: those with a per-block table, bench/fewshot-data.ts sourcesFor), and HELP's published rho on NB201;
 *  - with --search: LayerNAS on NB201 (CIFAR-100) under each device's budget (25% / 50% quantile of its column),
 *    constrained by the few-shot column (N = 20, one draw per run) vs by the device's full column: share of runs whose
 *    chosen model is within the TRUE budget, mean test accuracy of both.
 *
 * Run: nice -n 10 npx tsx bench/fewshot-transfer.ts [--draws 20] [--first-draw 0] [--networks 10,20] [--spaces nb201,fbnet] [--search] [--runs 20] [--trials 300]
 *   held-out search budgets and seeds: --search-only --quantiles 0.15,0.35,0.65 --first-run 100
 */
import { parseArgs } from 'node:util';
import { linearTransfer } from '../src/profile/fewshot.js';
import { spearman } from '../src/eval/rank-agreement.js';
import { fewShotColumn, linearLooColumn, loadFbnet, loadNb201, sourcesFor, type SpaceData } from './fewshot-data.js';
import { runSearchFigure } from './fewshot-search.js';

const { values: opts } = parseArgs({
  options: {
    draws: { type: 'string', default: '20' },
    'first-draw': { type: 'string', default: '0' },
    networks: { type: 'string', default: '10,20' },
    spaces: { type: 'string', default: 'nb201,fbnet' },
    search: { type: 'boolean', default: false },
    'search-only': { type: 'boolean', default: false },
    runs: { type: 'string', default: '20' },
    trials: { type: 'string', default: '300' },
    quantiles: { type: 'string', default: '0.25,0.5' },
    'first-run': { type: 'string', default: '0' },
  },
});
const draws = Number(opts.draws);
/** first draw's index (seed): 0 for the suite; 20, 40, ... for disjoint sets of draws (docs/targets.md, session 15) */
const firstDraw = Number(opts['first-draw']);
const Ns = (opts.networks ?? '10,20').split(',').map(Number);
const FOUR = ['pixel2', 'raspi4', 'eyeriss', 'fpga'];
/** HELP (Lee et al., NeurIPS 2021), NB201, 10 samples, Spearman rho on the unseen device (issue 22's anchor) */
const HELP: Record<string, number> = { pixel2: 0.802, raspi4: 0.89, eyeriss: 0.94, fpga: 0.985 };

const isCoarse = (v: Float64Array): boolean => v.every((x) => Number.isInteger(x));
function within10(pred: ArrayLike<number>, truth: Float64Array): number {
  let k = 0;
  for (let i = 0; i < truth.length; i++) if (Math.abs((pred[i] as number) / (truth[i] as number) - 1) <= 0.1) k++;
  return k / truth.length;
}

interface Score { rho: number; w10: number }
const avg = (xs: Score[]): Score => ({ rho: xs.reduce((s, x) => s + x.rho, 0) / xs.length, w10: xs.reduce((s, x) => s + x.w10, 0) / xs.length });

function score(pred: ArrayLike<number>, y: Float64Array): Score {
  return { rho: spearman(pred, y), w10: isCoarse(y) ? NaN : within10(pred, y) };
}

const f3 = (v: number): string => (Number.isNaN(v) ? '  n/a' : v.toFixed(3));
const pc = (v: number): string => (Number.isNaN(v) ? ' n/a' : `${(100 * v).toFixed(0).padStart(3)}%`);

function runSpace(data: SpaceData): void {
  console.log(`\n=== ${data.name}: ${data.latency[0]?.length} architectures x ${data.devices.length} devices; ${draws} draws from ${firstDraw}; rho over all architectures, +-10% share (n/a: whole-ms device)`);
  const multi: Record<number, Record<string, Score>> = {};
  const linLoo: Record<number, Record<string, Score>> = {};
  const pairMeans: Record<number, { lin: Score[]; few: Score[] }> = {};
  for (const n of Ns) {
    console.log(`\n-- N = ${n}: ordered pairs source -> target (linear: intercept + scale of the source, OLS; few-shot: the fit with that one source (+ its per-stage parts where it has a per-block table) + operator counts)`);
    console.log(`${'source -> target'.padEnd(26)} linear rho  +-10% | few-shot rho  +-10%`);
    pairMeans[n] = { lin: [], few: [] };
    for (let t = 0; t < data.devices.length; t++) {
      const y = data.latency[t] as Float64Array;
      for (let s = 0; s < data.devices.length; s++) {
        if (s === t) continue;
        const lin: Score[] = [];
        const few: Score[] = [];
        for (let d = firstDraw; d < firstDraw + draws; d++) {
          const col = fewShotColumn(data, t, [s], n, d);
          few.push(score(col.pred, y));
          const x = data.latency[s] as Float64Array;
          const l = linearTransfer(x, col.chosen, col.chosen.map((i) => y[i] as number));
          lin.push(score(x.map((v) => l.interceptMs + l.scale * v), y));
        }
        const a = avg(lin), b = avg(few);
        pairMeans[n]?.lin.push(a);
        pairMeans[n]?.few.push(b);
        console.log(`${`${data.devices[s]} -> ${data.devices[t]}`.padEnd(26)} ${f3(a.rho).padStart(10)}  ${pc(a.w10)} | ${f3(b.rho).padStart(12)}  ${pc(b.w10)}`);
      }
    }
    const pm = pairMeans[n] as { lin: Score[]; few: Score[] };
    console.log(`mean over ${pm.lin.length} pairs: linear rho ${f3(avg(pm.lin).rho)}, few-shot rho ${f3(avg(pm.few).rho)}`);
    multi[n] = {};
    linLoo[n] = {};
    for (let t = 0; t < data.devices.length; t++) {
      const y = data.latency[t] as Float64Array;
      const sources = sourcesFor(data, t);
      const xs: Score[] = [];
      const ls: Score[] = [];
      for (let d = firstDraw; d < firstDraw + draws; d++) {
        xs.push(score(fewShotColumn(data, t, sources, n, d).pred, y));
        // the plain linear fit a user can make: intercept + scale of the one source whose fit has the least
        // leave-one-out error on the same N networks
        ls.push(score(linearLooColumn(data, t, sources, n, d), y));
      }
      (multi[n] as Record<string, Score>)[data.devices[t] as string] = avg(xs);
      (linLoo[n] as Record<string, Score>)[data.devices[t] as string] = avg(ls);
    }
  }
  console.log(`\n-- ${data.name} summary per target device: linear fit (intercept + scale) of the source with the least leave-one-out error on the N (lin) | of the best source in hindsight (an oracle choice: it needs the target's whole column) | multi-source few-shot (the other devices as sources${data.parts ? ', those with a per-block table' : ''})${data.name === 'NB201' ? ' | HELP (10 samples, published)' : ''}`);
  const head = Ns.flatMap((n) => [`lin@${n} rho`, `best1@${n} rho`, `few@${n} rho`, `few@${n} +-10%`]).map((h) => h.padStart(13)).join('');
  console.log(`${'target'.padEnd(12)}${head}${data.name === 'NB201' ? '   HELP rho' : ''}`);
  const bestLin: Record<number, Record<string, number>> = {};
  for (const n of Ns) {
    bestLin[n] = {};
    // the best single source by rho: an oracle choice the user could not make (it needs the target's column); a generous baseline
    const per = pairMeans[n]?.lin ?? [];
    let k = 0;
    for (let t = 0; t < data.devices.length; t++) {
      let b = -Infinity;
      for (let s = 0; s < data.devices.length; s++) if (s !== t) b = Math.max(b, (per[k++] as Score).rho);
      (bestLin[n] as Record<string, number>)[data.devices[t] as string] = b;
    }
  }
  for (const dev of data.devices) {
    const cells = Ns.flatMap((n) => [f3(linLoo[n]?.[dev]?.rho ?? NaN), f3(bestLin[n]?.[dev] ?? NaN), f3(multi[n]?.[dev]?.rho ?? NaN), pc(multi[n]?.[dev]?.w10 ?? NaN)]).map((c) => c.padStart(13)).join('');
    console.log(`${dev.padEnd(12)}${cells}${data.name === 'NB201' ? (HELP[dev] !== undefined ? f3(HELP[dev] as number).padStart(11) : '        n/a') : ''}`);
  }
  const m4 = (get: (dev: string) => number): number => FOUR.reduce((s, d) => s + get(d), 0) / FOUR.length;
  const cells = Ns.flatMap((n) => [f3(m4((d) => linLoo[n]?.[d]?.rho ?? NaN)), f3(m4((d) => bestLin[n]?.[d] ?? NaN)), f3(m4((d) => multi[n]?.[d]?.rho ?? NaN)), '']).map((c) => c.padStart(13)).join('');
  console.log(`${'mean of 4'.padEnd(12)}${cells}${data.name === 'NB201' ? f3(m4((d) => HELP[d] as number)).padStart(11) : ''}   (pixel2, raspi4, eyeriss, fpga)`);
}

const t0 = Date.now();
const spaces = (opts.spaces ?? '').split(',');
if (!opts['search-only']) {
  if (spaces.includes('nb201')) runSpace(loadNb201());
  if (spaces.includes('fbnet')) runSpace(loadFbnet());
}
if (opts.search || opts['search-only']) await runSearchFigure(loadNb201(), { runs: Number(opts.runs), trials: Number(opts.trials), networks: 20, quantiles: (opts.quantiles ?? '').split(',').map(Number), firstRun: Number(opts['first-run']) });
console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
