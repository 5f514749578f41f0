/**
 * int8 calibration through ONNX Runtime: the graph written as a float ONNX model whose outputs are the min and max of
 * every activation tensor (onnxProbeModel: ReduceMin/ReduceMax inside the graph), run once per calibration input. The
 * same ranges as the reference forward pass (src/export/tflite/calibration.ts `calibrate`) to float rounding, at
 * ONNX Runtime's speed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayernasError } from '../core/errors.js';
import { onnxProbeModel } from '../export/onnx/onnx-writer.js';
import type { CalibrationOptions } from '../export/tflite/calibration.js';
import type { ValueRange } from '../export/tflite/quantize.js';
import type { Graph } from '../graph/ir.js';
import { OnnxRuntime } from '../runtime/onnxruntime.js';

export async function calibrateWithOnnxRuntime(graph: Graph, samples: readonly Float32Array[], options: CalibrationOptions = {}): Promise<Map<number, ValueRange>> {
  if (samples.length === 0) throw new LayernasError('USAGE', `int8 calibration of '${graph.name}' needs at least one calibration input`);
  if (graph.inputs.length !== 1) {
    throw new LayernasError('EXPORT_UNSUPPORTED', `int8 calibration supports single-input graphs; '${graph.name}' has ${graph.inputs.length}`);
  }
  const { bytes, probes } = onnxProbeModel(graph);
  const dir = await mkdtemp(join(tmpdir(), 'layernas-calibration-'));
  try {
    const file = join(dir, 'probe.onnx');
    await writeFile(file, bytes);
    const model = await new OnnxRuntime().load(file, { threads: 1 });
    const at = new Map(model.outputs.map((o, k) => [o.name, k]));
    const ranges = new Map<number, ValueRange>();
    const min = new Float64Array(probes.length).fill(Infinity);
    const max = new Float64Array(probes.length).fill(-Infinity);
    for (let s = 0; s < samples.length; s++) {
      const outputs = await model.run([samples[s] as Float32Array]);
      probes.forEach((p, k) => {
        min[k] = Math.min(min[k] as number, (outputs[at.get(p.min) as number] as Float32Array)[0] as number);
        max[k] = Math.max(max[k] as number, (outputs[at.get(p.max) as number] as Float32Array)[0] as number);
      });
      options.onProgress?.(s + 1, samples.length);
    }
    probes.forEach((p, k) => ranges.set(p.id, { min: min[k] as number, max: max[k] as number }));
    await model.dispose();
    return ranges;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
