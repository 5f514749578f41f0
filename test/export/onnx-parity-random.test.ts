/**
 * 50 random architectures of each search space: export to ONNX, pass onnx.checker (full_check), run in ONNX Runtime,
 * agree with the reference forward pass to ≤ 1e-4 of the output scale.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { initWeights } from '../../src/arch/weights.js';
import { Rng } from '../../src/core/rng.js';
import { writeOnnx } from '../../src/export/onnx/onnx-writer.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { OnnxRuntime } from '../../src/runtime/onnxruntime.js';
import { checkParity } from '../../src/runtime/parity.js';
import { randomInput } from './graph-fixtures.js';
import { checkOnnxFiles } from './onnx-checker.js';
import { randomArch, type SpaceName } from './random-archs.js';

const COUNT = Number(process.env.LAYERNAS_PARITY_COUNT ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'layernas-parity-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ort = new OnnxRuntime();

for (const space of ['nb201', 'nats_sss', 'fbnet', 'mobilenetv2'] as SpaceName[]) {
  test(`${COUNT} random ${space} architectures: ONNX checker + ORT vs reference ≤ 1e-4`, async () => {
    const rng = new Rng(0x5eed + space.length * 7919);
    const files: string[] = [];
    let worst = 0;
    for (let k = 0; k < COUNT; k++) {
      const spec = randomArch(space, rng);
      const graph = lowerNetwork(spec, initWeights(spec, k).tensors);
      const file = join(dir, `${space}-${k}.onnx`);
      writeFileSync(file, writeOnnx(graph));
      files.push(file);
      const input = randomInput(k, spec.input.height * spec.input.width * spec.input.channels);
      const report = await checkParity(graph, input, [{ format: 'onnx', file, runtime: ort }]);
      const e = report.entries[0];
      assert.ok(e && e.relDiff <= 1e-4, `${space} #${k} ${spec.name}: rel diff ${e?.relDiff} (scale ${e?.scale})`);
      assert.ok(e.scale > 1e-6, `${space} #${k}: degenerate all-zero output`);
      worst = Math.max(worst, e.relDiff);
    }
    assert.match(checkOnnxFiles(files), new RegExp(`^ok ${COUNT}`));
    for (const f of files) rmSync(f);
    console.log(`# ${space}: ${COUNT} archs, worst rel diff ${worst.toExponential(2)}`);
  });
}
