/** Seeded random valid NetworkSpecs for round-trip and fuzz tests (not a test file itself). */
import { Rng } from '../../src/core/rng.js';
import { irMidChannels } from '../../src/arch/validate.js';
import { NB201_OPS, type Activation, type LayerSpec, type NetworkSpec, type Nb201Op } from '../../src/arch/spec.js';

const ACTS: readonly Activation[] = ['relu', 'relu6', 'hswish', 'none'];
const EXPANSIONS = [1, 2, 2.3, 2.5, 3, 3.67, 4, 4.5, 6];
const SE = [0, 0, 0.25, 0.5];

export function randomNetwork(rng: Rng): NetworkSpec {
  const res = rng.pick([8, 16, 32, 33, 64, 96, 224]);
  const input = { height: res, width: rng.next() < 0.8 ? res : rng.pick([16, 31, 40]), channels: rng.pick([1, 3, 4]) };
  let c = input.channels;
  let spatial = true;
  const layers: LayerSpec[] = [];
  const n = 1 + rng.int(12);
  const stride = (): 1 | 2 => (rng.next() < 0.3 ? 2 : 1);
  for (let i = 0; i < n && spatial; i++) {
    const kind = rng.pick(['conv', 'ir', 'ir', 'skip', 'fmb', 'nb201cell', 'natscell', 'resblock', 'bnact', 'gap'] as const);
    let layer: LayerSpec;
    switch (kind) {
      case 'conv': {
        const groups = c % 2 === 0 && rng.next() < 0.3 ? 2 : 1;
        const out = 8 * (1 + rng.int(8));
        layer = { op: 'conv', kernel: rng.pick([1, 3, 5, 7]), stride: stride(), out, groups, act: rng.pick(ACTS), bn: rng.next() < 0.8 };
        break;
      }
      case 'ir': {
        const expansion = rng.pick(EXPANSIONS);
        const out = 8 * (1 + rng.int(8));
        const mid = irMidChannels(c, expansion);
        const groups = c % 2 === 0 && mid % 2 === 0 && rng.next() < 0.3 ? 2 : 1;
        layer = {
          op: 'ir', kernel: rng.pick([3, 5, 7] as const), stride: stride(), expansion, out, se: rng.pick(SE),
          seGate: rng.pick(['sigmoid', 'hsigmoid'] as const), act: rng.pick(ACTS), groups, skip: rng.next() < 0.7,
        };
        break;
      }
      case 'skip': layer = { op: 'skip', stride: stride(), out: 8 * (1 + rng.int(8)) }; break;
      case 'fmb': layer = { op: 'fmb', kernel: rng.pick([3, 5, 7] as const), stride: stride(), expansion: rng.pick(EXPANSIONS), out: 8 * (1 + rng.int(8)), act: rng.pick(ACTS), skip: rng.next() < 0.7 }; break;
      case 'nb201cell': {
        const edges = Array.from({ length: 6 }, () => rng.pick(NB201_OPS)) as [Nb201Op, Nb201Op, Nb201Op, Nb201Op, Nb201Op, Nb201Op];
        layer = { op: 'nb201cell', edges };
        break;
      }
      case 'natscell': layer = { op: 'natscell', out: 8 * (1 + rng.int(8)) }; break;
      case 'resblock': layer = { op: 'resblock', out: 8 * (1 + rng.int(8)), stride: stride() }; break;
      case 'bnact': layer = { op: 'bnact', act: rng.pick(ACTS) }; break;
      case 'gap': layer = { op: 'gap' }; spatial = false; break;
    }
    layers.push(layer);
    if ('out' in layer) c = layer.out;
  }
  if (!spatial || rng.next() < 0.5) {
    if (spatial) layers.push({ op: 'gap' });
    const fcs = 1 + rng.int(2);
    for (let i = 0; i < fcs; i++) layers.push({ op: 'fc', out: 1 + rng.int(1000), act: rng.pick(ACTS), bias: rng.next() < 0.8 });
  }
  return { input, layers };
}
