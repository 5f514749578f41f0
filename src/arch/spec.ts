/**
 * The typed architecture description every other part of layernas reads.
 *
 * Data flows one way: spec -> shapes (src/arch/shapes.ts) -> cost -> search -> evaluate -> export -> runtime -> verify.
 *
 * Conventions fixed for the whole project (trainers, exporters and cost models all follow them):
 *  - Tensors are NHWC in every runtime-facing format; weights in the layernas weights file use PyTorch layouts
 *    (conv OIHW = [out, in/groups, kh, kw]; linear [out, in]). See docs/weights-format.md.
 *  - Padding is TensorFlow "SAME" for every conv and pool with stride s: output = ceil(in / s), the extra pixel
 *    (when the total padding is odd) goes at the bottom/right. PyTorch trainers pad explicitly to match.
 *  - Batch-norm eps = 1e-5, inference uses running statistics; every conv with `bn` has no bias.
 *  - A block's residual add is applied when `skip` is true AND stride == 1 AND in channels == out channels.
 */
import type { KindLayer } from './kinds/index.js';

export type Activation = 'relu' | 'relu6' | 'hswish' | 'none';
export type Gate = 'sigmoid' | 'hsigmoid';

/** Plain / grouped / pointwise conv, followed by optional BN and an activation (stem, head, 1x1 convs). */
export interface ConvLayer {
  readonly op: 'conv';
  readonly kernel: number;       // odd, 1..7
  readonly stride: 1 | 2;
  readonly out: number;          // output channels > 0
  readonly groups: number;       // 1 = dense; must divide in and out channels
  readonly act: Activation;
  readonly bn: boolean;          // true: conv(no bias) + BN; false: conv with bias
}

/** MobileNetV2/V3 inverted residual (MBConv): [1x1 expand] -> kxk depthwise -> [SE] -> 1x1 project (linear). */
export interface InvertedResidualLayer {
  readonly op: 'ir';
  readonly kernel: 3 | 5 | 7;
  readonly stride: 1 | 2;
  /** Expanded channels = makeDivisible(inChannels * expansion, 8). expansion 1 = no expand conv. */
  readonly expansion: number;
  readonly out: number;
  /** Squeeze-excite ratio relative to the expanded channels (0 = no SE). SE mid = makeDivisible(mid * se, 8). */
  readonly se: number;
  readonly seGate: Gate;
  readonly act: Activation;      // activation after expand and depthwise convs
  readonly groups: number;       // groups of the two 1x1 convs (FBNet "g2" ops); 1 = dense
  readonly skip: boolean;        // residual when shapes allow
}

/**
 * FBNet "skip" choice: identity when shapes allow, otherwise 1x1 conv (stride s) + BN + ReLU
 * (as in FBNet's Identity module).
 */
export interface SkipLayer {
  readonly op: 'skip';
  readonly stride: 1 | 2;
  readonly out: number;
}

/** NAS-Bench-201 candidate operations on a cell edge. */
export type Nb201Op = 'none' | 'skip_connect' | 'nor_conv_1x1' | 'nor_conv_3x3' | 'avg_pool_3x3';
export const NB201_OPS: readonly Nb201Op[] = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];

/**
 * NAS-Bench-201 cell: 4 nodes, 6 edges in the standard order of the NB201 string
 * |e0~0|+|e1~0|e2~1|+|e3~0|e4~1|e5~2|  (node1<-0; node2<-0,1; node3<-0,1,2). Channels in == out.
 * nor_conv = ReLU -> conv -> BN.
 */
export interface Nb201CellLayer {
  readonly op: 'nb201cell';
  readonly edges: readonly [Nb201Op, Nb201Op, Nb201Op, Nb201Op, Nb201Op, Nb201Op];
}

/**
 * NATS-Bench size-space cell: fixed genotype
 * |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|
 * mapping in channels -> `out` channels (edges leaving node 0 change channels; a channel-changing skip
 * is 1x1 conv + BN).
 */
export interface NatsCellLayer {
  readonly op: 'natscell';
  readonly out: number;
}

/** NAS-Bench-201 / NATS reduction block: ResNet basic block, stride 2, avg-pool + 1x1 conv shortcut. */
export interface ResBlockLayer {
  readonly op: 'resblock';
  readonly out: number;
  readonly stride: 1 | 2;
}

/** Standalone BN + activation (NAS-Bench-201 "lastact"). */
export interface BnActLayer {
  readonly op: 'bnact';
  readonly act: Activation;
}

/** Global average pool to 1x1. */
export interface GlobalPoolLayer {
  readonly op: 'gap';
}

/** Fully connected (on a 1x1xC map). MobileNetV3's 1x1 conv after pooling is an fc with bias and hswish. */
export interface LinearLayer {
  readonly op: 'fc';
  readonly out: number;
  readonly act: Activation;
  readonly bias: boolean;
}

/** Every layer kind: one module each in src/arch/kinds/ (conv, skip, fmb, ir, cells, ...). */
export type LayerSpec = KindLayer;

export type LayerOp = LayerSpec['op'];

export interface InputSpec {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** A whole network: an input and an ordered list of layers. The classifier is the last `fc`. */
export interface NetworkSpec {
  readonly name?: string;
  readonly input: InputSpec;
  readonly layers: readonly LayerSpec[];
}

/** Feature-map shape between layers (fc outputs are 1x1xC). */
export interface TensorShape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/**
 * One row of the shape walk (src/arch/shapes.ts: `walkShapes(spec)`), shared by every cost model.
 * `key` is the canonical op-and-shape string used by latency tables: the layer's own block string
 * (src/arch/grammar.ts `formatLayer`) + '@' + input HxWxC, e.g. `ir_k3_s2_e6_c24@112x112x16`.
 */
export interface LayerShape {
  readonly index: number;
  readonly layer: LayerSpec;
  readonly input: TensorShape;
  readonly output: TensorShape;
  readonly madds: number;   // multiply-adds of conv and linear layers (NATS convention)
  readonly params: number;  // trainable parameters (conv/linear weights and biases, BN gamma/beta)
  readonly key: string;
}

/** A named parameter tensor of a network (src/arch/params.ts `listParameters(spec)`), PyTorch layout. */
export interface ParamTensor {
  /** e.g. `l3.expand.weight`, `l3.expand.bn.running_var`, `l17.fc.bias`. See docs/weights-format.md. */
  readonly name: string;
  readonly shape: readonly number[];
  /** false for BN running statistics (buffers, not counted as parameters). */
  readonly trainable: boolean;
}

/** makeDivisible as in the MobileNet reference code: round to the nearest multiple of `divisor`, never below 90%. */
export function makeDivisible(value: number, divisor = 8, minValue = divisor): number {
  const rounded = Math.max(minValue, Math.floor(value + divisor / 2) - ((Math.floor(value + divisor / 2)) % divisor));
  return rounded < 0.9 * value ? rounded + divisor : rounded;
}
