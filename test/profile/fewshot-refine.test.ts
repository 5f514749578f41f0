/**
 * Refining a few-shot table with networks measured since (src/profile/fewshot-refine.ts). The "device" is this host's
 * ONNX Runtime as its block-by-block table prices it (latency-tables/host-onnxruntime-1t-fbnet-32.json, measured
 * here); the sources are the Pixel 3 and Raspberry Pi 4 tables: the cross-device case where a search's all-e1 grouped
 * winner was priced ~40% too high (journey j26).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { walkShapes } from '../../src/arch/shapes.js';
import { predictLatency } from '../../src/cost/latency-predictor.js';
import { loadTable, parseTable } from '../../src/cost/latency-table.js';
import { refineFewShotTable, sourcesOfFewShotTable } from '../../src/profile/fewshot-refine.js';
import { buildFewShotTable, planFewShot } from '../../src/profile/fewshot-table.js';
import { spaceNetwork } from '../../src/profile/space-networks.js';
import { loadSpace } from '../../src/space/load.js';
import { resolveTarget } from '../../src/targets/load.js';

test('a few-shot table refined with the network a search chose: the estimate there and on networks like it moves to the device', () => {
  const space = loadSpace('fbnet');
  const loaded = resolveTarget('host-onnxruntime-1t');
  const device = loadTable(loaded.tableFiles.find((f) => f.includes('fbnet-32')) as string);
  const price = (t: Parameters<typeof predictLatency>[1], dna: string): number => predictLatency(walkShapes(spaceNetwork(space, dna.split('-').map(Number))), t).total_ms;
  const sources = ['pixel3-tflite', 'raspi4-tflite'].map((name) => ({ name, table: loadTable(resolveTarget(name).tableFiles[0] as string) }));
  const plan = planFewShot(space, sources, 10, 1);
  const { table: data } = buildFewShotTable({ target: loaded.target, space, sources, plan, measuredMs: plan.chosen.map((i) => predictLatency(walkShapes(plan.candidates[i] as never), device).total_ms), runtimeVersion: 'test', seed: 1, how: 'priced by the host table' });
  const table = parseTable(data, 'fewshot.json');
  assert.deepEqual(sourcesOfFewShotTable(table, space).map((s) => s.name), ['pixel3-tflite', 'raspi4-tflite']);
  const winner = '1-5-5-5-5-5-5-5-5-5-5-5-5-4-4-4-4-4-4-4-4-4';
  // networks of the winner's operator kinds (k5_e1_g2, k5_e1); an all-k3_e1_g2 network is not: one measured network
  // that has a single such layer cannot tell that kind's speed, and its error is not asserted
  const like = ['5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5-5', '4-5-4-5-4-5-4-5-4-5-4-5-4-5-4-5-4-5-4-5-4-5'];
  const err = (t: typeof table, dna: string): number => Math.abs(price(t, dna) / price(device, dna) - 1);
  const refined = parseTable(refineFewShotTable({ table, target: loaded.target, space, sources, added: [{ spec: spaceNetwork(space, winner.split('-').map(Number)), ms: price(device, winner) }], how: 'test' }), 'refined.json');
  const before = [winner, ...like].map((d) => err(table, d));
  const after = [winner, ...like].map((d) => err(refined, d));
  assert.ok((before[0] as number) > 0.15, `the 10-network estimate is off on the winner: ${before.map((e) => e.toFixed(3))}`);
  assert.ok((after[0] as number) < 0.05, `the winner: error ${(before[0] as number).toFixed(3)} -> ${(after[0] as number).toFixed(3)}`);
  after.forEach((a, k) => assert.ok(a < 0.5 * (before[k] as number), `network ${k}: error ${(before[k] as number).toFixed(3)} -> ${a.toFixed(3)}`));
  assert.match(refined.data.metadata.method, /corrections by stage and operator kind/);
  assert.equal(refined.data.metadata.fewshot?.networks, 11);
  assert.equal(refined.data.metadata.fewshot?.refined_with, 1);
  assert.equal(refined.data.metadata.fewshot?.measured.length, 11);
  assert.ok(refined.data.metadata.notes.some((n) => /^refined: 1 network\(s\) added to the 10 of fewshot\.json/.test(n)));
});
