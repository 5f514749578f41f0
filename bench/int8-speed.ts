/**
 * Bench (issue 18): the speed of the files layernas ships, side by side, interleaved rounds, medians and ratios.
 *
 *   MobileNetV2-1.0 @224 (zoo spec, seeded weights, our writers): TFLite 2.9 + XNNPack float32 and int8 (int8 pointwise
 *   convolutions on layernas's VNNI kernels at 1 thread; also XNNPack only, what a stock 2.9 runs), ONNX Runtime
 *   float32, at 1 and 2 threads; Google's official uint8 MobileNetV2 (../shared/data/reference-models) on the same
 *   TFLite. The default job's winner (32×32 mobile32 network, results/design/default-job-summary.json): float32 and
 *   int8 TFLite and ONNX Runtime at 1 thread. With --export: the wall time of
 *   `layernas export mobilenet_v2_100 --int8`; with --agreement <dir> (a design's model/
 *   directory): its int8 file's top-1 agreement with its float file on the first 2,000 Fashion-MNIST test images.
 *
 *   npx tsx bench/int8-speed.ts [--rounds 20] [--per-round 3] [--export] [--agreement <model dir>]
 *
 * The machine is shared: every model runs a few invokes per round, all models in every round, so a load change hits
 * all alike; the goals are judged on ratios of medians.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNetwork } from '../src/arch/grammar.js';
import { initWeights } from '../src/arch/weights.js';
import { mobilenetV2 } from '../src/arch/zoo.js';
import type { NetworkSpec } from '../src/arch/spec.js';
import { Rng } from '../src/core/rng.js';
import { buildTflite } from '../src/export/tflite/index.js';
import { writeOnnx } from '../src/export/onnx/onnx-writer.js';
import { lowerNetwork } from '../src/graph/lower.js';
import { OnnxRuntime } from '../src/runtime/onnxruntime.js';
import { TfliteRuntime } from '../src/runtime/tflite.js';
import { median, type LoadedModel, type RuntimeTensorData } from '../src/runtime/types.js';
import { sharedDataDir } from '../src/space/data-files.js';
import { exportWallSeconds, int8Agreement } from './int8-export-figures.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const AGREEMENT_DIR = process.argv.includes('--agreement') ? process.argv[process.argv.indexOf('--agreement') + 1] : undefined;
const ROUNDS = arg('rounds', 20);
const PER_ROUND = arg('per-round', 3);

function randomInput(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => lo + rng.next() * (hi - lo));
}

interface Entry {
  readonly key: string;
  readonly label: string;
  readonly model: LoadedModel;
  readonly input: RuntimeTensorData;
  readonly samples: number[];
}

async function entry(key: string, label: string, model: LoadedModel, input: RuntimeTensorData): Promise<Entry> {
  return { key, label, model, input, samples: [] };
}

/** float32, int8 .tflite and .onnx bytes of a spec with seeded weights */
function filesOf(spec: NetworkSpec, softmax: boolean, calibration: Float32Array[]): { f32: Uint8Array; i8: Uint8Array; onnx: Uint8Array } {
  const graph = lowerNetwork(spec, initWeights(spec, 1).tensors, { softmax });
  return { f32: buildTflite(graph).bytes, i8: buildTflite(graph, { quantization: { calibration } }).bytes, onnx: writeOnnx(graph) };
}

const tflite = new TfliteRuntime({ xnnpack: 'required' });
/** what a stock TFLite 2.9 runs: int8 pointwise convolutions on XNNPack's QS8 kernels, not layernas's VNNI ones */
const tfliteStock = new TfliteRuntime({ xnnpack: 'required', int8Kernels: 'xnnpack' });
const ort = new OnnxRuntime();

async function tfliteEntry(key: string, label: string, bytes: Uint8Array, threads: number, input: RuntimeTensorData, runtime = tflite): Promise<Entry> {
  const m = await runtime.loadBytes(bytes, { threads }, label);
  const d = m.delegation;
  const kept = d ? Object.entries(d.kept).map(([op, n]) => `${op}×${n}`).join(' ') : '';
  const ours = d && d.int8Kernels > 0 ? `, layernas VNNI ${d.int8Kernels} nodes` : '';
  return entry(key, `${label} [${d ? `XNNPack ${d.delegated}/${d.nodes} nodes, ${d.partitions} partition(s)${ours}${kept ? `, TFLite kernels: ${kept}` : ''}` : 'no delegate'}]`, m, input);
}

async function onnxEntry(key: string, label: string, bytes: Uint8Array, threads: number, input: RuntimeTensorData): Promise<Entry> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'layernas-int8-speed-')), 'm.onnx');
  writeFileSync(file, bytes);
  return entry(key, label, await ort.load(file, { threads }), input);
}

const entries: Entry[] = [];
console.log('building models ...');
const mbv2Image = randomInput(224 * 224 * 3, 1, -1, 1);
const mbv2 = filesOf(mobilenetV2(1.0), true, [2, 3, 4, 5].map((s) => randomInput(224 * 224 * 3, s, -1, 1)));
for (const t of [1, 2]) {
  entries.push(await tfliteEntry(`mf${t}`, `MobileNetV2 TFLite float32 ${t}T`, mbv2.f32, t, mbv2Image));
  entries.push(await tfliteEntry(`mq${t}`, `MobileNetV2 TFLite int8 ${t}T`, mbv2.i8, t, mbv2Image));
  entries.push(await onnxEntry(`mo${t}`, `MobileNetV2 ONNX Runtime float32 ${t}T`, mbv2.onnx, t, mbv2Image));
}
entries.push(await tfliteEntry('ms1', 'MobileNetV2 TFLite int8 1T, XNNPack only', mbv2.i8, 1, mbv2Image, tfliteStock));
const google = readFileSync(join(sharedDataDir(), 'reference-models', 'mobilenet_v2_1.0_224_quant.tflite'));
const googleInput = Uint8Array.from(mbv2Image, (v) => Math.round((v + 1) * 127.5));
entries.push(await tfliteEntry('g1', 'Google uint8 MobileNetV2 TFLite 1T', google, 1, googleInput));

const summary = JSON.parse(readFileSync(new URL('../results/design/default-job-summary.json', import.meta.url), 'utf8')) as { winner: { arch: string } };
const winnerSpec = parseNetwork(summary.winner.arch);
const winnerImage = randomInput(32 * 32 * 3, 7, 0, 1);
const winner = filesOf(winnerSpec, false, [8, 9, 10, 11].map((s) => randomInput(32 * 32 * 3, s, 0, 1)));
entries.push(await tfliteEntry('wf1', 'winner 32×32 TFLite float32 1T', winner.f32, 1, winnerImage));
entries.push(await tfliteEntry('wq1', 'winner 32×32 TFLite int8 1T', winner.i8, 1, winnerImage));
entries.push(await tfliteEntry('ws1', 'winner 32×32 TFLite int8 1T, XNNPack only', winner.i8, 1, winnerImage, tfliteStock));
entries.push(await onnxEntry('wo1', 'winner 32×32 ONNX Runtime float32 1T', winner.onnx, 1, winnerImage));

console.log(`timing ${entries.length} models: ${ROUNDS} interleaved rounds × ${PER_ROUND} invokes (after warm-up); machine shared, see ratios`);
for (const e of entries) await e.model.time({ runs: 0, warmup: 5, inputs: [e.input] });
// Between models, a pause: a 2-thread model's thread pool (XNNPack's pthreadpool, ONNX Runtime's) keeps its worker
// spinning for milliseconds after a run, which would steal a core from the next model timed (one process holds all
// the models here; a user's process runs one). One warm-up invoke per model and round refills its caches.
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
for (let r = 0; r < ROUNDS; r++) {
  for (const e of entries) {
    await settle();
    e.samples.push(...await e.model.time({ runs: PER_ROUND, warmup: 1, inputs: [e.input] }));
  }
}
const med: Record<string, number> = {};
for (const e of entries) {
  med[e.key] = median(e.samples);
  console.log(`${(med[e.key] as number).toFixed(3).padStart(8)} ms  ${e.label}`);
}

const m = (k: string): number => med[k] as number;
const goals: [string, number, string, boolean][] = [
  ['MobileNetV2 1T: TFLite float / int8 (speed-up of int8)', m('mf1') / m('mq1'), '>= 1.5', m('mf1') / m('mq1') >= 1.5],
  ['MobileNetV2 1T: TFLite float / ORT float', m('mf1') / m('mo1'), '<= 1.0', m('mf1') / m('mo1') <= 1.0],
  ['MobileNetV2 2T: TFLite float / ORT float', m('mf2') / m('mo2'), '<= 1.0', m('mf2') / m('mo2') <= 1.0],
  ['MobileNetV2 TFLite float 1T / 2T (thread speed-up)', m('mf1') / m('mf2'), '>= 1.4', m('mf1') / m('mf2') >= 1.4],
  ['MobileNetV2 TFLite int8 1T / 2T (thread speed-up)', m('mq1') / m('mq2'), '(info)', true],
  ['MobileNetV2 1T: float / int8 on XNNPack only (stock 2.9)', m('mf1') / m('ms1'), '(info)', true],
  ['Google uint8 / our int8, TFLite 1T', m('g1') / m('mq1'), '>= 5', m('g1') / m('mq1') >= 5],
  ['winner 32×32 1T: TFLite int8 / float', m('wq1') / m('wf1'), '<= 1.0', m('wq1') / m('wf1') <= 1.0],
  ['winner 32×32 1T: TFLite float / ORT float', m('wf1') / m('wo1'), '<= 1.3', m('wf1') / m('wo1') <= 1.3],
  ['winner 32×32 1T: int8 on XNNPack only / float (stock 2.9)', m('ws1') / m('wf1'), '(info)', true],
];
console.log('\nratio of medians                                          value   goal     met');
for (const [what, v, goal, ok] of goals) console.log(`${what.padEnd(56)} ${v.toFixed(2).padStart(6)}   ${goal.padEnd(7)}  ${goal === '(info)' ? '' : ok ? 'yes' : 'NO'}`);
for (const e of entries) await e.model.dispose();


if (flag('export')) {
  const e = exportWallSeconds();
  console.log(`\n\`layernas export mobilenet_v2_100 --int8\`: ${e.seconds.toFixed(1)} s wall (goal <= 20 s: ${e.seconds <= 20 ? 'yes' : 'NO'}); ${e.calibrationLine}`);
}
if (AGREEMENT_DIR) {
  const a = await int8Agreement(AGREEMENT_DIR, 2000);
  const share = a.identical / a.images;
  console.log(`${AGREEMENT_DIR}: int8 vs float32 TFLite top-1 agreement ${(100 * share).toFixed(2)}% on ${a.images} Fashion-MNIST test images (goal >= 99%: ${share >= 0.99 ? 'yes' : 'NO'})`);
}
