/**
 * int8 calibration through ONNX Runtime (src/platform/onnx-calibration.ts) gives the activation ranges of the reference
 * forward pass (src/export/tflite/calibration.ts) for every activation tensor of the graph, so the int8 files are the
 * same whichever computed them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNetwork } from '../../src/arch/grammar.js';
import { initWeights } from '../../src/arch/weights.js';
import { Rng } from '../../src/core/rng.js';
import { calibrate } from '../../src/export/tflite/calibration.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { calibrateWithOnnxRuntime } from '../../src/platform/onnx-calibration.js';

const ARCHS = [
  'in32x32x3/conv_k3_s2_c16/ir_k3_s1_e1_c16/ir_k5_s2_e6_c24/ir_k5_s1_e6_c24/conv_k1_s1_c64/gap/fc_c10',
  'in24x24x3/conv_k3_s1_c8_hswish/ir_k3_s2_e4_c16_se0.25_hswish/ir_k5_s1_e4_c16_se0.25/gap/fc_c5',
];

for (const arch of ARCHS) {
  test(`ONNX Runtime calibration = reference calibration: ${arch}`, async () => {
    const spec = parseNetwork(arch);
    const graph = lowerNetwork(spec, initWeights(spec, 2).tensors, { softmax: true });
    const rng = new Rng(9);
    const n = spec.input.height * spec.input.width * spec.input.channels;
    const samples = Array.from({ length: 3 }, () => { const x = new Float32Array(n); for (let i = 0; i < n; i++) x[i] = rng.next(); return x; });
    const ref = calibrate(graph, samples);
    const ort = await calibrateWithOnnxRuntime(graph, samples);
    assert.deepEqual([...ort.keys()].sort((a, b) => a - b), [...ref.keys()].sort((a, b) => a - b), 'the same tensors are calibrated');
    for (const [id, r] of ref) {
      const o = ort.get(id) as { min: number; max: number };
      const tol = 1e-4 * Math.max(1, r.max - r.min);
      assert.ok(Math.abs(o.min - r.min) <= tol && Math.abs(o.max - r.max) <= tol,
        `${graph.tensors[id]?.name}: ONNX Runtime [${o.min}, ${o.max}] vs reference [${r.min}, ${r.max}]`);
    }
  });
}
