/**
 * Bench: int8 bias correction (src/export/tflite/bias-correction.ts) on trained design runs. For every
 * `<design run>/model` folder given, the int8 TFLite file is rebuilt from its trained weights with the design's
 * calibration (64 training images, seed 0; activation ranges by ONNX Runtime, min/max) twice: as shipped before
 * (trained biases) and with the biases corrected for int8 weight rounding (over the first BIAS_CORRECTION_IMAGES of
 * them, as the export does). Printed: each file's share of test images
 * (2,000) on which it predicts the trained model's class (src/verify/test-agreement.ts; verify asks >= 98% of a
 * deployed int8 file) and of validation images (1,000), and the time the correction took.
 *
 *   npx tsx bench/int8-bias-correction.ts <design run>/model [...]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNetwork } from '../src/arch/grammar.js';
import { readWeights } from '../src/arch/weights.js';
import { loadDataset, parseDatasetRef } from '../src/data/load.js';
import { calibrationInputs } from '../src/design/export-stage.js';
import { BIAS_CORRECTION_IMAGES, biasCorrectedForInt8 } from '../src/export/tflite/bias-correction.js';
import { buildTflite } from '../src/export/tflite/index.js';
import { lowerNetwork } from '../src/graph/lower.js';
import { calibrateWithOnnxRuntime } from '../src/platform/onnx-calibration.js';
import { testAgreement } from '../src/verify/test-agreement.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: npx tsx bench/int8-bias-correction.ts <design run>/model [...]');
const data = loadDataset(parseDatasetRef('fashion-mnist'));
const work = mkdtempSync(join(tmpdir(), 'layernas-int8-bc-'));
const pc = (v: number): string => `${(100 * v).toFixed(2)}%`;
const rows: { test: [number, number] }[] = [];
console.log('model | trained biases: val / test | corrected biases: val / test | correction time');
try {
  for (const dir of dirs) {
    const spec = parseNetwork((JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { arch: string }).arch);
    const weights = await readWeights(dir);
    const graph = lowerNetwork(spec, weights.tensors, { softmax: false, name: 'bc' });
    const calibration = calibrationInputs(data.train, spec, 64, 0);
    const ranges = await calibrateWithOnnxRuntime(graph, calibration);
    const t0 = performance.now();
    const corrected = biasCorrectedForInt8(graph, calibration.slice(0, BIAS_CORRECTION_IMAGES));
    const secs = (performance.now() - t0) / 1000;
    const cells: string[] = [];
    const test: number[] = [];
    for (const [name, g] of [['trained', graph], ['corrected', corrected]] as const) {
      const file = join(work, `${name}.tflite`);
      writeFileSync(file, buildTflite(g, { quantization: { calibration, ranges, io: 'float' } }).bytes);
      const files = [{ file, format: 'tflite-int8' }];
      const val = await testAgreement({ files, spec, weightsDir: dir, testSet: data.validation, images: 1000, deployedFormat: 'tflite-int8' });
      const t = await testAgreement({ files, spec, weightsDir: dir, testSet: data.test, images: 2000, deployedFormat: 'tflite-int8' });
      test.push(t.agreement[0]?.share ?? NaN);
      cells.push(`${pc(val.agreement[0]?.share ?? NaN)} / ${pc(t.agreement[0]?.share ?? NaN)}`);
    }
    rows.push({ test: [test[0] as number, test[1] as number] });
    console.log(`${dir} | ${cells.join(' | ')} | ${secs.toFixed(1)} s`);
  }
  const mean = (k: 0 | 1): number => rows.reduce((a, r) => a + r.test[k], 0) / rows.length;
  const below = (k: 0 | 1): number => rows.filter((r) => r.test[k] < 0.98).length;
  console.log(`test agreement: mean ${pc(mean(0))} -> ${pc(mean(1))}; runs below 98%: ${below(0)} -> ${below(1)} of ${rows.length}; better on ${rows.filter((r) => r.test[1] > r.test[0]).length}, worse on ${rows.filter((r) => r.test[1] < r.test[0]).length}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
