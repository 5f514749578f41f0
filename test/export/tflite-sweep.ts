/**
 * Parity sweep shared by test/export/tflite-zoo.test.ts (small sample) and bench/tflite-parity-sweep.ts (the
 * issue's full sweep): zoo networks and random architectures of every built-in search space → lowerNetwork with
 * deterministic weights → writeTflite → TFLite (XNNPack) vs the reference forward pass.
 */
import type { NetworkSpec } from '../../src/arch/spec.js';
import { initWeights } from '../../src/arch/weights.js';
import { getZooModel, zooNames } from '../../src/arch/zoo.js';
import { Rng } from '../../src/core/rng.js';
import { buildTflite, writeTflite } from '../../src/export/tflite/index.js';
import type { Graph } from '../../src/graph/ir.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { runReference } from '../../src/graph/reference.js';
import { TfliteRuntime } from '../../src/runtime/tflite.js';
import { BUILTIN_SPACES, loadSpace } from '../../src/space/load.js';
import { decodeArch } from '../../src/space/decode.js';
import { decodeNetwork } from '../../src/space/network.js';
import { randomInput, relativeMaxError } from './tflite-fixtures.js';

export interface SweepCase {
  readonly label: string;
  readonly spec: NetworkSpec;
}

export interface SweepResult {
  readonly label: string;
  readonly floatError: number;
  /** int8 model (calibrated on 2 random inputs, one of them the test input): max |Δ| of the logits relative to
   *  their scale, when int8 was checked (random-weight networks: informative, not a quality goal) */
  readonly int8Error?: number;
}

/** the spec at another square input resolution (same layers) */
export function atResolution(spec: NetworkSpec, res: number | undefined): NetworkSpec {
  return res === undefined ? spec : { ...spec, input: { ...spec.input, height: res, width: res } };
}

export function zooCases(res?: (name: string) => number | undefined): SweepCase[] {
  return zooNames().map((name) => ({ label: `zoo ${name}`, spec: atResolution(getZooModel(name), res?.(name)) }));
}

export function spaceCases(perSpace: number, seed: number, res?: (space: string) => number | undefined): SweepCase[] {
  const rng = new Rng(seed);
  return BUILTIN_SPACES.flatMap((name) => {
    const space = loadSpace(name);
    return Array.from({ length: perSpace }, () => {
      const dna = space.radix.map((r) => rng.int(r));
      return { label: `${name} ${decodeArch(space, dna)}`, spec: atResolution(decodeNetwork(space, dna), res?.(name)) };
    });
  });
}

export async function checkCase(c: SweepCase, runtime: TfliteRuntime, int8: boolean): Promise<SweepResult> {
  const graph: Graph = lowerNetwork(c.spec, initWeights(c.spec, 17).tensors, { softmax: false });
  const shape = [1, c.spec.input.height, c.spec.input.width, c.spec.input.channels];
  const x = randomInput(shape, 23);
  const ref = runReference(graph, x).outputs[0] as Float32Array;
  const model = await runtime.loadBytes(writeTflite(graph), { threads: 1 }, c.label);
  const [out] = await model.run([x]);
  await model.dispose();
  const floatError = relativeMaxError(out as Float32Array, ref);
  if (!int8) return { label: c.label, floatError };
  const q = buildTflite(graph, { quantization: { calibration: [randomInput(shape, 31), x] } });
  const qm = await runtime.loadBytes(q.bytes, { threads: 1 }, `${c.label} int8`);
  const [qo] = await qm.run([x]);
  await qm.dispose();
  return { label: c.label, floatError, int8Error: relativeMaxError(qo as Float32Array, ref) };
}
