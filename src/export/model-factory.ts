/**
 * Spec -> model bytes for measuring: deterministic random weights (initWeights), lowering, and our TFLite / ONNX
 * writers. int8 TFLite is calibrated on a few seeded random-normal inputs (latency does not depend on accuracy).
 */
import type { NetworkSpec } from '../arch/spec.js';
import { initWeights } from '../arch/weights.js';
import { Rng } from '../core/rng.js';
import type { Graph } from '../graph/ir.js';
import { lowerNetwork } from '../graph/lower.js';
import { writeOnnx } from './onnx/onnx-writer.js';
import { writeTflite } from './tflite/index.js';
import type { Precision } from '../targets/schema.js';

export type ModelFormat = 'tflite' | 'onnx';

export interface BuildOptions {
  /**
   * 'block': a one-block model for profiling; its edges stand for internal tensors of a network, so the ONNX file
   * keeps the NCHW layout at its edges (no boundary Transposes a real network has only once). 'network' (default):
   * the layout of an exported model.
   */
  readonly role?: 'block' | 'network';
}

export interface ModelFactory {
  build(spec: NetworkSpec, format: ModelFormat, precision: Precision, options?: BuildOptions): Uint8Array;
}

function randomInputs(spec: NetworkSpec, count: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  const n = spec.input.height * spec.input.width * spec.input.channels;
  return Array.from({ length: count }, () => Float32Array.from({ length: n }, () => rng.normal()));
}

type Writer = (graph: Graph, spec: NetworkSpec, precision: Precision, options: BuildOptions, seed: number) => Uint8Array;

const WRITERS: Readonly<Record<ModelFormat, Writer>> = {
  onnx: (graph, _spec, _precision, options) => writeOnnx(graph, { interface: options.role === 'block' ? 'nchw' : 'nhwc' }),
  tflite: (graph, spec, precision, _options, seed) => (precision === 'float32'
    ? writeTflite(graph)
    : writeTflite(graph, { quantization: { calibration: randomInputs(spec, 4, seed) } })),
};

export class ExporterModelFactory implements ModelFactory {
  constructor(private readonly seed = 1) {}

  build(spec: NetworkSpec, format: ModelFormat, precision: Precision, options: BuildOptions = {}): Uint8Array {
    const graph = lowerNetwork(spec, initWeights(spec, this.seed).tensors);
    return WRITERS[format](graph, spec, precision, options, this.seed);
  }
}
