/**
 * What Kendall tau can any proxy reach against one run of the full setting? Training noise makes the full setting's
 * test accuracy a noisy measurement of an architecture's expected accuracy; a perfect proxy (one that knows the
 * expected accuracies) still loses every pair whose gap is smaller than that noise. This bench estimates the noise from
 * journals where the same architectures were fully trained with two seeds (bench/train-kendall.ts --full-seeds 2),
 * then simulates the perfect proxy against the spread of full test accuracies in the journal under study.
 *   npx tsx bench/kendall-ceiling.ts --noise-from a.jsonl[,b.jsonl] --journal kendall.jsonl [--proxy-journals x.jsonl,y.jsonl [--proxy-mean]]
 * Prints: the seed noise (sd of one run's test accuracy), the observed and architecture spreads, the ceiling's mean and
 * 5-95% range, and, for each proxy journal, its tau with a bootstrap interval (with --proxy-mean also the tau of the
 * proxies' mean: proxy runs with other seeds, bench/train-kendall.ts --proxy-seed N --reuse-full).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bootstrapInterval, kendallTau, noiseCeiling, runNoiseSd } from '../src/eval/rank-agreement.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

type Row = { trialId: string; status: string; reward?: number; metrics?: Record<string, number> };
function readJournal(path: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  readFileSync(resolve(path), 'utf8').split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    let r: Row;
    try { r = JSON.parse(line) as Row; } catch { throw new Error(`${path}:${n + 1}: not a JSON line`); }
    if (r.status === 'ok') rows.set(r.trialId, r);
  });
  return rows;
}
const testAcc = (r: Row | undefined): number | undefined => (r?.metrics?.test_acc === undefined ? undefined : 100 * r.metrics.test_acc);

const noiseFrom = arg('noise-from'), journal = arg('journal');
if (!noiseFrom || !journal) {
  console.error('usage: npx tsx bench/kendall-ceiling.ts --noise-from a.jsonl[,b.jsonl] --journal kendall.jsonl [--proxy-journals x.jsonl,...]');
  process.exit(2);
}
const pairs: [number, number][] = [];
for (const path of noiseFrom.split(',')) {
  const rows = readJournal(path);
  for (const [id, r] of rows) {
    const m = /^kendall:(\d+):full$/.exec(id);
    const s0 = testAcc(r), s1 = m ? testAcc(rows.get(`kendall:${m[1]}:full:s1`)) : undefined;
    if (s0 !== undefined && s1 !== undefined) pairs.push([s0, s1]);
  }
}
const noiseSd = runNoiseSd(pairs);
const main = readJournal(journal);
const archs = [...main.keys()].map((id) => /^kendall:(\d+):full$/.exec(id)?.[1]).filter((i): i is string => i !== undefined);
const full = archs.map((i) => testAcc(main.get(`kendall:${i}:full`)) as number);
const c = noiseCeiling(full, noiseSd);
console.log(`seed noise of the full setting's test accuracy: sd ${noiseSd.toFixed(2)} points (${pairs.length} architectures trained with two seeds, ${noiseFrom})`);
console.log(`${journal}: ${archs.length} architectures, full test accuracy sd ${c.observedSd.toFixed(2)} points, of which the architectures' own ${c.architectureSd.toFixed(2)} (reliability ${c.reliability.toFixed(2)})`);
console.log(`ceiling: a perfect proxy against one full run reaches tau ${c.tauMean.toFixed(2)} on average (5-95%: ${c.tau5.toFixed(2)} to ${c.tau95.toFixed(2)})`);
const proxyJournals = (arg('proxy-journals') ?? '').split(',').filter(Boolean).map((path) => ({ path, rows: readJournal(path) }));
const proxyOf = (rows: Map<string, Row>, i: string): number | undefined => rows.get(`kendall:${i}:proxy`)?.reward;
const judge = (label: string, have: string[], score: (i: string) => number): void => {
  const p = have.map(score), f = have.map((i) => testAcc(main.get(`kendall:${i}:full`)) as number);
  const [lo, hi] = bootstrapInterval(p, f);
  console.log(`${label}: proxy vs full test tau ${kendallTau(p, f).toFixed(3)} over ${have.length} architectures (bootstrap 90% ${lo.toFixed(2)} to ${hi.toFixed(2)})`);
};
for (const { path, rows } of proxyJournals) judge(path, archs.filter((i) => proxyOf(rows, i) !== undefined), (i) => proxyOf(rows, i) as number);
// several proxy runs of the same recipe with other seeds (--proxy-seed): their mean is a less noisy proxy
if (proxyJournals.length > 1 && process.argv.includes('--proxy-mean')) {
  const have = archs.filter((i) => proxyJournals.every(({ rows }) => proxyOf(rows, i) !== undefined));
  judge(`mean of the ${proxyJournals.length} proxy journals`, have, (i) => proxyJournals.reduce((s, { rows }) => s + (proxyOf(rows, i) as number), 0) / proxyJournals.length);
}
