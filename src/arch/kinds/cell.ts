/**
 * What NAS-Bench-201 cells and NATS-Bench size-space cells share: 4 nodes, 6 edges in the order of NB201 strings
 * |e0~0|+|e1~0|e2~1|+|e3~0|e4~1|e5~2| (node1 <- 0; node2 <- 0, 1; node3 <- 0, 1, 2); node j = sum of its edges.
 * Edges: nor_conv_k×k = ReLU -> conv -> BN; skip_connect = identity, or ReLU -> 1×1 conv -> BN when the channels
 * change; avg_pool_3x3 (SAME, stride 1); none = no input. A node with no inputs is zeros.
 */
import type { ConvPrimitive, Primitive } from '../primitives.js';
import type { Nb201Op, TensorShape } from '../spec.js';
import { BodyBuilder, type Body } from './types.js';

/** Source node of each of the 6 cell edges. */
export const CELL_EDGE_SOURCE: readonly number[] = [0, 0, 1, 0, 1, 2];

/** Weighted edges: edges leaving node 0 map `cin` -> `cout`, the others `cout` -> `cout`. */
export function cellPrimitives(edges: readonly Nb201Op[], cin: number, cout: number, input: TensorShape): ConvPrimitive[] {
  const p: ConvPrimitive[] = [];
  edges.forEach((op, j) => {
    const from = CELL_EDGE_SOURCE[j] === 0 ? cin : cout;
    const base = { kind: 'conv' as const, module: `e${j}`, cin: from, cout, stride: 1, groups: 1, bias: false, bn: true, act: 'relu' as const, outH: input.h, outW: input.w };
    if (op === 'nor_conv_3x3') p.push({ ...base, kernel: 3 });
    else if (op === 'nor_conv_1x1') p.push({ ...base, kernel: 1 });
    else if (op === 'skip_connect' && from !== cout) p.push({ ...base, kernel: 1 });
  });
  return p;
}

/** The cell's computation; nodes are summed as soon as every edge into them is known (node 1 before edge 1, ...). */
export function cellBody(edges: readonly Nb201Op[], prims: readonly Primitive[], channels: number): Body {
  const b = new BodyBuilder();
  const nodes: number[] = [0];
  const terms: number[][] = [[], [], [], []];
  const sum = (node: number): number => {
    const t = terms[node] as number[];
    if (t.length === 0) return b.add({ op: 'zeros', name: `n${node}`, like: 0, channels });
    let acc = t[0] as number;
    for (let k = 1; k < t.length; k++) acc = b.add({ op: 'add', name: `n${node}.sum${k}`, a: acc, b: t[k] as number });
    return acc;
  };
  edges.forEach((op, j) => {
    const target = j === 0 ? 1 : j <= 2 ? 2 : 3;
    if (j === 1 || j === 3) nodes.push(sum(target - 1));
    const from = CELL_EDGE_SOURCE[j] as number;
    const src = nodes[from] as number;
    let t: number | undefined;
    if (prims.some((p) => p.module === `e${j}`)) t = b.add({ op: 'prim', module: `e${j}`, from: src, pre: `n${from}.relu` });
    else if (op === 'skip_connect') t = src;
    else if (op === 'avg_pool_3x3') t = b.add({ op: 'avgpool', name: `e${j}`, from: src, size: 3, stride: 1 });
    if (t !== undefined) (terms[target] as number[]).push(t);
  });
  return b.done(sum(3));
}

/** node sums (3 per output element) and 3×3 average pools (9 per output element each) */
export function cellExtraOps(edges: readonly Nb201Op[], output: TensorShape): number {
  const n = output.h * output.w * output.c;
  return 3 * n + edges.filter((e) => e === 'avg_pool_3x3').length * 9 * n;
}
