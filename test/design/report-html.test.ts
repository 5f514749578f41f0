/** The design report as a decision page: Pareto front, candidate table, per-layer bars, architecture, checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paretoFront, type ScoredTrial } from '../../src/design/report-parts.js';
import { renderDesignReport } from '../../src/design/report-html.js';
import type { DesignSummary, DesignTrialRow } from '../../src/design/summary.js';
import { Rng } from '../../src/core/rng.js';

const ARCH = 'in32x32x3/conv_k3_s2_c16/ir_k3_s1_e1_c16/gap/fc_c10';

function summary(trials: DesignTrialRow[], extra: Partial<DesignSummary> = {}): DesignSummary {
  const winner = trials.filter((t) => t.feasible && t.reward !== null).sort((a, b) => (b.reward as number) - (a.reward as number))[0] as DesignTrialRow;
  return {
    version: 1, createdAt: '2026-12-04T00:00:00Z', target: 'host-tflite-1t', dataset: 'fashion-mnist', budget: { latencyMs: 1 }, cheapestLatencyMs: 0.1,
    space: 'mobile32', searchTrials: trials.length, trainer: 'pytorch', recipes: { proxy: {}, full: {} }, layerNames: ['a', 'b'], optionNames: [['x', 'y'], ['x', 'y']],
    winner: { dna: winner.dna, arch: ARCH }, trials,
    finals: [{ role: 'winner', description: 'best', dna: winner.dna, arch: ARCH, predictedLatencyMs: winner.predictedLatencyMs, madds: 1e6, params: 1e4, proxyValAccuracy: winner.reward, valAccuracy: 0.8, testAccuracy: 0.812, trainSeconds: 10 }],
    latency: [], files: [], verifyPassed: false, modelDir: 'model', notes: [], timings: {},
    winnerLatency: { layers: [{ block: 'conv_k3_s2_c16', key: 'conv_k3_s2_c16@32x32x3', ms: 0.02 }, { block: 'gap', key: 'gap@16x16x16', ms: 0.001 }], fixedMs: 0.01, totalMs: 0.031 },
    checks: [{ name: 'latency vs prediction', passed: false, detail: 'measured 0.2 ms vs predicted 0.1 ms: error 100% (allowed ±10%)' }, { name: 'test agreement model.onnx', passed: true, detail: '100% of 200' }],
    ...extra,
  };
}

function trials(n: number, seed: number, algorithms: string[]): DesignTrialRow[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const lat = 0.2 + 1.2 * rng.next();
    return { number: i, algorithm: algorithms[i % algorithms.length] as string, arch: ARCH, dna: [i, i % 3], predictedLatencyMs: lat, madds: 1e6, params: 1e4, reward: rng.next() < 0.1 ? null : 0.5 + 0.3 * rng.next(), feasible: lat <= 1, reused: false };
  });
}

test('paretoFront: no trial outside the front is both faster and more accurate than a front member, and every dominated trial is left out', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rows = trials(40, seed, ['layernas']).filter((t): t is ScoredTrial => t.reward !== null);
    const front = paretoFront(rows);
    for (const r of rows) {
      const dominated = rows.some((o) => o !== r && o.predictedLatencyMs <= r.predictedLatencyMs && o.reward >= r.reward && (o.predictedLatencyMs < r.predictedLatencyMs || o.reward > r.reward));
      assert.equal(front.includes(r), !dominated, `seed ${seed} trial ${r.number}`);
    }
  }
});

test('the report has the Pareto front, the budget line, a sortable candidate table of the front, per-layer bars, the drawn architecture and every failed check with its reason', () => {
  const s = summary(trials(30, 3, ['layernas']));
  const html = renderDesignReport(s);
  assert.match(html, /Pareto front: no other trial is both faster and more accurate/);
  assert.match(html, /budget 1\.00 ms/);
  const table = /<table class="sortable" id="candidates">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const front = paretoFront(s.trials.filter((t): t is ScoredTrial => t.reward !== null && t.feasible));
  for (const f of front) assert.ok(table.includes(`<code>${f.dna.join('-')}</code>`), `front member ${f.dna.join('-')} in the candidate table`);
  assert.match(html, /<script>[\s\S]*querySelectorAll\('table\.sortable'\)/);
  assert.match(html, /aria-label="predicted latency per layer of the winner"[\s\S]*conv_k3_s2_c16/);
  assert.match(html, /aria-label="architecture of the winner"[\s\S]*ir_k3_s1_e1_c16[\s\S]*→ 16x16x16/);
  assert.match(html, /✘ <b>latency vs prediction<\/b>: measured 0\.2 ms vs predicted 0\.1 ms: error 100% \(allowed ±10%\)/);
  assert.doesNotMatch(html, /random search, within budget/, 'no random-search legend when random search did not run');
  // accuracies are percents: the winner's test accuracy 0.812 and every proxy accuracy appear only as percents
  const text = html.replace(/<[^>]+>/g, ' ');
  assert.match(text, /81\.20%/);
  assert.doesNotMatch(text, /\b0\.812\b/);
  for (const t of s.trials) if (t.reward !== null) assert.ok(text.includes(`${(t.reward * 100).toFixed(2)}%`), `trial ${t.number} accuracy as a percent`);
});

test('with random search, its trials get their own legend entry', () => {
  const html = renderDesignReport(summary(trials(30, 4, ['layernas', 'random'])));
  assert.match(html, /random search, within budget/);
});
