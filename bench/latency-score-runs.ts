/**
 * Scores a table's predictions against several recorded runs of bench/latency-prediction.ts (compact files under
 * bench/results/latency-measured-*.json, or its --out files), per run and against each network's mean over the runs.
 * One run's share within +-10% moves by up to 10 points between runs minutes apart on this VM; the mean over runs is
 * the steadier figure. Nothing is measured.
 *   npx tsx bench/latency-score-runs.ts bench/results/latency-measured-s7a-2026-11-29.json,bench/results/latency-measured-s7b-2026-11-29.json,...
 * All files must record the same tables (the same `predicted` per network); a mismatch is an error.
 *   --spaces mobilenetv2,fbnet: only these spaces.
 *   --tables <dir>: predict each network again from <dir>/<target>-<space>-<H>.json instead of the recorded prediction.
 *   Only meaningful for tables rebuilt from the same profile journals as the recorded ones (same speed anchor and
 *   anchor median, so the recorded at-table-speed figures still apply), e.g. after a change to the calibration fit;
 *   the anchor is checked against --anchors-of <dir> (the tables the runs were recorded with) when given.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { walkShapes } from '../src/arch/shapes.js';
import { loadTable, type LatencyTable } from '../src/cost/latency-table.js';
import { predictLatency } from '../src/cost/latency-predictor.js';
import { spaceNetwork } from '../src/profile/space-networks.js';
import { median } from '../src/profile/stats.js';
import { loadSpace } from '../src/space/load.js';

type Row = { space: string; target: string; dna: string; predicted: number; atTableSpeed: number[] };
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const files = (process.argv[2] ?? '').split(',').filter((f) => f.length > 0);
const tablesDir = arg('tables');
/** --spaces fbnet,...: score only these spaces (runs recorded against other tables for the rest) */
const spaces = arg('spaces')?.split(',');
const anchorsOf = arg('anchors-of');
const RESOLUTION: Record<string, number> = { mobilenetv2: 224, fbnet: 32 };
const tableCache = new Map<string, LatencyTable>();
function tableFor(dir: string, space: string, target: string): LatencyTable {
  const file = join(dir, `${target}-${space}-${RESOLUTION[space] ?? 0}.json`);
  const t = tableCache.get(file) ?? loadTable(file);
  tableCache.set(file, t);
  return t;
}
function repredict(space: string, target: string, dna: string): number {
  const table = tableFor(tablesDir as string, space, target);
  if (anchorsOf) {
    const a = table.data.metadata.anchor;
    const b = tableFor(anchorsOf, space, target).data.metadata.anchor;
    if (!a || !b || a.arch !== b.arch || Math.abs(a.median_ms - b.median_ms) > 1e-9 * b.median_ms) throw new Error(`${target} ${space}: the tables in ${tablesDir} and ${anchorsOf} have different speed anchors; recorded at-table-speed figures do not carry over`);
  }
  return predictLatency(walkShapes(spaceNetwork(loadSpace(space), dna.split('-').map(Number))), table).total_ms;
}
if (files.length === 0) {
  process.stderr.write('usage: npx tsx bench/latency-score-runs.ts <measured.json>[,<measured.json>...]\n');
  process.exit(2);
}
const runs = files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { rows: Row[] }).rows);
const pairs = [...new Set(runs.flatMap((rows) => rows.filter((r) => spaces?.includes(r.space) ?? true).map((r) => `${r.space} ${r.target}`)))].sort();
const share = (errs: readonly number[]): string => `${((100 * errs.filter((e) => Math.abs(e) <= 0.1).length) / errs.length).toFixed(0)}%`;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

process.stdout.write(`${files.length} recorded runs: ${files.join(', ')}${tablesDir ? `; predictions from ${tablesDir}` : ''}\n`);
for (const pair of pairs) {
  const byDna = new Map<string, { predicted: number; measured: number[] }>();
  for (const [k, rows] of runs.entries()) {
    for (const recorded of rows.filter((x) => `${x.space} ${x.target}` === pair)) {
      const r = tablesDir ? { ...recorded, predicted: repredict(recorded.space, recorded.target, recorded.dna) } : recorded;
      const e = byDna.get(r.dna) ?? { predicted: r.predicted, measured: [] };
      if (Math.abs(e.predicted - r.predicted) > 1e-9 * r.predicted) throw new Error(`${files[k]}: ${pair} ${r.dna} was predicted ${r.predicted} ms, another run recorded ${e.predicted} ms (different tables)`);
      e.measured[k] = median(r.atTableSpeed);
      byDna.set(r.dna, e);
    }
  }
  // the runs that measured this (space, target); a network counts when every one of them measured it
  const having = runs.flatMap((rows, k) => (rows.some((x) => `${x.space} ${x.target}` === pair) ? [k] : []));
  const nets = [...byDna.entries()]
    .map(([dna, e]) => ({ dna, predicted: e.predicted, measured: having.map((k) => e.measured[k]) }))
    .filter((e): e is { dna: string; predicted: number; measured: number[] } => e.measured.every((m) => m !== undefined));
  const perRun = having.map((_, k) => share(nets.map((e) => (e.predicted - (e.measured[k] as number)) / (e.measured[k] as number))));
  const meanErr = nets.map((e) => {
    const m = e.measured.reduce((s, x) => s + x, 0) / e.measured.length;
    return (e.predicted - m) / m;
  });
  // how much one network's at-table-speed figure moves between runs: median relative deviation from its own mean
  const spread = median(nets.flatMap((e) => {
    const m = e.measured.reduce((s, x) => s + x, 0) / e.measured.length;
    return e.measured.map((x) => Math.abs(x - m) / m);
  }));
  process.stdout.write(`${pair.padEnd(28)} ${nets.length} nets, runs ${having.map((k) => k + 1).join(',')}  within +-10%: per run ${perRun.join(' / ')}, mean of runs ${share(meanErr)}  median |err| ${pct(median(meanErr.map(Math.abs)))}  bias ${pct(median(meanErr))}  run-to-run deviation ${pct(spread)}\n`);
  const worst = nets.map((e, i) => ({ e, err: meanErr[i] as number })).sort((x, y) => Math.abs(y.err) - Math.abs(x.err)).slice(0, 3);
  for (const w of worst) process.stdout.write(`    worst: ${w.e.dna} predicted ${w.e.predicted.toFixed(3)} ms, measured ${w.e.measured.map((m) => m.toFixed(3)).join(' / ')} ms, error vs mean ${pct(w.err)}\n`);
}
