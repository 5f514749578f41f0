/**
 * The one internal inference graph every exporter and the reference forward pass read.
 * Built by src/graph/lower.ts from a NetworkSpec + weights (BN already folded into conv weights/bias).
 *
 * Layout: activations NHWC (batch 1). Constant weights are stored in the layout the op names below,
 * which is TFLite's layout; the ONNX writer transposes where ONNX wants another one.
 * Padding is TensorFlow SAME (see src/arch/spec.ts), expressed here as explicit per-op `padding`.
 */

export type FusedActivation = 'none' | 'relu' | 'relu6';

export interface Tensor {
  readonly id: number;
  readonly name: string;
  /** NHWC for feature maps, [N, C] after flattening. */
  readonly shape: readonly number[];
  /** present for constants (weights, biases) */
  readonly data?: Float32Array;
}

interface OpBase {
  readonly inputs: readonly number[];   // tensor ids
  readonly outputs: readonly number[];  // tensor ids
  /** name of the spec layer this op came from, e.g. `l3.dw` (for profiling, debugging, per-layer latency) */
  readonly origin: string;
}

/** inputs: [x, weight OHWI [O, kh, kw, I/groups], bias [O]] */
export interface Conv2dOp extends OpBase {
  readonly type: 'conv2d';
  readonly stride: number;
  readonly padding: 'same' | 'valid';
  readonly groups: number;
  readonly act: FusedActivation;
}
/** inputs: [x, weight [1, kh, kw, C], bias [C]] (depth multiplier 1) */
export interface DepthwiseConv2dOp extends OpBase {
  readonly type: 'depthwise_conv2d';
  readonly stride: number;
  readonly padding: 'same' | 'valid';
  readonly act: FusedActivation;
}
/** inputs: [x, weight [O, I], bias [O]] on x of shape [1, I] (or [1,1,1,I], flattened) */
export interface FullyConnectedOp extends OpBase {
  readonly type: 'fully_connected';
  readonly act: FusedActivation;
}
export interface BinaryOp extends OpBase {
  readonly type: 'add' | 'mul';   // broadcasting [1,1,1,C] against [1,H,W,C] allowed for mul (squeeze-excite)
  readonly act: FusedActivation;
}
export interface UnaryOp extends OpBase {
  readonly type: 'relu' | 'relu6' | 'hard_swish' | 'logistic' | 'hard_sigmoid';
}
/** Average / max pool. `same` padding excludes padded cells from the average (TF semantics). */
export interface Pool2dOp extends OpBase {
  readonly type: 'avg_pool2d' | 'max_pool2d';
  readonly kernel: number;
  readonly stride: number;
  readonly padding: 'same' | 'valid';
}
/** Global average pool over H, W with keepdims: [1,H,W,C] -> [1,1,1,C] */
export interface GlobalAvgPoolOp extends OpBase {
  readonly type: 'global_avg_pool';
}
/** [1,1,1,C] -> [1,C] */
export interface ReshapeOp extends OpBase {
  readonly type: 'reshape';
}
export interface SoftmaxOp extends OpBase {
  readonly type: 'softmax';
}
/** Output of zeros shaped like the input (NB201 'none' edge when a node has no other input). */
export interface ZerosLikeOp extends OpBase {
  readonly type: 'zeros_like';
}

export type GraphOp =
  | Conv2dOp
  | DepthwiseConv2dOp
  | FullyConnectedOp
  | BinaryOp
  | UnaryOp
  | Pool2dOp
  | GlobalAvgPoolOp
  | ReshapeOp
  | SoftmaxOp
  | ZerosLikeOp;

export type GraphOpType = GraphOp['type'];

export interface Graph {
  readonly name: string;
  readonly tensors: readonly Tensor[];
  readonly ops: readonly GraphOp[];   // topologically sorted
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
}
