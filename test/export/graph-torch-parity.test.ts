/**
 * Independent check of the lowering's semantics (BN folding, SAME padding, NB201/NATS cells, resblock shortcut, SE
 * gates, hard-swish, layouts): the reference trainer's PyTorch module (trainers/pytorch/layernas_net.py, Debian
 * python3-torch) built from the same spec and weights, run in float64, against our reference forward pass.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { parseNetwork } from '../../src/arch/grammar.js';
import type { NetworkSpec } from '../../src/arch/spec.js';
import { initWeights, writeWeights } from '../../src/arch/weights.js';
import { getZooModel } from '../../src/arch/zoo.js';
import { Rng } from '../../src/core/rng.js';
import { lowerNetwork } from '../../src/graph/lower.js';
import { runReference } from '../../src/graph/reference.js';
import { compareOutputs } from '../../src/runtime/parity.js';
import { randomInput } from './graph-fixtures.js';
import { randomArch, type SpaceName } from './random-archs.js';

const dir = mkdtempSync(join(tmpdir(), 'layernas-torch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import json, sys
import numpy as np, torch
sys.path.insert(0, sys.argv[1])
from layernas_net import Network
torch.set_num_threads(1)
for case in json.load(open(sys.argv[2])):
    net = Network(case['spec']).double().eval()
    header = json.load(open(case['weights'] + '/weights.json'))
    raw = np.fromfile(case['weights'] + '/weights.bin', dtype='<f4')
    state = {t['name']: torch.from_numpy(raw[t['offset'] // 4:(t['offset'] + t['byteLength']) // 4].astype(np.float64).reshape(t['shape'])) for t in header['tensors']}
    missing, unexpected = net.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith('num_batches_tracked')]
    # the trainer gives a BN-less conv a bias; layernas' parameter list (like NAS-Bench-201) has none: zero = absent
    for m in [m for m in missing if m.endswith('.bias')]:
        net.get_parameter(m).data.zero_()
        print('zero-filled', m, file=sys.stderr)
    missing = [m for m in missing if not m.endswith('.bias')]
    assert not missing and not unexpected, (missing, unexpected)
    s = case['spec']['input']
    x = np.fromfile(case['input'], dtype='<f4').astype(np.float64).reshape(1, s['height'], s['width'], s['channels'])
    with torch.no_grad():
        y = net(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous())
    y.numpy().astype('<f4').tofile(case['output'])
print('ok')
`;

test('PyTorch reference trainer module (float64) and our lowered graph agree ≤ 1e-4 on zoo and random archs', async () => {
  const rng = new Rng(4242);
  const specs: NetworkSpec[] = [getZooModel('mobilenet_v3_small_100', { input: 64 }), getZooModel('mobilenet_v2_100', { input: 64 })];
  // fused MBConv (src/arch/kinds/fmb.ts): residual, stride 2 + hard-swish, e1, noskip
  specs.push({ ...parseNetwork('in17x17x3/conv_k3_s1_c8/fmb_k3_s1_e4_c8/fmb_k5_s2_e2.5_c16_hs/fmb_k3_s1_e1_c16/fmb_k7_s1_e2_c24_noskip_relu/gap/fc_c6'), name: 'fmb' });
  for (const space of ['nb201', 'nats_sss', 'fbnet', 'mobilenetv2'] as SpaceName[]) for (let k = 0; k < 4; k++) specs.push(randomArch(space, rng));
  const cases = await Promise.all(specs.map(async (spec, i) => {
    const weights = initWeights(spec, 100 + i);
    const wdir = join(dir, `w${i}`);
    await writeWeights(wdir, weights);
    const input = randomInput(i, spec.input.height * spec.input.width * spec.input.channels);
    writeFileSync(join(dir, `x${i}.bin`), input);
    return { spec, weights, input, json: { spec, weights: wdir, input: join(dir, `x${i}.bin`), output: join(dir, `y${i}.bin`) } };
  }));
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases.map((c) => c.json)));
  const out = execFileSync('/usr/bin/python3', ['-c', SCRIPT, resolve('trainers/pytorch'), join(dir, 'cases.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, /ok/);
  cases.forEach((c, i) => {
    const ours = runReference(lowerNetwork(c.spec, c.weights.tensors), c.input).outputs[0] as Float32Array;
    const buf = readFileSync(c.json.output);
    const torchOut = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const cmp = compareOutputs(torchOut, ours);
    assert.ok(cmp.relDiff <= 1e-4, `${c.spec.name} (#${i}): rel diff ${cmp.relDiff.toExponential(2)}`);
  });
});
