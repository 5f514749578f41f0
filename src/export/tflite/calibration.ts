/**
 * Calibration for int8 post-training quantization: run the reference forward pass (src/graph/reference.ts) on
 * calibration inputs, record each activation tensor's [min, max], then choose per-tensor int8 parameters that
 * also satisfy TFLite's int8 kernel constraints:
 * - LOGISTIC, SOFTMAX (and our hard-sigmoid, whose output is in [0, 1]) output: scale 1/256, zero point -128;
 * - AVERAGE_POOL_2D / MAX_POOL_2D / RESHAPE output: the same parameters as their input (those int8 kernels
 *   copy quantized values without rescaling); the global pool is written as MEAN in int8, which rescales.
 */
import { LayernasError } from '../../core/errors.js';
import type { Graph } from '../../graph/ir.js';
import { runReference } from '../../graph/reference.js';
import type { QuantParams } from './flatbuffer.js';
import { activationParams, UNIT_INTERVAL_PARAMS, type ValueRange } from './quantize.js';

export interface CalibrationOptions {
  /** called after each calibration input, for progress display */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Activation ranges of every non-constant tensor over the calibration inputs (one Float32Array per sample). */
export function calibrate(graph: Graph, samples: readonly Float32Array[], options: CalibrationOptions = {}): Map<number, ValueRange> {
  if (samples.length === 0) {
    throw new LayernasError('USAGE', `int8 calibration of '${graph.name}' needs at least one calibration input`);
  }
  if (graph.inputs.length !== 1) {
    throw new LayernasError('EXPORT_UNSUPPORTED', `int8 calibration supports single-input graphs; '${graph.name}' has ${graph.inputs.length}`);
  }
  const ranges = new Map<number, { min: number; max: number }>();
  samples.forEach((sample, i) => {
    const { tensors } = runReference(graph, [sample], { collect: true });
    if (!tensors) throw new LayernasError('EXPORT_UNSUPPORTED', 'reference forward pass returned no intermediate tensors');
    for (const [id, values] of tensors) {
      if (graph.tensors[id]?.data) continue;
      let r = ranges.get(id);
      if (!r) {
        r = { min: Infinity, max: -Infinity };
        ranges.set(id, r);
      }
      for (const v of values) {
        if (v < r.min) r.min = v;
        if (v > r.max) r.max = v;
      }
    }
    options.onProgress?.(i + 1, samples.length);
  });
  return ranges;
}

/** Per-tensor int8 parameters of every activation tensor, with the kernel constraints above applied. */
export function planActivationParams(graph: Graph, ranges: ReadonlyMap<number, ValueRange>): Map<number, QuantParams> {
  const params = new Map<number, QuantParams>();
  const fromRange = (id: number): QuantParams => {
    const r = ranges.get(id);
    if (!r || !Number.isFinite(r.min) || !Number.isFinite(r.max)) {
      throw new LayernasError('EXPORT_UNSUPPORTED', `no calibration range for tensor '${graph.tensors[id]?.name ?? id}'`, { tensor: id });
    }
    return activationParams(r);
  };
  for (const id of graph.inputs) params.set(id, fromRange(id));
  for (const op of graph.ops) {
    const out = op.outputs[0] as number;
    const input = op.inputs[0] as number;
    switch (op.type) {
      case 'logistic':
      case 'softmax':
      case 'hard_sigmoid':
        params.set(out, UNIT_INTERVAL_PARAMS);
        break;
      case 'avg_pool2d':
      case 'max_pool2d':
      case 'reshape':
      case 'zeros_like':
        params.set(out, params.get(input) ?? fromRange(input));
        break;
      default:
        params.set(out, fromRange(out));
    }
  }
  return params;
}
