/**
 * Must-show: does the proxy setting rank architectures like full training? Samples N random architectures of a
 * MobileNet-style space, trains each with the proxy setting (reward = validation accuracy) and the full setting
 * (test accuracy) through the local worker pool, and prints Kendall's tau between the two rankings.
 * Results are journaled (one JSON line per finished trial) so an interrupted run resumes where it stopped.
 *   npx tsx bench/train-kendall.ts [--archs 20] [--trainer pytorch|tfjs] [--workers 2] [--space spaces/mobile32.json]
 *     [--proxy-epochs N --proxy-images N --proxy-val-images N --proxy-bn-batches N --proxy-batch N --proxy-optimizer sgd|adam
 *      --proxy-lr X --proxy-seed N --proxy-runs N (reward = mean of N runs, seeds s..s+N-1)] [--full-epochs N --full-images N (0 = all) --full-optimizer sgd|adam --full-lr X]
 *     [--target pixel3-tflite --latency-ms 5]  (random architectures within that budget, as the design's random search)
 *     [--full-seeds N]  (train the full setting with seeds 0..N-1; rank by the mean test accuracy, print per-seed taus)
 *     [--list]  (print the architectures and stop)
 *     [--reuse-full other.jsonl]  (take the full-setting rows of another journal of the same archs: judge a new proxy
 *      against full trainings already done; only the proxy trials run)
 * Defaults: the design job's proxy and full recipes (src/design/options.ts DEFAULT_PROXY, DEFAULT_FULL), with one proxy
 * run per architecture (the design's reward is the mean of DEFAULT_DESIGN.proxyRuns = 2 runs: pass --proxy-runs 2).
 *     [--journal kendall.jsonl]
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatNetwork } from '../src/arch/grammar.js';
import { Rng } from '../src/core/rng.js';
import { bootstrapInterval, kendallTau, noiseCeiling, runNoiseSd } from '../src/eval/rank-agreement.js';
import { LocalPool } from '../src/dispatch/local-pool.js';
import type { TrialRequest } from '../src/dispatch/types.js';
import { PYTORCH_REFERENCE_COMMAND } from '../src/train/external.js';
import { loadSpaceFile } from '../src/space/load.js';
import { decodeNetwork } from '../src/space/network.js';
import { DEFAULT_FULL, DEFAULT_PROXY } from '../src/design/options.js';
import { resolveLatencySource } from '../src/design/latency-source.js';
import { buildDesignProblem } from '../src/design/problem.js';
import { resolveTarget } from '../src/targets/load.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

const nArchs = Number(arg('archs', '20'));
const trainer = arg('trainer', 'pytorch');
const space = loadSpaceFile(resolve(arg('space', 'spaces/mobile32.json')));
const journal = resolve(arg('journal', 'kendall-journal.jsonl'));
const fullImages = Number(arg('full-images', String(DEFAULT_FULL.trainSubset ?? 0)));
// defaults: the design job's own proxy and full recipes (src/design/options.ts); flags override single fields
const num = (name: string): number | undefined => (process.argv.includes(`--${name}`) ? Number(arg(name, '')) : undefined);
const str = (name: string): string | undefined => (process.argv.includes(`--${name}`) ? arg(name, '') : undefined);
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const proxy = {
  ...DEFAULT_PROXY,
  ...defined({ epochs: num('proxy-epochs'), trainSubset: num('proxy-images'), validationSubset: num('proxy-val-images'), bnRecalibrationBatches: num('proxy-bn-batches'),
    batchSize: num('proxy-batch'), optimizer: str('proxy-optimizer'), lr: num('proxy-lr'), seed: num('proxy-seed') }),
};
const full = {
  ...DEFAULT_FULL,
  ...defined({ epochs: num('full-epochs'), optimizer: str('full-optimizer'), lr: num('full-lr') }),
  ...(fullImages > 0 ? { trainSubset: fullImages } : { trainSubset: undefined }),
};

// --target T --latency-ms X: random architectures within the budget (as the design's random search samples them)
const budgetMs = num('latency-ms');
const inBudget = budgetMs === undefined ? undefined : buildDesignProblem(await resolveLatencySource({
  loaded: resolveTarget(arg('target', 'pixel3-tflite')), space, classes: 10, extraTables: [], outDir: join(tmpdir(), 'layernas-kendall-table'),
  profileRounds: 3, seed: 0, progress: { start() {}, tick() {}, finish() {} },
}), arg('target', 'pixel3-tflite'), budgetMs, undefined);
const rng = new Rng(Number(arg('seed', '2024')));
const archs: string[] = [];
while (archs.length < nArchs) {
  const dna = inBudget ? inBudget.constraints.sample(rng, () => true, 1_000_000) : space.radix.map((r) => rng.int(r));
  if (!dna) throw new Error(`no architecture of ${space.name} within ${budgetMs} ms`);
  const s = formatNetwork(decodeNetwork(space, dna, 10));
  if (!archs.includes(s)) archs.push(s);
}

if (process.argv.includes('--list')) {
  for (const a of archs) console.log(a);
  process.exit(0);
}

type Row = { trialId: string; status: string; reward?: number; metrics?: Record<string, number>; error?: string };
/** The rows of a journal, skipping a torn last line (that trial reruns; another journal may still be written). */
function journalRows(path: string): Row[] {
  const rows: Row[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try { rows.push(JSON.parse(line) as Row); } catch { /* torn last line */ }
  }
  return rows;
}
const done = new Map<string, Row>();
if (existsSync(journal)) for (const r of journalRows(journal)) done.set(r.trialId, r);
// --reuse-full J: full-setting rows from another journal (same --archs/--seed/--space, so the same architectures; the
// parameter counts are checked against the proxies as they come in)
const reuseFull = str('reuse-full');
if (reuseFull !== undefined) {
  const reused = journalRows(resolve(reuseFull)).filter((r) => /^kendall:\d+:full/.test(r.trialId) && !done.has(r.trialId));
  for (const r of reused) done.set(r.trialId, r);
  console.log(`${reused.length} full-setting rows reused from ${reuseFull}`);
}
// --proxy-runs N: the proxy reward is the mean of N runs with seeds s..s+N-1 (the design's --proxy-runs)
const proxyRuns = Number(arg('proxy-runs', '1'));
if (!Number.isInteger(proxyRuns) || proxyRuns < 1) throw new Error(`--proxy-runs must be a positive integer, got ${arg('proxy-runs', '')}`);
const requests: TrialRequest[] = [];
// --full-seeds N: train the full setting N times (seeds 0..N-1; trial ids kendall:i:full, kendall:i:full:s1, ...) and
// rank by the mean test accuracy, the architecture's expected full-setting accuracy; per-seed taus are printed too
const fullSeeds = Number(arg('full-seeds', '1'));
if (!Number.isInteger(fullSeeds) || fullSeeds < 1) throw new Error(`--full-seeds must be a positive integer, got ${arg('full-seeds', '')}`);
const fullTrialId = (i: number, seed: number): string => `kendall:${i}:full${seed === 0 ? '' : `:s${seed}`}`;
archs.forEach((arch, i) => {
  const trials: [string, 'proxy' | 'full', Record<string, unknown>, boolean][] = [[`kendall:${i}:proxy`, 'proxy', proxy, false]];
  for (let seed = 0; seed < fullSeeds; seed++) trials.push([fullTrialId(i, seed), 'full', seed === 0 ? full : { ...full, seed }, true]);
  for (const [trialId, setting, overrides, evaluateTest] of trials) {
    if (done.has(trialId)) continue;
    requests.push({ trialId, studyId: 'kendall', dna: [i], arch, attempt: 1,
      evaluator: { kind: 'training', options: { dataset: 'fashion-mnist', setting, overrides, evaluateTest, ...(setting === 'proxy' && proxyRuns > 1 ? { runs: proxyRuns } : {}) } } });
  }
});
console.log(`${archs.length} archs, ${requests.length} trials to run (${done.size} journaled); proxy ${JSON.stringify(proxy)} full ${JSON.stringify(full)}; trainer ${trainer}`);

function report(): void {
  const pairs: { p: number; f: number; i: number; perSeed: number[] }[] = [];
  archs.forEach((_, i) => {
    const p = done.get(`kendall:${i}:proxy`);
    const fs = Array.from({ length: fullSeeds }, (_, seed) => done.get(fullTrialId(i, seed)));
    if (p?.status === 'ok' && fs.every((f) => f?.status === 'ok' && f.metrics?.test_acc !== undefined)) {
      const perSeed = fs.map((f) => f?.metrics?.test_acc as number);
      if (p.metrics?.params !== fs[0]?.metrics?.params) {
        throw new Error(`arch ${i}: proxy has ${p.metrics?.params} parameters, full ${fs[0]?.metrics?.params}: the rows are of different architectures (other --archs/--seed/--space?)`);
      }
      pairs.push({ p: p.reward as number, f: perSeed.reduce((a, b) => a + b, 0) / perSeed.length, i, perSeed });
    }
  });
  if (pairs.length >= 2) {
    const [lo, hi] = bootstrapInterval(pairs.map((x) => x.p), pairs.map((x) => x.f));
    console.log(`Kendall tau (proxy validation vs full test accuracy${fullSeeds > 1 ? `, mean of ${fullSeeds} seeds` : ''}) over ${pairs.length} archs: ${kendallTau(pairs.map((x) => x.p), pairs.map((x) => x.f)).toFixed(3)} (bootstrap 90% interval over archs ${lo.toFixed(2)} to ${hi.toFixed(2)})`);
    if (fullSeeds > 1) {
      const perSeedTau = Array.from({ length: fullSeeds }, (_, seed) => kendallTau(pairs.map((x) => x.p), pairs.map((x) => x.perSeed[seed] as number)).toFixed(3));
      const seedVsSeed = kendallTau(pairs.map((x) => x.perSeed[0] as number), pairs.map((x) => x.perSeed[1] as number)).toFixed(3);
      const diffs = pairs.map((x) => Math.abs((x.perSeed[0] as number) - (x.perSeed[1] as number)) * 100).sort((a, b) => a - b);
      console.log(`  per full seed: tau ${perSeedTau.join(', ')}; full seed 0 vs seed 1 tau ${seedVsSeed}; |seed 0 - seed 1| test accuracy median ${diffs[diffs.length >> 1]?.toFixed(2)} points, max ${diffs.at(-1)?.toFixed(2)}`);
      if (pairs.length >= 3) {
        // noise ceiling from this journal's own seed pairs: the tau a perfect proxy reaches against the mean of the seeds
        const noise = runNoiseSd(pairs.map((x) => [100 * (x.perSeed[0] as number), 100 * (x.perSeed[1] as number)] as [number, number]));
        const c = noiseCeiling(pairs.map((x) => 100 * x.f), noise / Math.sqrt(fullSeeds));
        console.log(`  seed noise sd ${noise.toFixed(2)} points; a perfect proxy against the mean of ${fullSeeds} seeds: tau ${c.tauMean.toFixed(2)} on average (5-95% ${c.tau5.toFixed(2)} to ${c.tau95.toFixed(2)})`);
      }
    }
    // ceiling: the same fully trained models (seed 0) ranked by their own validation accuracy (evaluation noise only)
    const fullVal = pairs.map((x) => done.get(`kendall:${x.i}:full`)?.reward as number);
    const range = (xs: number[]): string => `${(100 * Math.min(...xs)).toFixed(2)}-${(100 * Math.max(...xs)).toFixed(2)}%`;
    console.log(`  full validation vs full test tau (seed 0) ${kendallTau(fullVal, pairs.map((x) => x.perSeed[0] as number)).toFixed(3)}; ranges: proxy ${range(pairs.map((x) => x.p))}, full test ${range(pairs.map((x) => x.f))}`);
  }
}

if (requests.length > 0) {
  const pool = await LocalPool.start({
    workers: Number(arg('workers', '2')), trialTimeoutMs: 6 * 3600_000,
    evaluator: { delayMs: 0, evaluator: { kind: 'training', config: {
      trainer: trainer === 'pytorch' ? { kind: 'command', command: [...PYTORCH_REFERENCE_COMMAND], timeoutMs: 6 * 3600_000 } : { kind: 'tfjs', backend: 'auto' },
      outputRoot: join(tmpdir(), 'layernas-kendall'),
    } } },
  });
  await pool.submit(requests);
  let left = requests.length;
  for await (const r of pool.results()) {
    const row: Row = r.outcome.status === 'ok'
      ? { trialId: r.trialId, status: 'ok', reward: r.outcome.reward, metrics: r.outcome.metrics }
      : { trialId: r.trialId, status: 'failed', error: r.outcome.error.message };
    appendFileSync(journal, `${JSON.stringify(row)}\n`);
    done.set(r.trialId, row);
    console.log(`${r.trialId} ${row.status} ${row.reward !== undefined ? `val ${(row.reward * 100).toFixed(2)}%` : row.error} ${row.metrics?.test_acc !== undefined ? `test ${(row.metrics.test_acc * 100).toFixed(2)}%` : ''} (${(r.durationMs / 1000).toFixed(0)} s, attempts ${r.attempts})`);
    report();
    if (--left === 0) break;
  }
  await pool.close();
}
report();
