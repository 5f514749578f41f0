/**
 * How noisy is a training recipe? Trains the same FBNet architectures with several seeds per recipe (PyTorch reference
 * trainer, 1 thread each, two at a time) and prints the spread of validation (and, for full recipes, test) accuracy.
 * A proxy whose seed-to-seed spread is larger than the differences between neighbouring architectures cannot guide a
 * search. Results of 2026-11-29: bench/results/recipe-noise-2026-11-29.jsonl (docs/design.md "Proxy reward").
 *   npx tsx bench/recipe-noise.ts [--recipes sgd-proxy,adam-proxy,sgd-full,adam-full] [--archs base,wide,deep]
 *     [--seeds 0,1,2] [--journal recipe-noise.jsonl]
 */
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fbnetNetwork } from '../src/arch/zoo.js';
import { loadDataset } from '../src/data/index.js';
import { ExternalTrainer, PYTORCH_REFERENCE_COMMAND } from '../src/train/external.js';
import { settingsFor, type TrainSettings } from '../src/train/settings.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

/** FBNet op-index strings: the 5 ms Pixel 3 baseline (k3_e1, 9 layers dropped) and two neighbours of it. */
const ARCHS: Record<string, string> = {
  base: '0-0-8-8-8-0-0-0-0-0-0-0-0-0-8-8-8-0-8-8-8-0',
  wide: '6-0-8-8-8-0-0-0-0-0-0-0-0-0-8-8-8-0-8-8-8-0',
  deep: '0-2-2-2-2-4-4-4-4-0-0-0-0-0-8-8-8-0-8-8-8-0',
};
const RECIPES: Record<string, { setting: 'proxy' | 'full'; overrides: Partial<TrainSettings> }> = {
  'sgd-proxy': { setting: 'proxy', overrides: { epochs: 1, trainSubset: 4000, validationSubset: 2000, batchSize: 32, lr: 0.1, warmupSteps: 10, bnRecalibrationBatches: 16 } },
  'adam-proxy': { setting: 'proxy', overrides: { epochs: 1, trainSubset: 4000, validationSubset: 2000, batchSize: 32, optimizer: 'adam', lr: 0.003, warmupSteps: 10, bnRecalibrationBatches: 16 } },
  'sgd-full': { setting: 'full', overrides: { epochs: 3, trainSubset: 8000, batchSize: 64, lr: 0.1, warmupSteps: 30, bnRecalibrationBatches: 16 } },
  'adam-full': { setting: 'full', overrides: { epochs: 3, trainSubset: 8000, batchSize: 64, optimizer: 'adam', lr: 0.003, warmupSteps: 30, bnRecalibrationBatches: 16 } },
};

const recipes = arg('recipes', 'sgd-proxy,adam-proxy').split(',');
const archs = arg('archs', 'base,wide,deep').split(',');
const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const journal = resolve(arg('journal', 'recipe-noise.jsonl'));
for (const r of recipes) if (!RECIPES[r]) throw new Error(`unknown recipe ${r}: ${Object.keys(RECIPES).join(', ')}`);
for (const a of archs) if (!ARCHS[a]) throw new Error(`unknown arch ${a}: ${Object.keys(ARCHS).join(', ')}`);

const ds = loadDataset({ kind: 'fashion-mnist' });
const trainer = new ExternalTrainer({ name: 'pytorch', command: PYTORCH_REFERENCE_COMMAND, timeoutMs: 3600_000, env: { LAYERNAS_THREADS: '1' } });
const jobs = recipes.flatMap((r) => archs.flatMap((a) => seeds.map((seed) => ({ r, a, seed }))));
const rows: { r: string; a: string; val: number; test?: number }[] = [];
let next = 0;
async function lane(): Promise<void> {
  while (next < jobs.length) {
    const { r, a, seed } = jobs[next++]!;
    const recipe = RECIPES[r]!;
    const res = await trainer.train({
      spec: fbnetNetwork(ARCHS[a]!.split('-').map(Number), { classes: 10 }), dataset: ds,
      settings: settingsFor(recipe.setting, { ...recipe.overrides, seed }), evaluateTest: recipe.setting === 'full', outputDir: mkdtempSync(join(tmpdir(), 'noise-')),
    });
    const row = { r, a, seed, val: res.metrics.valAccuracy, ...(res.metrics.testAccuracy !== undefined ? { test: res.metrics.testAccuracy } : {}), loss: res.metrics.trainLoss, s: res.metrics.wallSeconds };
    rows.push(row);
    appendFileSync(journal, `${JSON.stringify(row)}\n`);
    console.log(JSON.stringify(row));
  }
}
await Promise.all([lane(), lane()]);
for (const r of recipes) {
  for (const a of archs) {
    const v = rows.filter((x) => x.r === r && x.a === a);
    const pct = (xs: number[]): string => `${(100 * Math.min(...xs)).toFixed(1)}-${(100 * Math.max(...xs)).toFixed(1)}%`;
    console.log(`${r.padEnd(11)} ${a.padEnd(5)} val ${pct(v.map((x) => x.val))}${v[0]?.test !== undefined ? ` test ${pct(v.map((x) => x.test as number))}` : ''} over ${v.length} seeds`);
  }
}
