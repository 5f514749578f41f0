/**
 * Trainable parameters of an in-process network, named as in the layernas weights file
 * (src/arch/params.ts `listParameters`), stored as tf variables in tfjs layouts and converted to PyTorch layouts
 * (conv OIHW, linear [out, in]) on export.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';

/** How a parameter is laid out in tfjs, and therefore how it converts to its PyTorch layout. */
export type TfLayout =
  | 'conv-hwio'       // tf [kh, kw, in/groups, out]  <-> torch [out, in/groups, kh, kw]
  | 'depthwise-hwc1'  // tf [kh, kw, C, 1]             <-> torch [C, 1, kh, kw]
  | 'linear-io'       // tf [in, out]                  <-> torch [out, in]
  | 'vector';         // [C] both

export interface NetParam {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly layout: TfLayout;
  readonly trainable: boolean;
  /** subject to weight decay (conv / linear weights, not BN or biases) */
  readonly decay: boolean;
}

export function torchShapeOf(p: NetParam): number[] {
  const s = p.variable.shape;
  switch (p.layout) {
    case 'conv-hwio': return [s[3] as number, s[2] as number, s[0] as number, s[1] as number];
    case 'depthwise-hwc1': return [s[2] as number, 1, s[0] as number, s[1] as number];
    case 'linear-io': return [s[1] as number, s[0] as number];
    case 'vector': return [...s];
  }
}

const TO_TORCH: Record<TfLayout, number[] | undefined> = {
  'conv-hwio': [3, 2, 0, 1],
  'depthwise-hwc1': [2, 3, 0, 1],
  'linear-io': [1, 0],
  vector: undefined,
};
const FROM_TORCH: Record<TfLayout, number[] | undefined> = {
  'conv-hwio': [2, 3, 1, 0],
  'depthwise-hwc1': [2, 3, 0, 1],
  'linear-io': [1, 0],
  vector: undefined,
};

/** The parameter's values in PyTorch layout. */
export function torchValues(p: NetParam): Float32Array {
  const perm = TO_TORCH[p.layout];
  return tf.tidy(() => (perm ? tf.transpose(p.variable, perm) : p.variable).dataSync() as Float32Array).slice();
}

/** Overwrite the parameter from values in PyTorch layout. */
export function assignTorchValues(p: NetParam, values: Float32Array): void {
  const perm = FROM_TORCH[p.layout];
  tf.tidy(() => {
    const t = tf.tensor(values, torchShapeOf(p));
    p.variable.assign(perm ? tf.transpose(t, perm) : t);
  });
}

/** Creates and remembers parameters in creation order (which is the order of the weights file). */
export class ParamStore {
  readonly params: NetParam[] = [];
  private readonly byName = new Map<string, NetParam>();
  constructor(private readonly rng: Rng) {}

  private add(name: string, values: Float32Array, shape: number[], layout: TfLayout, trainable: boolean, decay: boolean): tf.Variable {
    if (this.byName.has(name)) throw new Error(`duplicate parameter name ${name}`);
    const variable = tf.variable(tf.tensor(values, shape), trainable, `${name}_${this.params.length}`);
    const p: NetParam = { name, variable, layout, trainable, decay };
    this.params.push(p);
    this.byName.set(name, p);
    return variable;
  }

  /** Conv weight, Kaiming-normal (fan_out) as in torchvision's MobileNets. */
  convWeight(name: string, k: number, inPerGroup: number, out: number): tf.Variable {
    const std = Math.sqrt(2 / (out * k * k));
    const v = new Float32Array(k * k * inPerGroup * out).map(() => this.rng.normal() * std);
    return this.add(name, v, [k, k, inPerGroup, out], 'conv-hwio', true, true);
  }

  depthwiseWeight(name: string, k: number, channels: number): tf.Variable {
    const std = Math.sqrt(2 / (k * k));
    const v = new Float32Array(k * k * channels).map(() => this.rng.normal() * std);
    return this.add(name, v, [k, k, channels, 1], 'depthwise-hwc1', true, true);
  }

  linearWeight(name: string, inF: number, out: number): tf.Variable {
    const std = 1 / Math.sqrt(inF);
    const v = new Float32Array(inF * out).map(() => (this.rng.next() * 2 - 1) * std);
    return this.add(name, v, [inF, out], 'linear-io', true, true);
  }

  vector(name: string, n: number, fill: number, trainable = true): tf.Variable {
    return this.add(name, new Float32Array(n).fill(fill), [n], 'vector', trainable, false);
  }

  get(name: string): NetParam | undefined {
    return this.byName.get(name);
  }
}
