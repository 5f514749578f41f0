/** Random architectures of each search space, built with the zoo builders (deterministic per seed). */
import { Rng } from '../../src/core/rng.js';
import { fbnetNetwork, FBNET_LAYERS, nb201Network, natsSssNetwork } from '../../src/arch/zoo.js';
import { NB201_OPS, type Activation, type LayerSpec, type NetworkSpec } from '../../src/arch/spec.js';

export type SpaceName = 'nb201' | 'nats_sss' | 'fbnet' | 'mobilenetv2';

export function randomNb201(rng: Rng): NetworkSpec {
  const ops = Array.from({ length: 6 }, () => rng.pick(NB201_OPS));
  const arch = `|${ops[0]}~0|+|${ops[1]}~0|${ops[2]}~1|+|${ops[3]}~0|${ops[4]}~1|${ops[5]}~2|`;
  return nb201Network(arch);
}

export function randomNats(rng: Rng): NetworkSpec {
  return natsSssNetwork(Array.from({ length: 5 }, () => 8 * (1 + rng.int(8))));
}

export function randomFbnet(rng: Rng): NetworkSpec {
  return fbnetNetwork(Array.from({ length: FBNET_LAYERS }, () => rng.int(9)));
}

/** MobileNetV2-style: stem, 6..10 random ir blocks (k 3/5/7, e 1/3/6, SE, act), head, gap, fc — at 32x32 */
export function randomMobilenet(rng: Rng): NetworkSpec {
  const acts: Activation[] = ['relu', 'relu6', 'hswish'];
  const layers: LayerSpec[] = [{ op: 'conv', kernel: 3, stride: 2, out: 16, groups: 1, act: rng.pick(acts), bn: true }];
  const n = 6 + rng.int(5);
  let c = 16;
  for (let i = 0; i < n; i++) {
    const stride = rng.next() < 0.3 ? 2 : 1;
    const out = rng.next() < 0.5 ? c : 8 * (2 + rng.int(6));
    layers.push({
      op: 'ir', kernel: rng.pick([3, 5, 7] as const), stride, expansion: rng.pick([1, 3, 6]), out,
      se: rng.next() < 0.4 ? 0.25 : 0, seGate: rng.pick(['sigmoid', 'hsigmoid'] as const), act: rng.pick(acts), groups: 1, skip: rng.next() < 0.8,
    });
    c = out;
  }
  layers.push({ op: 'conv', kernel: 1, stride: 1, out: 64, groups: 1, act: rng.pick(acts), bn: true }, { op: 'gap' },
    { op: 'fc', out: 10, act: 'none', bias: true });
  return { name: `mbv2_random`, input: { height: 32, width: 32, channels: 3 }, layers };
}

export function randomArch(space: SpaceName, rng: Rng): NetworkSpec {
  switch (space) {
    case 'nb201': return randomNb201(rng);
    case 'nats_sss': return randomNats(rng);
    case 'fbnet': return randomFbnet(rng);
    case 'mobilenetv2': return randomMobilenet(rng);
  }
}
