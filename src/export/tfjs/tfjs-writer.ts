/**
 * TensorFlow.js layers format writer: graph IR → `model.json` (Keras functional topology + weights manifest) and
 * 4 MB weight shards, loadable with `tf.loadLayersModel` in browsers and Node. NHWC throughout, like the IR.
 *
 * Mapping: conv2d → Conv2D (groups must be 1: tfjs-layers Conv2D has no `groups`, a grouped conv is
 * 'EXPORT_UNSUPPORTED'), depthwise → DepthwiseConv2D, fully_connected → Dense, add/mul → Add/Multiply (broadcasting),
 * relu/relu6/logistic/softmax → Activation, pools → AveragePooling2D/MaxPooling2D (SAME excludes padding, like TF),
 * global_avg_pool → GlobalAveragePooling2D + Reshape, reshape → Flatten/Reshape. tfjs' own `hardSigmoid` is Keras'
 * 0.2x+0.5, not relu6(x+3)/6, so hard_sigmoid = DepthwiseConv2D 1x1 (w 1, b 3, relu6) → DepthwiseConv2D 1x1 (w 1/6),
 * hard_swish = Multiply(x, hard_sigmoid(x)); zeros_like = DepthwiseConv2D 1x1 with zero weights.
 */
import { LayernasError } from '../../core/errors.js';
import type { FusedActivation, Graph, GraphOp, Tensor } from '../../graph/ir.js';
import { permute } from '../onnx/onnx-writer.js';

export const TFJS_SHARD_BYTES = 4 * 1024 * 1024;

type Inbound = [string, number, number, Record<string, never>];
interface KerasLayer {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
  inbound_nodes: Inbound[][];
}
interface WeightEntry { name: string; shape: number[]; dtype: 'float32'; data: Float32Array }

export interface TfjsFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const keraAct = (a: FusedActivation): string => (a === 'none' ? 'linear' : a);

class TfjsBuilder {
  readonly layers: KerasLayer[] = [];
  readonly weights: WeightEntry[] = [];
  private readonly layerOf = new Map<number, string>();
  private readonly used = new Set<string>();

  constructor(private readonly graph: Graph) {}

  tensor(id: number | undefined): Tensor {
    const t = id === undefined ? undefined : this.graph.tensors[id];
    if (!t) throw new LayernasError('MODEL_INVALID', `graph '${this.graph.name}': unknown tensor id ${id}`);
    return t;
  }

  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'layer';
    let n = clean;
    for (let k = 1; this.used.has(n); k++) n = `${clean}_${k}`;
    this.used.add(n);
    return n;
  }

  source(id: number): string {
    const l = this.layerOf.get(id);
    if (l === undefined) throw new LayernasError('MODEL_INVALID', `TF.js export: tensor '${this.tensor(id).name}' is used before it is produced`);
    return l;
  }

  bind(id: number, layer: string): void {
    this.layerOf.set(id, layer);
  }

  /** add a layer fed by the given layers; returns its (unique) name */
  layer(className: string, base: string, inputs: readonly string[], config: Record<string, unknown>, weights: [string, number[], Float32Array][] = []): string {
    const name = this.unique(base);
    this.layers.push({
      class_name: className, name, config: { name, trainable: false, dtype: 'float32', ...config },
      inbound_nodes: inputs.length ? [inputs.map((i): Inbound => [i, 0, 0, {}])] : [],
    });
    for (const [w, shape, data] of weights) this.weights.push({ name: `${name}/${w}`, shape, dtype: 'float32', data });
    return name;
  }

  activation(base: string, input: string, act: string): string {
    return this.layer('Activation', base, [input], { activation: act });
  }

  /** per-channel x*w+b (DepthwiseConv2D 1x1) with an activation, on a rank-4 tensor of C channels */
  channelAffine(base: string, input: string, C: number, w: number, b: number, act: FusedActivation): string {
    return this.layer('DepthwiseConv2D', base, [input], {
      kernel_size: [1, 1], strides: [1, 1], padding: 'valid', depth_multiplier: 1, data_format: 'channels_last', dilation_rate: [1, 1],
      activation: keraAct(act), use_bias: true,
    }, [['depthwise_kernel', [1, 1, C, 1], new Float32Array(C).fill(w)], ['bias', [C], new Float32Array(C).fill(b)]]);
  }

  /** run `body` on a rank-4 view of a tensor: rank-2 [1, C] is reshaped to [1,1,1,C] and back */
  rank4(base: string, input: string, shape: readonly number[], body: (x: string, C: number) => string): string {
    if (shape.length === 4) return body(input, shape[3] as number);
    if (shape.length !== 2) throw new LayernasError('EXPORT_UNSUPPORTED', `TF.js export: ${base} on a rank-${shape.length} tensor`);
    const C = shape[1] as number;
    const up = this.layer('Reshape', `${base}.to4d`, [input], { target_shape: [1, 1, C] });
    return this.layer('Reshape', `${base}.to2d`, [body(up, C)], { target_shape: [C] });
  }

  hardSigmoid(base: string, input: string, shape: readonly number[]): string {
    return this.rank4(base, input, shape, (x, C) => this.channelAffine(`${base}.scale`, this.channelAffine(`${base}.shift`, x, C, 1, 3, 'relu6'), C, 1 / 6, 0, 'none'));
  }
}

function constInput(b: TfjsBuilder, op: GraphOp, k: number): Tensor {
  const t = b.tensor(op.inputs[k]);
  if (!t.data) throw new LayernasError('EXPORT_UNSUPPORTED', `TF.js export: ${op.type} (${op.origin}) needs constant weights`);
  return t;
}

function convertOp(b: TfjsBuilder, op: GraphOp): void {
  const x = b.tensor(op.inputs[0]);
  const xl = b.source(x.id);
  const out = b.tensor(op.outputs[0]);
  let layer: string;
  switch (op.type) {
    case 'conv2d':
    case 'depthwise_conv2d': {
      const w = constInput(b, op, 1);
      const bias = constInput(b, op, 2);
      const [O, kh, kw] = w.shape as [number, number, number, number];
      const hwio = permute(w.data as Float32Array, w.shape, [1, 2, 3, 0]);
      const common = { kernel_size: [kh, kw], strides: [op.stride, op.stride], padding: op.padding, data_format: 'channels_last', dilation_rate: [1, 1], activation: keraAct(op.act), use_bias: true };
      if (op.type === 'conv2d') {
        if (op.groups !== 1) {
          throw new LayernasError('EXPORT_UNSUPPORTED', `TF.js layers format cannot express the grouped convolution ${op.origin} (groups=${op.groups}): ` +
            `tfjs-layers Conv2D has no 'groups'. Export this architecture as tflite or onnx, or use groups=1.`, { op: op.origin, format: 'tfjs' });
        }
        layer = b.layer('Conv2D', op.origin, [xl], { filters: O, ...common }, [['kernel', hwio.shape, hwio.data], ['bias', [...bias.shape], bias.data as Float32Array]]);
      } else {
        layer = b.layer('DepthwiseConv2D', op.origin, [xl], { depth_multiplier: 1, ...common },
          [['depthwise_kernel', hwio.shape, hwio.data], ['bias', [...bias.shape], bias.data as Float32Array]]);
      }
      break;
    }
    case 'fully_connected': {
      const w = constInput(b, op, 1);
      const bias = constInput(b, op, 2);
      const [O, I] = w.shape as [number, number];
      const src = x.shape.length === 2 ? xl : b.layer('Flatten', `${op.origin}.flatten`, [xl], { data_format: 'channels_last' });
      const kernel = permute(w.data as Float32Array, [O, I], [1, 0]);
      layer = b.layer('Dense', op.origin, [src], { units: O, activation: keraAct(op.act), use_bias: true },
        [['kernel', [I, O], kernel.data], ['bias', [O], bias.data as Float32Array]]);
      break;
    }
    case 'add':
    case 'mul': {
      const y = b.tensor(op.inputs[1]);
      if (x.data || y.data) throw new LayernasError('EXPORT_UNSUPPORTED', `TF.js export: ${op.type} (${op.origin}) with a constant operand`);
      layer = b.layer(op.type === 'add' ? 'Add' : 'Multiply', op.origin, [xl, b.source(y.id)], {});
      if (op.act !== 'none') layer = b.activation(`${op.origin}.${op.act}`, layer, op.act);
      break;
    }
    case 'relu':
    case 'relu6': layer = b.activation(op.origin, xl, op.type); break;
    case 'logistic': layer = b.activation(op.origin, xl, 'sigmoid'); break;
    case 'softmax': layer = b.activation(op.origin, xl, 'softmax'); break;
    case 'hard_sigmoid': layer = b.hardSigmoid(`${op.origin}.hsig`, xl, x.shape); break;
    case 'hard_swish': layer = b.layer('Multiply', `${op.origin}.hswish`, [xl, b.hardSigmoid(`${op.origin}.hsig`, xl, x.shape)], {}); break;
    case 'avg_pool2d':
    case 'max_pool2d':
      layer = b.layer(op.type === 'avg_pool2d' ? 'AveragePooling2D' : 'MaxPooling2D', op.origin, [xl],
        { pool_size: [op.kernel, op.kernel], strides: [op.stride, op.stride], padding: op.padding, data_format: 'channels_last' });
      break;
    case 'global_avg_pool': {
      const pooled = b.layer('GlobalAveragePooling2D', op.origin, [xl], { data_format: 'channels_last' });
      layer = b.layer('Reshape', `${op.origin}.keepdims`, [pooled], { target_shape: out.shape.slice(1) });
      break;
    }
    case 'reshape':
      layer = out.shape.length === 2 && x.shape.length === 4
        ? b.layer('Flatten', op.origin, [xl], { data_format: 'channels_last' })
        : b.layer('Reshape', op.origin, [xl], { target_shape: out.shape.slice(1) });
      break;
    case 'zeros_like':
      layer = b.rank4(`${op.origin}.zeros`, xl, x.shape, (t, C) => b.channelAffine(`${op.origin}.zeros`, t, C, 0, 0, 'none'));
      break;
  }
  b.bind(out.id, layer);
}

export interface TfjsWriteOptions {
  readonly shardBytes?: number;
}

/** model.json + `group1-shardKofN.bin` files for `graph` */
export function writeTfjs(graph: Graph, options: TfjsWriteOptions = {}): TfjsFile[] {
  const b = new TfjsBuilder(graph);
  for (const id of graph.inputs) {
    const t = b.tensor(id);
    b.bind(id, b.layer('InputLayer', t.name, [], { batch_input_shape: [null, ...t.shape.slice(1)], sparse: false }));
  }
  for (const op of graph.ops) convertOp(b, op);
  const total = b.weights.reduce((s, w) => s + w.data.length * 4, 0);
  const all = new Uint8Array(total);
  const view = new DataView(all.buffer);
  let off = 0;
  for (const w of b.weights) {
    for (let i = 0; i < w.data.length; i++) view.setFloat32(off + i * 4, w.data[i] as number, true);
    off += w.data.length * 4;
  }
  const shardBytes = options.shardBytes ?? TFJS_SHARD_BYTES;
  const n = Math.max(1, Math.ceil(total / shardBytes));
  const shards = Array.from({ length: n }, (_, k): TfjsFile => ({ name: `group1-shard${k + 1}of${n}.bin`, bytes: all.slice(k * shardBytes, Math.min(total, (k + 1) * shardBytes)) }));
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'layernas',
    convertedBy: null,
    modelTopology: {
      class_name: 'Model',
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
      config: {
        name: graph.name.replace(/[^A-Za-z0-9._-]/g, '_'),
        layers: b.layers,
        input_layers: graph.inputs.map((id) => [b.source(id), 0, 0]),
        output_layers: graph.outputs.map((id) => [b.source(id), 0, 0]),
      },
    },
    weightsManifest: [{ paths: shards.map((s) => s.name), weights: b.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  return [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) }, ...shards];
}
