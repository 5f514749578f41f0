/**
 * The FBNet space skeleton of HW-NAS-Bench's CIFAR-100 configuration, as needed to key its latency table:
 * input 32x32x3, stem conv 3x3 s1 16 ch, 22 searchable layers in stages [1,4,4,4,4,4,1] with channels
 * [16,24,32,64,112,184,352] and stage strides [1,1,2,2,1,2,1], head 1x1 conv 1504, global pool, FC 100; ReLU.
 * Op index order (HELP / HW-NAS-Bench): 0 k3_e1, 1 k3_e1_g2, 2 k3_e3, 3 k3_e6, 4 k5_e1, 5 k5_e1_g2, 6 k5_e3, 7 k5_e6, 8 skip.
 * (src/arch's model zoo has the same skeleton; a test checks both give the same keys when both exist.)
 */
import type { LayerSpec, NetworkSpec, TensorShape } from '../../arch/spec.js';
import { layerOutputShape } from '../../arch/shape-step.js';
import { LayernasError } from '../../core/errors.js';
import { layerKey } from '../block-key.js';

export const FBNET_OPS = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'] as const;
export const FBNET_STAGE_BLOCKS = [1, 4, 4, 4, 4, 4, 1] as const;
export const FBNET_STAGE_CHANNELS = [16, 24, 32, 64, 112, 184, 352] as const;
export const FBNET_STAGE_STRIDES = [1, 1, 2, 2, 1, 2, 1] as const;
export const FBNET_LAYERS = 22;

export function fbnetOpLayer(op: number, stride: 1 | 2, out: number): LayerSpec {
  const name = FBNET_OPS[op];
  if (name === undefined) throw new LayernasError('SPEC_INVALID', `FBNet op index ${op} is not in 0..8`, { op });
  if (name === 'skip') return { op: 'skip', stride, out };
  const m = /^k(\d)_e(\d)(_g2)?$/.exec(name) as RegExpExecArray;
  return {
    op: 'ir', kernel: Number(m[1]) as 3 | 5, stride, expansion: Number(m[2]), out, se: 0, seGate: 'sigmoid',
    act: 'relu', groups: m[3] ? 2 : 1, skip: true,
  };
}

export function fbnetNetworkSpec(opIndices: readonly number[]): NetworkSpec {
  if (opIndices.length !== FBNET_LAYERS) {
    throw new LayernasError('SPEC_INVALID', `an FBNet architecture has ${FBNET_LAYERS} op indices, got ${opIndices.length}`, { length: opIndices.length });
  }
  const layers: LayerSpec[] = [{ op: 'conv', kernel: 3, stride: 1, out: 16, groups: 1, act: 'relu', bn: true }];
  let l = 0;
  FBNET_STAGE_BLOCKS.forEach((blocks, stage) => {
    for (let b = 0; b < blocks; b++) {
      const stride = (b === 0 ? FBNET_STAGE_STRIDES[stage] : 1) as 1 | 2;
      layers.push(fbnetOpLayer(opIndices[l] as number, stride, FBNET_STAGE_CHANNELS[stage] as number));
      l++;
    }
  });
  layers.push({ op: 'conv', kernel: 1, stride: 1, out: 1504, groups: 1, act: 'relu', bn: true });
  layers.push({ op: 'gap' });
  layers.push({ op: 'fc', out: 100, act: 'none', bias: true });
  return { name: `fbnet:${opIndices.join('-')}`, input: { height: 32, width: 32, channels: 3 }, layers };
}

/** Canonical keys of every layer (a minimal shape walk; src/arch/shapes.ts walkShapes gives the same keys). */
export function networkKeys(spec: NetworkSpec): string[] {
  let shape: TensorShape = { h: spec.input.height, w: spec.input.width, c: spec.input.channels };
  return spec.layers.map((layer) => {
    const key = layerKey(layer, shape);
    shape = layerOutputShape(layer, shape);
    return key;
  });
}
