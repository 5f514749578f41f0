/**
 * Bench: where a trained run's int8 disagreement comes from (session 15, j31: the int8 FBNet file agreed with the
 * trained model on 97.70% of the test images, < the 98% verify asks). The float graph is written as an ONNX QDQ
 * model with per-tensor int8 activations (the export's own calibration: 64 training images, minmax, ONNX Runtime)
 * on only some tensors, the weights float, and run by ONNX Runtime on the first 2,000 test images; each line is the
 * share of images on which it predicts the trained model's class (src/verify/test-agreement.ts):
 *  - float / weights rounded to int8 as the export rounds them / all activations quantized / both;
 *  - one block's activations alone (plus the graph input and the logits alone): which tensors flip predictions;
 *  - blocks 0..k together: whether the loss accumulates or sits in a few places.
 *
 *   npx tsx bench/int8-sensitivity.ts <design run>/model [--images 2000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseNetwork } from '../src/arch/grammar.js';
import { readWeights } from '../src/arch/weights.js';
import { loadDataset, parseDatasetRef } from '../src/data/load.js';
import { calibrationInputs } from '../src/design/export-stage.js';
import { withInt8RoundedWeights } from '../src/export/tflite/bias-correction.js';
import { planActivationParams } from '../src/export/tflite/calibration.js';
import { writeOnnx } from '../src/export/onnx/onnx-writer.js';
import type { Graph } from '../src/graph/ir.js';
import { lowerNetwork } from '../src/graph/lower.js';
import { calibrateWithOnnxRuntime } from '../src/platform/onnx-calibration.js';
import { agreementOf, trainedModelPredictions } from '../src/verify/test-agreement.js';

const { values: o, positionals } = parseArgs({ allowPositionals: true, options: { images: { type: 'string', default: '2000' } } });
const dir = positionals[0];
if (!dir) throw new Error('usage: npx tsx bench/int8-sensitivity.ts <design run>/model [--images 2000]');
const spec = parseNetwork((JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { arch: string }).arch);
const weights = await readWeights(dir);
const graph = lowerNetwork(spec, weights.tensors, { softmax: false, name: 'sensitivity' });
const data = loadDataset(parseDatasetRef('fashion-mnist'));
const acts = planActivationParams(graph, await calibrateWithOnnxRuntime(graph, calibrationInputs(data.train, spec, 64, 0)));
const n = Math.min(Number(o.images), data.test.count);
const trained = await trainedModelPredictions(spec, dir, data.test, n);
const work = mkdtempSync(join(tmpdir(), 'layernas-int8-sensitivity-'));

/** agreement of `g` with the trained model, activations quantized on the tensors `ids` only (null: none) */
async function agreement(g: Graph, ids: ReadonlySet<number> | null): Promise<number> {
  const file = join(work, 'model.onnx');
  writeFileSync(file, writeOnnx(g, ids ? { int8Activations: new Map([...acts].filter(([id]) => ids.has(id))) } : {}));
  return (await agreementOf(file, 'onnx', data.test, trained, n)).share;
}

const pc = (v: number): string => `${(100 * v).toFixed(2)}%`;
// a tensor's block: the layer index of its name (l<k>.…), else its own name (the graph input, the logits)
const blockOf = (id: number): string => {
  const name = graph.tensors[id]?.name ?? String(id);
  return /^l(\d+)\./.exec(name)?.[1] ?? name;
};
const blocks = [...new Set([...acts.keys()].map(blockOf))];
const tensorsOf = (names: readonly string[]): Set<number> => new Set([...acts.keys()].filter((id) => names.includes(blockOf(id))));
try {
  const rounded = withInt8RoundedWeights(graph);
  const all = new Set(acts.keys());
  console.log(`${dir}: ${n} test images, agreement with the trained model`);
  console.log(`float ${pc(await agreement(graph, null))} | weights rounded ${pc(await agreement(rounded, null))} | all activations ${pc(await agreement(graph, all))} | both ${pc(await agreement(rounded, all))}`);
  const alone: string[] = [];
  for (const b of blocks) alone.push(`${b} ${pc(await agreement(graph, tensorsOf([b])))}`);
  console.log(`one block's activations alone: ${alone.join(', ')}`);
  const upTo: string[] = [];
  for (let k = 0; k < blocks.length; k += 3) upTo.push(`..${blocks[k]} ${pc(await agreement(graph, tensorsOf(blocks.slice(0, k + 1))))}`);
  console.log(`blocks from the input up to k: ${upTo.join(', ')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
