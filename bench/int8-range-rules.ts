/**
 * Bench: int8 activation-range rules on trained design runs (session 12, the FBNet winner whose int8 file agreed with
 * the trained model on 97.65% of the test images, < the 98% verify asks of a deployed int8 file).
 *
 * For every `<design run>/model` folder given: the int8 TFLite file re-exported from its trained weights with 64
 * training images (the design's default, seed 0) under three rules for each activation tensor's [min, max]:
 *  - minmax: over all calibration images (what the product ships, src/platform/onnx-calibration.ts);
 *  - p90: the 90th percentile over images of each image's max (10th of its min);
 *  - mean: the mean over images of each image's max and min (a moving-average observer);
 * each file's share of images on which it predicts the trained model's class, on 1,000 validation and 2,000 test
 * images (src/verify/test-agreement.ts). Also, with the float graph's weights rounded to int8 as the export rounds them
 * (per-channel conv / depthwise, per-tensor FC) and activations left in float, the test agreement: how much of the
 * loss is the weights'.
 *
 *   npx tsx bench/int8-range-rules.ts <design run>/model [...]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetwork } from '../src/arch/grammar.js';
import { readWeights } from '../src/arch/weights.js';
import { loadDataset, parseDatasetRef } from '../src/data/load.js';
import type { ImageSet } from '../src/data/types.js';
import { calibrationInputs } from '../src/design/export-stage.js';
import { exportNetwork } from '../src/export/index.js';
import { writeOnnx } from '../src/export/onnx/onnx-writer.js';
import type { ValueRange } from '../src/export/tflite/quantize.js';
import { withInt8RoundedWeights } from '../src/export/tflite/bias-correction.js';
import type { Graph } from '../src/graph/ir.js';
import { lowerNetwork } from '../src/graph/lower.js';
import { calibrateWithOnnxRuntime } from '../src/platform/onnx-calibration.js';
import { agreementOf, testAgreement, trainedModelPredictions } from '../src/verify/test-agreement.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: npx tsx bench/int8-range-rules.ts <design run>/model [...]');
const data = loadDataset(parseDatasetRef('fashion-mnist'));
const work = mkdtempSync(join(tmpdir(), 'layernas-int8-rules-'));
const quantile = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] as number; };
const RULES: Record<string, (mins: number[], maxs: number[]) => ValueRange> = {
  minmax: (mins, maxs) => ({ min: Math.min(...mins), max: Math.max(...maxs) }),
  p90: (mins, maxs) => ({ min: quantile(mins, 0.1), max: quantile(maxs, 0.9) }),
  mean: (mins, maxs) => ({ min: mins.reduce((a, b) => a + b, 0) / mins.length, max: maxs.reduce((a, b) => a + b, 0) / maxs.length }),
};

async function onnxAgreement(g: Graph, set: ImageSet, trained: Int32Array): Promise<number> {
  const file = join(work, 'weights-rounded.onnx');
  writeFileSync(file, writeOnnx(g));
  return (await agreementOf(file, 'onnx', set, trained, trained.length)).share;
}

const pc = (v: number): string => `${(100 * v).toFixed(2)}%`;
console.log(`model | ${Object.keys(RULES).map((r) => `${r} val / test`).join(' | ')} | weights only (test)`);
try {
  for (const dir of dirs) {
    const spec = parseNetwork((JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { arch: string }).arch);
    const weights = await readWeights(dir);
    const calibration = calibrationInputs(data.train, spec, 64, 0);
    let perImage: Map<number, ValueRange>[] | null = null;
    const cells: string[] = [];
    for (const [name, rule] of Object.entries(RULES)) {
      const calibrator = async (graph: Graph, samples: readonly Float32Array[]): Promise<Map<number, ValueRange>> => {
        if (!perImage) { perImage = []; for (const s of samples) perImage.push(await calibrateWithOnnxRuntime(graph, [s])); }
        const per = perImage;
        return new Map([...(per[0] as Map<number, ValueRange>).keys()].map((id) => [id, rule(per.map((m) => (m.get(id) as ValueRange).min), per.map((m) => (m.get(id) as ValueRange).max))]));
      };
      const out = join(work, name);
      await exportNetwork({ spec, weights, weightsSource: dir, formats: ['tflite'], outDir: out, calibrator, int8: { calibration, description: `64 training images, rule ${name}`, io: 'float', formats: ['tflite'] }, int8Agreement: 'warn' });
      const file = [{ file: join(out, 'model_int8.tflite'), format: 'tflite-int8' }];
      const val = await testAgreement({ files: file, spec, weightsDir: dir, testSet: data.validation, images: 1000, deployedFormat: 'tflite-int8' });
      const test = await testAgreement({ files: file, spec, weightsDir: dir, testSet: data.test, images: 2000, deployedFormat: 'tflite-int8' });
      cells.push(`${pc(val.agreement[0]?.share ?? NaN)} / ${pc(test.agreement[0]?.share ?? NaN)}`);
    }
    const trained = await trainedModelPredictions(spec, dir, data.test, 2000);
    const wOnly = await onnxAgreement(withInt8RoundedWeights(lowerNetwork(spec, weights.tensors, { softmax: false, name: 'w' })), data.test, trained);
    console.log(`${dir} | ${cells.join(' | ')} | ${pc(wOnly)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
