import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { walkShapes } from '../../src/arch/shapes.js';
import { predictLatency } from '../../src/cost/latency-predictor.js';
import { loadTable, parseTable } from '../../src/cost/latency-table.js';
import { fbnetLatencyCost } from '../../src/cost/tabular-latency.js';
import { Rng } from '../../src/core/rng.js';
import { fitFewShot, linearTransfer, predictFewShot, type FewShotFeatures } from '../../src/profile/fewshot.js';
import { chooseNetworks, stagePriorWeights } from '../../src/profile/fewshot-design.js';
import { spearman } from '../../src/eval/rank-agreement.js';
import { buildFewShotTable, planFewShot } from '../../src/profile/fewshot-table.js';
import { spaceNetwork } from '../../src/profile/space-networks.js';
import { loadSpace, repoRoot } from '../../src/space/load.js';
import { formatNetwork, parseNetwork } from '../../src/arch/grammar.js';
import { coverageAdvice, fewshotCoverageGap } from '../../src/profile/fewshot-coverage.js';
import { resolveTarget } from '../../src/targets/load.js';
import { resolveFewShotSources } from '../../src/profile/fewshot-profile.js';
import { LayernasError } from '../../src/core/errors.js';

test('spearman: ties averaged, perfect and reversed orders', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Math.abs(spearman([1, 1, 2, 3], [1, 2, 3, 4]) - 0.9486832980505138) < 1e-12);
});

/** a synthetic universe: two sources, two operator counts, a device that is 0.3 + 1.5 x src0 + 0.2 x count1 */
function synthetic(n: number): { f: FewShotFeatures; y: Float64Array } {
  const rng = new Rng(3);
  const c0 = Float64Array.from({ length: n }, () => rng.int(7));
  const c1 = Float64Array.from({ length: n }, () => rng.int(7));
  const s0 = Float64Array.from({ length: n }, (_, i) => 0.5 + 0.4 * (c0[i] as number) + 0.1 * (c1[i] as number) + 0.05 * rng.next());
  const s1 = Float64Array.from({ length: n }, (_, i) => 1 + 0.1 * (c0[i] as number) + 0.6 * (c1[i] as number) + 0.05 * rng.next());
  const y = Float64Array.from({ length: n }, (_, i) => 0.3 + 1.5 * (s0[i] as number) + 0.2 * (c1[i] as number));
  return { f: { sourceNames: ['a', 'b'], sources: [s0, s1], countNames: ['k0', 'k1'], counts: [c0, c1] }, y };
}

test('stagePriorWeights: a stage the sources disagree on may move most; one source: all equal', () => {
  // three sources, two stages: stage "a" is 50% of every source's network, stage "b" is 20%, 40% or 60%
  const n = 4;
  const col = (v: number): Float64Array => new Float64Array(n).fill(v);
  const shares = [[0.5, 0.2], [0.5, 0.4], [0.5, 0.6]];
  const sources = shares.map(() => col(1));
  const parts = shares.flatMap((sh, s) => sh.map((v, k) => ({ source: s, stage: k === 0 ? 'a' : 'b', values: col(v) })));
  const f: FewShotFeatures = { sourceNames: ['p', 'q', 'r'], sources, parts, countNames: [], counts: [] };
  const [a, b] = stagePriorWeights(f) as [number, number];
  assert.ok(a > 100 * b, `agreeing stage held (${a}), disagreeing stage free (${b})`);
  assert.ok(Math.abs(Math.log(a) + Math.log(b)) < 1e-9, 'geometric mean 1: lambda keeps its scale');
  const one: FewShotFeatures = { ...f, parts: parts.filter((p) => p.source === 0) };
  assert.deepEqual(stagePriorWeights(one), [1, 1]);
});

test('fitFewShot: the mean of the fit and its leave-one-out refits; each error is the refit that did not see the network', () => {
  const { f, y } = synthetic(3000);
  const chosen = chooseNetworks(f, 10, 2);
  // a device the sources cannot quite carry: the refits' errors are real held-out errors, not ~0
  const noisy = chosen.map((i, j) => (y[i] as number) * (1 + 0.08 * Math.sin(7 * j)));
  const fit = fitFewShot(f, chosen, noisy);
  const single = fitFewShot(f, chosen, noisy, undefined, { pinned: 1 });
  assert.equal(fit.looErrors.length, 10);
  assert.notDeepEqual(fit.sourceWeights, single.sourceWeights, 'averaged coefficients differ from the single fit');
  const j = 3;
  const rest = chosen.filter((_, k) => k !== j);
  const refit = fitFewShot(f, rest, noisy.filter((_, k) => k !== j), undefined, { pinned: 1 });
  const expected = (predictFewShot(refit, f, chosen[j] as number) - (noisy[j] as number)) / (noisy[j] as number);
  assert.ok(Math.abs((fit.looErrors[j] as number) - expected) < 1e-9, `${fit.looErrors[j]} vs ${expected}`);
});

test('chooseNetworks: seeded, distinct, spread to the extremes of cost', () => {
  const { f } = synthetic(3000);
  const a = chooseNetworks(f, 10, 5);
  assert.deepEqual(a, chooseNetworks(f, 10, 5));
  assert.notDeepEqual(a, chooseNetworks(f, 10, 6));
  assert.equal(new Set(a).size, 10);
  const s0 = f.sources[0] as Float64Array;
  const sorted = [...s0].sort((x, y) => x - y);
  const chosen = a.map((i) => s0[i] as number);
  // D-optimal picks reach both ends: the cheapest and dearest chosen lie in the outer 10% of the space
  assert.ok(Math.min(...chosen) <= (sorted[Math.floor(0.1 * sorted.length)] as number), `min ${Math.min(...chosen)}`);
  assert.ok(Math.max(...chosen) >= (sorted[Math.floor(0.9 * sorted.length)] as number), `max ${Math.max(...chosen)}`);
});

test('fitFewShot: recovers an exact linear device from 10 measurements; leave-one-out error ~0', () => {
  const { f, y } = synthetic(3000);
  const chosen = chooseNetworks(f, 10, 1);
  const fit = fitFewShot(f, chosen, chosen.map((i) => y[i] as number));
  assert.ok(fit.looRmse < 0.01, `loo ${fit.looRmse}`);
  const pred = Float64Array.from(y, (_, i) => predictFewShot(fit, f, i));
  const worst = Math.max(...[...y].map((v, i) => Math.abs((pred[i] as number) / v - 1)));
  assert.ok(worst < 0.02, `worst relative error ${worst}`);
  assert.ok(spearman(pred, y) > 0.999);
  // the plain baseline cannot see count1 and keeps src0's order
  const lin = linearTransfer(f.sources[0] as Float64Array, chosen, chosen.map((i) => y[i] as number));
  assert.ok(lin.scale > 0);
  assert.throws(() => fitFewShot(f, chosen.slice(0, 2), [1, 2]), /at least 3/);
  assert.throws(() => fitFewShot(f, chosen.slice(0, 3), [1, -2, 3]), /not a positive latency/);
});

test('few-shot FBNet table: Eyeriss from the Pixel 3 and Raspberry Pi 4 tables + 10 Eyeriss measurements', () => {
  const space = loadSpace('fbnet');
  const tables = ['pixel3-tflite', 'raspi4-tflite'].map((id) => ({ name: id, table: loadTable(resolveTarget(id).tableFiles[0] as string) }));
  const eyeriss = fbnetLatencyCost(space, 'eyeriss');
  const plan = planFewShot(space, tables, 10, 4, 300);
  const measured = plan.chosen.map((i) => eyeriss.cost(plan.dnas[i] as number[]));
  const { table, fit } = buildFewShotTable({ target: resolveTarget('pixel3-tflite').target, space, sources: tables, plan, measuredMs: measured, runtimeVersion: 'test', seed: 4, how: 'HW-NAS-Bench Eyeriss LUT' });
  const t = parseTable(table, 'fewshot.json');
  assert.equal(table.metadata.fewshot?.networks, 10);
  assert.match(table.metadata.method, /^few-shot estimate/);
  const rng = new Rng(11);
  const truth: number[] = [];
  const pred: number[] = [];
  for (let k = 0; k < 300; k++) {
    const dna = space.radix.map((r) => rng.int(r));
    truth.push(eyeriss.cost(dna));
    pred.push(predictLatency(walkShapes(spaceNetwork(space, dna)), t).total_ms);
  }
  const rho = spearman(pred, truth);
  const w10 = truth.filter((v, i) => Math.abs((pred[i] as number) / v - 1) <= 0.1).length / truth.length;
  assert.ok(rho > 0.9, `rho ${rho} (fit ${JSON.stringify(fit.sourceWeights)})`);
  assert.ok(w10 > 0.85, `within 10% ${w10}`);
  // the table reproduces the fit on the networks it was fitted on (no entry clamped here)
  if (!table.metadata.notes.some((n) => /stored as 0/.test(n))) {
    plan.chosen.forEach((i) => {
      const viaTable = predictLatency(walkShapes(plan.candidates[i]!), t).total_ms;
      assert.ok(Math.abs(viaTable - predictFewShot(fit, plan.features, i)) < 1e-9 * Math.max(1, viaTable));
    });
  }
});

test('layernas profile --from --networks on a host target: measures N chosen networks, writes a few-shot table', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'layernas-fewshot-'));
  try {
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot(), 'src', 'cli', 'main.ts'), ...args], { cwd: repoRoot(), encoding: 'utf8', timeout: 300_000 });
    const bad = cli(['profile', '--target', 'host-tflite-1t', '--space', 'fbnet', '--networks', '5']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--networks needs --from/);
    const unknown = cli(['profile', '--target', 'host-tflite-1t', '--space', 'fbnet', '--from', 'no-such-phone', '--networks', '5']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /TARGET_UNKNOWN/);
    const out = path.join(dir, 'fewshot.json');
    const r = cli(['profile', '--target', 'host-tflite-1t', '--space', 'fbnet', '--from', 'pixel3-tflite,raspi4-tflite', '--networks', '5', '--rounds', '1', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const t = loadTable(out);
    const fs = t.data.metadata.fewshot;
    assert.equal(fs?.networks, 5);
    assert.equal(fs?.loo_errors.length, 5);
    assert.match(t.data.metadata.method, /^few-shot estimate: 5 whole networks measured \(host-tflite/);
    // a speed anchor (the measured network of median MAdds) timed beside every measured network: the figures are at
    // one machine speed and `verify` can judge a deployed file at the table's speed, as with a full profile
    const anchor = t.data.metadata.anchor;
    assert.ok(anchor, 'the few-shot table has a speed anchor');
    assert.equal(anchor.batches, 5);
    assert.ok(anchor.median_ms > 0 && (fs?.measured ?? []).some((m) => m.arch === anchor.arch), `anchor ${anchor.arch} is one of the measured networks`);
    // the table prices every network of the space (a plain sum over the shape walk); this machine's timings under
    // load are too noisy for an accuracy check here (bench/fewshot-transfer.ts measures that on the shared data)
    const space = loadSpace('fbnet');
    for (const m of fs?.measured ?? []) {
      const p = predictLatency(walkShapes(parseNetwork(m.arch)), t).total_ms;
      assert.ok(Number.isFinite(p) && p > 0 && m.ms > 0, `${m.arch}: predicted ${p} vs measured ${m.ms}`);
    }
    assert.ok(predictLatency(walkShapes(spaceNetwork(space, space.radix.map(() => 3))), t).total_ms > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('few-shot table: a device far faster than its sources at the cheap end gets no negative fixed part', () => {
  const space = loadSpace('fbnet');
  const tables = ['pixel3-tflite'].map((id) => ({ name: id, table: loadTable(resolveTarget(id).tableFiles[0] as string) }));
  const pixel3 = fbnetLatencyCost(space, 'pixel3');
  const plan = planFewShot(space, tables, 10, 2, 300);
  // a made-up device: 0.5 x Pixel 3 minus 1.2 ms (its fixed part, 0.5 x 2.84 - 1.2 = 0.22 ms, is small but positive)
  const dev = (dna: readonly number[]): number => 0.5 * pixel3.cost(dna) - 1.2;
  const measured = plan.chosen.map((i) => dev(plan.dnas[i] as number[]));
  const { table } = buildFewShotTable({ target: resolveTarget('pixel3-tflite').target, space, sources: tables, plan, measuredMs: measured, runtimeVersion: 'test', seed: 2, how: 'made up' });
  const t = parseTable(table, 'fewshot.json');
  const rng = new Rng(5);
  for (let k = 0; k < 50; k++) {
    const dna = space.radix.map((r) => rng.int(r));
    const p = predictLatency(walkShapes(spaceNetwork(space, dna)), t).total_ms;
    assert.ok(Math.abs(p / dev(dna) - 1) < 0.05, `predicted ${p} vs ${dev(dna)}`);
  }
  // and one whose latency grows faster than the source's (convex): a straight line through it crosses zero above
  // the source's fixed part, i.e. wants a negative fixed part
  const dev2 = (dna: readonly number[]): number => 0.05 + 0.05 * (pixel3.cost(dna) - 2.8386) ** 2;
  const m2 = plan.chosen.map((i) => dev2(plan.dnas[i] as number[]));
  const built = buildFewShotTable({ target: resolveTarget('pixel3-tflite').target, space, sources: tables, plan, measuredMs: m2, runtimeVersion: 'test', seed: 2, how: 'made up' });
  assert.ok((built.table.fixed[0]?.median_ms ?? -1) >= 0);
  assert.ok(built.table.metadata.notes.some((n) => /negative fixed part/.test(n)), built.table.metadata.notes.join('; '));
});

test('few-shot fit: a device that runs one stage 1.8x slower than its source is recovered from 10 measurements through the stage parts', () => {
  const space = loadSpace('fbnet');
  const tables = ['pixel3-tflite'].map((id) => ({ name: id, table: loadTable(resolveTarget(id).tableFiles[0] as string) }));
  const plan = planFewShot(space, tables, 10, 3, 400);
  const parts = plan.features.parts ?? [];
  // the stage with the largest share of the source's latency runs 1.8x slower on the made-up device
  const share = (p: (typeof parts)[number]): number => p.values.reduce((a, v) => a + v, 0);
  const slow = parts.reduce((a, p) => (share(p) > share(a) ? p : a)).stage;
  const source = plan.features.sources[0] as Float64Array;
  const dev = Float64Array.from(source, (v, i) => 0.4 + v + 0.8 * parts.filter((p) => p.stage === slow).reduce((a, p) => a + (p.values[i] as number), 0));
  const measured = plan.chosen.map((i) => dev[i] as number);
  const worst = (fit: ReturnType<typeof fitFewShot>): number => Math.max(...[...dev].map((v, i) => Math.abs(predictFewShot(fit, plan.features, i) / v - 1)));
  const fit = fitFewShot(plan.features, plan.chosen, measured);
  const mixOnly = fitFewShot(plan.features, plan.chosen, measured, [Infinity]);
  assert.ok(worst(fit) < 0.01, `worst relative error ${worst(fit)} (stage weights ${JSON.stringify(fit.partWeights.filter((p) => p.weight !== 0))})`);
  assert.ok(worst(mixOnly) > 3 * worst(fit), `the mix alone: ${worst(mixOnly)}`);
  const slowWeight = fit.partWeights.find((p) => p.stage === slow)?.weight ?? 0;
  // the ridge shares the extra 0.8 ms per ms between the stage and the mix; the slow stage gets by far the largest part
  const others = fit.partWeights.filter((p) => p.stage !== slow).map((p) => Math.abs(p.weight));
  assert.ok(slowWeight > 0.4 && slowWeight > 3 * Math.max(...others), `the slow stage's weight ${slowWeight}, the others' up to ${Math.max(...others)}`);
  assert.ok(Object.values(fit.countWeights).every((w) => w === 0), 'with per-block sources the counts are not fitted');
});

test('--from naming one source table twice is a USAGE error naming it (the fit would get two identical columns)', () => {
  const space = loadSpace('fbnet');
  const file = path.join(repoRoot(), 'latency-tables', 'pixel3-tflite-fbnet-32.json');
  for (const items of [['pixel3-tflite', 'pixel3-tflite'], ['pixel3-tflite', file]]) {
    assert.throws(() => resolveFewShotSources(items, space), (e: unknown) => e instanceof LayernasError && e.code === 'USAGE' && /pixel3-tflite-fbnet-32\.json.*twice/.test(e.message));
  }
  assert.equal(resolveFewShotSources(['pixel3-tflite', 'raspi4-tflite'], space).length, 2);
});

test('fewshotCoverageGap: a network made of one operator kind the measured networks hardly have is named as an extrapolation', () => {
  const space = loadSpace('fbnet');
  const net = (ops: string) => spaceNetwork(space, ops.split('-').map(Number));
  const measured = ['2-6-2-6-2-6-8-8-2-6-2-6-8-8-2-6-2-6-8-8-2-6', '7-3-7-3-7-3-7-3-7-3-7-3-7-3-7-3-7-3-7-3-7-3', '0-5-2-7-8-1-3-4-6-0-5-2-7-8-1-3-4-6-0-5-2-7'].map((o) => formatNetwork(net(o)));
  const gap = fewshotCoverageGap(net('5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5'), measured);
  assert.equal(gap?.kind, 'ir_k5_e1_g2_relu');
  assert.ok((gap?.share ?? 0) > 0.8 && (gap?.measuredMax ?? 1) < 0.15, JSON.stringify(gap));
  assert.match(coverageAdvice(gap), /ir_k5_e1_g2_relu layers, none of the 3 measured networks more than \d+%: the estimate extrapolates/);
  // a network like the measured ones: no gap, the advice is to measure more
  assert.equal(fewshotCoverageGap(net('2-6-2-6-2-6-8-8-2-6-2-6-8-8-2-6-2-6-8-8-2-7'), measured), null);
  assert.match(coverageAdvice(null), /measure more networks/);
});
