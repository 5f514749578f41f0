/**
 * Output agreement across the exported float files: the same seeded input through every float32 model file
 * (TFLite and ONNX) in its runtime; max |difference| relative to the output scale (max |value| of the first).
 * (src/runtime/parity.ts, from the export side, also compares against the reference forward pass.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkSpec } from '../arch/spec.js';
import { readWeights } from '../arch/weights.js';
import { Rng } from '../core/rng.js';
import { lowerNetwork } from '../graph/lower.js';
import { checkParity, type ParityModel } from '../runtime/parity.js';
import { formatOfFile, hostRuntimeFor } from '../platform/host-runtimes.js';

export interface AgreementReport {
  /** 'reference': every file against our reference forward pass (src/runtime/parity.ts, needs the weights);
   *  'cross-format': files against each other (no weights in the export directory) */
  readonly kind: 'reference' | 'cross-format';
  readonly files: readonly string[];
  /** max over outputs of max |a - b| / max(|a|), against the first file */
  readonly maxRelativeDiff: number;
  readonly ok: boolean;
  readonly tolerance: number;
}

export async function crossFormatAgreement(files: readonly string[], threads: number, tolerance = 1e-4): Promise<AgreementReport | null> {
  if (files.length < 2) return null;
  const outputs: Float32Array[] = [];
  for (const file of files) {
    const runtime = hostRuntimeFor(formatOfFile(file));
    const model = await runtime.load(file, { threads });
    try {
      const info = model.inputs[0];
      if (!info || info.dtype !== 'float32') return null;
      const rng = new Rng(7);
      const n = info.shape.reduce((a, b) => a * Math.max(1, b), 1);
      const x = Float32Array.from({ length: n }, () => rng.normal());
      const [y] = await model.run([x]);
      outputs.push(Float32Array.from(y as Float32Array));
    } finally {
      await model.dispose();
    }
  }
  const ref = outputs[0] as Float32Array;
  const scale = Math.max(1e-12, ...Array.from(ref, Math.abs));
  let worst = 0;
  for (const o of outputs.slice(1)) {
    if (o.length !== ref.length) return { kind: 'cross-format', files, maxRelativeDiff: Infinity, ok: false, tolerance };
    for (let i = 0; i < o.length; i++) worst = Math.max(worst, Math.abs((o[i] as number) - (ref[i] as number)) / scale);
  }
  return { kind: 'cross-format', files, maxRelativeDiff: worst, ok: worst <= tolerance, tolerance };
}

/** With weights.json + weights.bin in the export directory: every float file against the reference forward pass. */
export async function referenceParity(dir: string, spec: NetworkSpec, files: readonly string[], threads: number, tolerance = 1e-4): Promise<AgreementReport | null> {
  if (files.length === 0 || !existsSync(join(dir, 'weights.json')) || !existsSync(join(dir, 'weights.bin'))) return null;
  const weights = await readWeights(dir);
  const graph = lowerNetwork(spec, weights.tensors);
  const rng = new Rng(7);
  const input = Float32Array.from({ length: spec.input.height * spec.input.width * spec.input.channels }, () => rng.normal());
  const models: ParityModel[] = files.map((file) => ({
    format: formatOfFile(file),
    file,
    runtime: hostRuntimeFor(formatOfFile(file)),
  }));
  const report = await checkParity(graph, input, models, { threads });
  return { kind: 'reference', files, maxRelativeDiff: report.worstRelDiff, ok: report.worstRelDiff <= tolerance, tolerance };
}
