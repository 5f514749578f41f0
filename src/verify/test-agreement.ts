/**
 * Test agreement of exported files with the trained model: the trained weights loaded into the in-process tfjs
 * network (eval mode) give the trained model's own class for each of the first `images` test images; every exported
 * file is run on the same images and must predict the same class on a minimum share of them (float files 99.5%,
 * int8 files 98%). `design`'s verify stage and `layernas verify <design run>` both judge this way. Only the file
 * the target ships (its format and precision) decides the verdict; the other files' checks are advisory: a shortfall
 * is reported as a warning naming the file (the deployed artifact is the truth).
 */
import path from 'node:path';
import type { NetworkSpec } from '../arch/spec.js';
import { readWeights } from '../arch/weights.js';
import { InputConverter } from '../data/batches.js';
import type { ImageSet } from '../data/types.js';
import { formatOfFile, hostRuntimeFor } from '../platform/host-runtimes.js';
import { argmax } from '../runtime/parity.js';
import { selectTrainingBackend } from '../train/backend.js';
import { buildNetwork } from '../train/network.js';
import { predictLogits } from '../train/trainer.js';
import { loadNetworkWeights } from '../train/weights-io.js';
import { agreementCheck, type VerifyCheck } from './checks.js';

/** minimum share of test images on which an exported file predicts the trained model's class */
export const AGREEMENT_MINIMUM = { int8: 0.98, float: 0.995 } as const;

export interface Agreement {
  readonly file: string;
  readonly format: string;
  readonly images: number;
  readonly identical: number;
  readonly share: number;
  readonly testAccuracy: number;
}

export interface TestAgreementRequest {
  /** exported files with their '<format>-<precision>' */
  readonly files: readonly { readonly file: string; readonly format: string }[];
  readonly spec: NetworkSpec;
  /** the trained weights (weights.json + weights.bin) */
  readonly weightsDir: string;
  readonly testSet: ImageSet;
  readonly images: number;
  /** '<format>-<precision>' of the file the target ships (its check decides); null: every file decides */
  readonly deployedFormat: string | null;
  readonly onFile?: (a: Agreement) => void;
}

export interface TestAgreement {
  /** test accuracy of the trained model on the same images */
  readonly trainedAccuracy: number;
  readonly images: number;
  readonly agreement: readonly Agreement[];
  readonly checks: readonly VerifyCheck[];
}

/** Argmax of `predict` over the first `count` images of a set, in batches. */
export function predictSet(set: ImageSet, count: number, input: NetworkSpec['input'], predict: (x: Float32Array, n: number) => Float32Array, batch = 128): Int32Array {
  const conv = new InputConverter(set, input);
  const total = Math.min(count, set.count);
  const out = new Int32Array(total);
  for (let start = 0; start < total; start += batch) {
    const n = Math.min(batch, total - start);
    const x = new Float32Array(n * conv.perImage);
    for (let i = 0; i < n; i++) conv.convertInto(set, start + i, x, i * conv.perImage);
    const logits = predict(x, n);
    const classes = logits.length / n;
    for (let i = 0; i < n; i++) out[start + i] = argmax(logits.subarray(i * classes, (i + 1) * classes));
  }
  return out;
}

/** The trained model's predictions on the first `count` test images: its weights in the tfjs network, eval mode. */
export async function trainedModelPredictions(spec: NetworkSpec, weightsDir: string, set: ImageSet, count: number): Promise<Int32Array> {
  await selectTrainingBackend('auto');
  const net = buildNetwork(spec, 0);
  try {
    loadNetworkWeights(net, await readWeights(weightsDir));
    return predictSet(set, count, spec.input, (x, n) => predictLogits(net, x, n));
  } finally {
    net.dispose();
  }
}

/** Agreement of one model file with the trained model's predictions `trained` on the first `n` images of `set`. */
export async function agreementOf(file: string, format: string, set: ImageSet, trained: Int32Array, n: number): Promise<Agreement> {
  const model = await hostRuntimeFor(formatOfFile(file)).load(file, { threads: 1 });
  try {
    const shape = model.inputs[0]?.shape ?? [];
    const conv = new InputConverter(set, { height: shape[1] as number, width: shape[2] as number, channels: shape[3] as number });
    const x = new Float32Array(conv.perImage);
    let identical = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      conv.convertInto(set, i, x, 0);
      const [y] = await model.run([x]);
      const best = argmax(y as Float32Array);
      if (best === trained[i]) identical++;
      if (best === set.labels[i]) correct++;
    }
    return { file: path.basename(file), format, images: n, identical, share: identical / n, testAccuracy: correct / n };
  } finally {
    await model.dispose();
  }
}

/** one check per file against its minimum; advisory unless it is the deployed file (or none is named) */
export function agreementChecks(agreement: readonly Agreement[], deployedFormat: string | null): VerifyCheck[] {
  return agreement.map((a) => {
    const c = agreementCheck(a.file, a.share, a.format.endsWith('int8') ? AGREEMENT_MINIMUM.int8 : AGREEMENT_MINIMUM.float, a.images);
    return deployedFormat === null || a.format === deployedFormat ? c : { ...c, advisory: true };
  });
}

export async function testAgreement(req: TestAgreementRequest): Promise<TestAgreement> {
  const n = Math.min(req.images, req.testSet.count);
  const trained = await trainedModelPredictions(req.spec, req.weightsDir, req.testSet, n);
  const trainedAccuracy = trained.reduce((s, p, i) => s + (p === req.testSet.labels[i] ? 1 : 0), 0) / n;
  const agreement: Agreement[] = [];
  for (const f of req.files) {
    const a = await agreementOf(f.file, f.format, req.testSet, trained, n);
    agreement.push(a);
    req.onFile?.(a);
  }
  return { trainedAccuracy, images: n, agreement, checks: agreementChecks(agreement, req.deployedFormat) };
}
