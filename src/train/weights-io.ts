/** In-process network <-> layernas weights file (docs/weights-format.md), names and layouts of listParameters. */
import { formatNetwork } from '../arch/grammar.js';
import { listParameters } from '../arch/params.js';
import { readWeights, validateWeights, writeWeights, type Weights, type WeightTensor } from '../arch/weights.js';
import { LayernasError } from '../core/errors.js';
import { assignTorchValues, torchShapeOf, torchValues } from './params.js';
import type { TrainableNetwork } from './network.js';

/**
 * Check the network's parameters are exactly listParameters(spec): same names, order and PyTorch shapes.
 * A mismatch is a bug in the trainer's builder, reported with the first differing tensor.
 */
export function checkParameterList(net: TrainableNetwork): void {
  const expected = listParameters(net.spec);
  const have = net.store.params;
  const n = Math.max(expected.length, have.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i], h = have[i];
    const hs = h ? torchShapeOf(h) : [];
    if (!e || !h || e.name !== h.name || e.trainable !== h.trainable || e.shape.join('x') !== hs.join('x')) {
      throw new LayernasError('WEIGHTS_INVALID', `trainer parameter #${i} is ${h ? `${h.name} [${hs}]` : 'missing'}, listParameters has ${e ? `${e.name} [${e.shape}]` : 'nothing'}`, {
        index: i, trainer: h?.name, expected: e?.name,
      });
    }
  }
}

/** The network's current values as a Weights object (PyTorch layouts, listParameters order). */
export function networkWeights(net: TrainableNetwork): Weights {
  const tensors = new Map<string, WeightTensor>();
  for (const p of net.store.params) tensors.set(p.name, { shape: torchShapeOf(p), data: torchValues(p) });
  validateWeights(net.spec, tensors);
  return { arch: formatNetwork(net.spec), tensors };
}

export async function saveNetworkWeights(net: TrainableNetwork, dir: string): Promise<void> {
  await writeWeights(dir, networkWeights(net));
}

/** Load a weights object into the network (validated against the spec first). */
export function loadNetworkWeights(net: TrainableNetwork, weights: Weights): void {
  validateWeights(net.spec, weights.tensors);
  for (const p of net.store.params) assignTorchValues(p, (weights.tensors.get(p.name) as WeightTensor).data);
}

export async function readNetworkWeights(net: TrainableNetwork, dir: string): Promise<void> {
  loadNetworkWeights(net, await readWeights(dir));
}
