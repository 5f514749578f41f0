/**
 * Design with a few-shot table on a target measured from here (host-tflite-1t, real TFLite runs): the search's best
 * candidates are measured before the finalists are chosen (src/design/confirm-budget.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTable, parseTable } from '../../src/cost/latency-table.js';
import { fbnetLatencyCost } from '../../src/cost/tabular-latency.js';
import { Rng } from '../../src/core/rng.js';
import { budgetConfirmedFinalists } from '../../src/design/confirm-budget.js';
import { CONFIRM_LIMIT } from '../../src/search/within-budget.js';
import { buildDesignProblem } from '../../src/design/problem.js';
import { tryTable } from '../../src/design/table-fit.js';
import type { LatencySource } from '../../src/design/latency-source.js';
import { buildFewShotTable, planFewShot } from '../../src/profile/fewshot-table.js';
import { silentProgress } from '../../src/profile/progress.js';
import { loadSpace } from '../../src/space/load.js';
import type { TrialRecord } from '../../src/study/study.js';
import { resolveTarget } from '../../src/targets/load.js';
import { formatNetwork } from '../../src/arch/grammar.js';
import type { NetworkSpec } from '../../src/arch/spec.js';

/** host-tflite-1t with a few-shot table from the Pixel 3 table and 5 made-up measurements (Eyeriss LUT); `anchored`: with a speed anchor */
function madeUpFewShot(anchored: boolean) {
  const space = loadSpace('fbnet');
  const loaded = resolveTarget('host-tflite-1t');
  const pixel3 = { name: 'pixel3-tflite', table: loadTable(resolveTarget('pixel3-tflite').tableFiles[0] as string) };
  const plan = planFewShot(space, [pixel3], 5, 3, 100);
  const eyeriss = fbnetLatencyCost(space, 'eyeriss');
  const anchor = { arch: formatNetwork(plan.candidates[plan.chosen[0] as number] as NetworkSpec), median_ms: 1, batches: 5, spread_ratio: 0 };
  const { table } = buildFewShotTable({ target: loaded.target, space, sources: [pixel3], plan, measuredMs: plan.chosen.map((i) => eyeriss.cost(plan.dnas[i] as number[])), runtimeVersion: 'test', seed: 3, how: 'made up (Eyeriss LUT)', ...(anchored ? { anchor } : {}) });
  const fewshot = parseTable(table, 'fewshot.json');
  const sourceOf = (t: typeof fewshot): LatencySource => ({ table: t, networks: tryTable(t, space, 100).nets, origin: 'given-table', notes: [], measuredNow: 0 });
  return { space, loaded, pixel3, fewshot, sourceOf };
}

test('few-shot table on a measurable target: finalists measured first; over budget -> fastest kept with a note; a measured table is not re-measured', { timeout: 300_000 }, async () => {
  const { space, loaded, pixel3, fewshot, sourceOf } = madeUpFewShot(false);
  const rng = new Rng(9);
  const trials: TrialRecord[] = Array.from({ length: 8 }, (_, i) => {
    const dna = space.radix.map((r) => rng.int(r));
    return { trial: i, dna, arch: dna.join('-'), status: 'ok', reward: 0.5 + i / 100, metrics: {}, costs: {}, feasible: true };
  });
  const run = async (source: LatencySource, budgetMs: number) => budgetConfirmedFinalists({
    loaded, source, problem: buildDesignProblem(source, loaded.target.id, 1e6, undefined), trials, count: 1, budgetMs, progress: silentProgress,
  });
  const easy = await run(sourceOf(fewshot), 1e6);
  assert.deepEqual(easy.finalists.map((t) => t.trial), [7], 'the best candidate, measured within a generous budget');
  assert.equal(easy.notes.length, 1);
  assert.match(easy.notes[0] as string, /predicted .* ms, measured [\d.]+ ms \(raw, middle of 3 loads\) on host-tflite-1t \(within/);
  const tight = await run(sourceOf(fewshot), 1e-6);
  assert.equal(tight.finalists.length, 1);
  const checked = Math.min(CONFIRM_LIMIT, trials.length);
  assert.equal(tight.notes.filter((n) => /measured .*\(over/.test(n)).length, checked, tight.notes.join('\n'));
  assert.ok(tight.notes.some((n) => n.includes(`none of the ${checked} best candidates was measured within the budget`)));
  const measuredTable = await run(sourceOf(pixel3.table), 1e-6);
  assert.deepEqual(measuredTable.finalists.map((t) => t.trial), [7]);
  assert.deepEqual(measuredTable.notes, []);
});

// design's confirmation and verify judge one quantity: on a host, the middle of JUDGED_LOADS loads, each timed beside
// the table's speed anchor, at the table's speed (found: the journey's confirmation timed one load raw at 0.955 ms,
// verify then timed the same network at 0.775 ms raw / 0.804 ms at the table's speed)
test('few-shot table with a speed anchor: the finalists are measured as verify measures (at the table\'s speed)', { timeout: 300_000 }, async () => {
  const { space, loaded, fewshot, sourceOf } = madeUpFewShot(true);
  const source = sourceOf(fewshot);
  const dna = space.radix.map(() => 0);
  const trials: TrialRecord[] = [{ trial: 0, dna, arch: dna.join('-'), status: 'ok', reward: 0.5, metrics: {}, costs: {}, feasible: true }];
  const r = await budgetConfirmedFinalists({ loaded, source, problem: buildDesignProblem(source, loaded.target.id, 1e6, undefined), trials, count: 1, budgetMs: 1e6, progress: silentProgress });
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0] as string, /measured [\d.]+ ms at the table's speed \(raw [\d.]+ ms, middle of 3 loads\) on host-tflite-1t \(within/);
});

// a design measures a candidate once: the refinement round's measurement is taken by the final confirmation
test('a candidate this run measured already is taken from the run, not measured again', { timeout: 120_000 }, async () => {
  const { space, loaded, fewshot, sourceOf } = madeUpFewShot(false);
  const source = sourceOf(fewshot);
  const dna = space.radix.map(() => 0);
  const trials: TrialRecord[] = [{ trial: 0, dna, arch: dna.join('-'), status: 'ok', reward: 0.5, metrics: {}, costs: {}, feasible: true }];
  const known = new Map([[dna.join('-'), { ms: 0.123, how: ' (raw, middle of 3 loads)' }]]);
  const r = await budgetConfirmedFinalists({ loaded, source, problem: buildDesignProblem(source, loaded.target.id, 1e6, undefined), trials, count: 1, budgetMs: 1e6, progress: silentProgress, known });
  assert.equal(r.measured[0]?.ms, 0.123);
  assert.match(r.notes[0] as string, /measured 0\.123 ms \(raw, middle of 3 loads\); measured earlier in this run on host-tflite-1t \(within/);
});
