/**
 * Output parity: run one input through the reference forward pass and through every exported model file in its
 * runtime, and report max |Δ| relative to the output scale (max |reference output|).
 */
import { LayernasError } from '../core/errors.js';
import type { Graph } from '../graph/ir.js';
import { runReference } from '../graph/reference.js';
import type { ModelRuntime, RuntimeTensorData } from './types.js';

export interface OutputComparison {
  readonly maxAbsDiff: number;
  /** max |reference| over the output (floored at 1e-12) */
  readonly scale: number;
  /** maxAbsDiff / scale */
  readonly relDiff: number;
  /** index of the largest value agrees */
  readonly argmaxAgrees: boolean;
}

/** index of the largest value (the first one on ties) */
export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if ((a[i] as number) > (a[best] as number)) best = i;
  return best;
}

export function compareOutputs(reference: ArrayLike<number>, actual: ArrayLike<number>): OutputComparison {
  if (reference.length !== actual.length) {
    throw new LayernasError('VERIFY_FAILED', `output has ${actual.length} values, the reference has ${reference.length}`);
  }
  let maxAbsDiff = 0;
  let scale = 1e-12;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] as number;
    const d = Math.abs(r - (actual[i] as number));
    maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
    scale = Math.max(scale, Math.abs(r));
  }
  return { maxAbsDiff, scale, relDiff: maxAbsDiff / scale, argmaxAgrees: argmax(reference) === argmax(actual) };
}

export interface ParityModel {
  /** label in the report, e.g. 'onnx', 'tflite-float32', 'tfjs' */
  readonly format: string;
  readonly file: string;
  readonly runtime: ModelRuntime;
  /** intra-op threads for this model (default: the checkParity option) */
  readonly threads?: number;
  /** for models whose input is not float32 (int8 TFLite): float input → model input */
  readonly prepareInput?: (x: Float32Array) => RuntimeTensorData;
  /** for models whose output is not float32: model output → float values */
  readonly readOutput?: (y: RuntimeTensorData) => Float32Array;
}

export interface ParityEntry extends OutputComparison {
  readonly format: string;
  readonly threads: number;
  readonly file: string;
}

export interface ParityReport {
  readonly entries: readonly ParityEntry[];
  /** worst relDiff over all entries */
  readonly worstRelDiff: number;
}

function asFloat(y: RuntimeTensorData, format: string): Float32Array {
  if (y instanceof Float32Array) return y;
  throw new LayernasError('VERIFY_FAILED', `${format}: output is ${y.constructor.name}, give readOutput to dequantize it`);
}

/** reference outputs already computed, per graph and input array (an export checks several files on one input) */
const referenceCache = new WeakMap<Graph, WeakMap<Float32Array, Float32Array | undefined>>();

function referenceOutput(graph: Graph, input: Float32Array): Float32Array | undefined {
  let byInput = referenceCache.get(graph);
  if (!byInput) referenceCache.set(graph, (byInput = new WeakMap()));
  if (!byInput.has(input)) byInput.set(input, runReference(graph, input).outputs[0]);
  return byInput.get(input);
}

/** Run `input` (NHWC float32) through the reference and every model; the first graph output is compared. */
export async function checkParity(graph: Graph, input: Float32Array, models: readonly ParityModel[], options: { threads: number } = { threads: 1 }): Promise<ParityReport> {
  const reference = referenceOutput(graph, input);
  if (!reference) throw new LayernasError('VERIFY_FAILED', `graph '${graph.name}' has no output`);
  const entries: ParityEntry[] = [];
  for (const m of models) {
    const loaded = await m.runtime.load(m.file, { threads: m.threads ?? options.threads });
    try {
      const x = m.prepareInput ? m.prepareInput(input) : input;
      const outs = await loaded.run([x]);
      const first = outs[0];
      if (!first) throw new LayernasError('VERIFY_FAILED', `${m.format} model ${m.file} returned no output`);
      const y = m.readOutput ? m.readOutput(first) : asFloat(first, m.format);
      entries.push({ format: m.format, file: m.file, threads: m.threads ?? options.threads, ...compareOutputs(reference, y) });
    } finally {
      await loaded.dispose();
    }
  }
  return { entries, worstRelDiff: entries.reduce((w, e) => Math.max(w, e.relDiff), 0) };
}

/** Throws VERIFY_FAILED naming the format when any entry exceeds `tolerance` (relative to output scale). */
export function assertParity(report: ParityReport, tolerance: number): void {
  const bad = report.entries.find((e) => !(e.relDiff <= tolerance));
  if (bad) {
    throw new LayernasError('VERIFY_FAILED', `${bad.format} (${bad.file}) differs from the reference by ${bad.maxAbsDiff.toExponential(3)} ` +
      `(${bad.relDiff.toExponential(3)} of output scale ${bad.scale.toPrecision(4)}), tolerance ${tolerance}`, { ...bad });
  }
}
