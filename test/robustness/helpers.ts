/** Shared pieces of the robustness tests: the real mobile32 design problem priced by the shipped fixture table. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../../src/data/load.js';
import { resolveLatencySource } from '../../src/design/latency-source.js';
import { buildDesignProblem, type DesignProblem } from '../../src/design/problem.js';
import { designProgress } from '../../src/design/progress.js';
import { loadDesignSpace } from '../../src/design/space-networks.js';
import type { Dataset } from '../../src/data/types.js';
import { resolveTarget } from '../../src/targets/load.js';
import type { Recipe } from '../../src/design/options.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
export const TABLE = path.join(ROOT, 'test', 'design', 'fixtures', 'host-tflite-1t-mobile32-32.json');
export const FLAKY = path.join(ROOT, 'test', 'robustness', 'fixtures', 'flaky_trainer.py');
export const quiet = designProgress('quiet');
/** a proxy recipe of a few seconds with the PyTorch trainer */
export const TINY_PROXY: Recipe = { epochs: 1, trainSubset: 128, validationSubset: 100, batchSize: 32, optimizer: 'adam', lr: 0.003, warmupSteps: 2, bnRecalibrationBatches: 2 };

export async function designProblem(outDir: string, budgetMs = 0.15): Promise<{ problem: DesignProblem; data: Dataset; table: string }> {
  const loaded = resolveTarget('host-tflite-1t');
  const data = loadDataset({ kind: 'fashion-mnist' });
  const source = await resolveLatencySource({
    loaded, space: loadDesignSpace('mobile32'), classes: data.numClasses, extraTables: [TABLE], outDir, profileRounds: 2, seed: 0, progress: quiet.stage('profile'),
  });
  return { problem: buildDesignProblem(source, loaded.target.id, budgetMs, undefined), data, table: source.table.file };
}
