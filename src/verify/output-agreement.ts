/**
 * Output agreement across the exported float files: the same seeded input through every float32 model file
 * (TFLite and ONNX) in its runtime; max |difference| relative to the output scale (max |value| of the first).
 * (src/verify/parity.ts, from the export side, also compares against the reference forward pass.)
 */
import { Rng } from '../core/rng.js';
import { OnnxRuntime } from '../runtime/onnxruntime.js';
import { TfliteRuntime } from '../runtime/tflite.js';
import type { ModelRuntime } from '../runtime/types.js';

export interface AgreementReport {
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
    const runtime: ModelRuntime = file.endsWith('.onnx') ? new OnnxRuntime() : new TfliteRuntime({ xnnpack: 'auto' });
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
    if (o.length !== ref.length) return { files, maxRelativeDiff: Infinity, ok: false, tolerance };
    for (let i = 0; i < o.length; i++) worst = Math.max(worst, Math.abs((o[i] as number) - (ref[i] as number)) / scale);
  }
  return { files, maxRelativeDiff: worst, ok: worst <= tolerance, tolerance };
}
