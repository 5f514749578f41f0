/**
 * The registry of layer kinds, one module each (kinds/<kind>.ts). Adding a kind: write its module, add it to KINDS
 * and its layer type to KindLayer below, and (for the PyTorch trainer) its class in trainers/pytorch/layernas_net.py.
 * Nothing outside src/arch/kinds/ switches on a kind's name (test/structure/kind-switches.test.ts).
 */
import type {
  BnActLayer, ConvLayer, GlobalPoolLayer, InvertedResidualLayer, LinearLayer, NatsCellLayer, Nb201CellLayer, NetworkSpec, ResBlockLayer, SkipLayer,
} from '../spec.js';
import { bnact } from './bnact.js';
import { conv } from './conv.js';
import { fc } from './fc.js';
import { fusedMbConv, type FusedMbConvLayer } from './fmb.js';
import { globalPool } from './gap.js';
import { invertedResidual } from './ir.js';
import { natsCell } from './natscell.js';
import { nb201Cell } from './nb201cell.js';
import { resBlock } from './resblock.js';
import { skip } from './skip.js';
import type { ArchKind } from './types.js';

export type { FusedMbConvLayer } from './fmb.js';
export type { ArchKind, Body, BodyStep, PartReader } from './types.js';
export { sequentialBody } from './types.js';
export { seChannels } from './ir.js';
export { NATS_CELL_EDGES } from './natscell.js';
export { nb201CellEdges } from './nb201cell.js';
export { CELL_EDGE_SOURCE } from './cell.js';

/** Layer types of the registered kinds: every layer (LayerSpec, src/arch/spec.ts). */
export type KindLayer = ConvLayer | SkipLayer | FusedMbConvLayer | BnActLayer | LinearLayer | InvertedResidualLayer | Nb201CellLayer
  | NatsCellLayer | ResBlockLayer | GlobalPoolLayer;

/** in the order the grammar lists them in its messages */
export const KINDS = {
  conv,
  skip,
  fmb: fusedMbConv,
  bnact,
  fc,
  ir: invertedResidual,
  nb201cell: nb201Cell,
  natscell: natsCell,
  resblock: resBlock,
  gap: globalPool,
} as const satisfies { readonly [op in KindLayer['op']]: ArchKind<Extract<KindLayer, { op: op }>> };

export function isKindOp(op: string): op is KindLayer['op'] {
  return Object.hasOwn(KINDS, op);
}

/** The kind module of a layer. */
export function kindOf(layer: KindLayer): ArchKind<KindLayer> {
  return KINDS[layer.op] as unknown as ArchKind<KindLayer>;
}

/** The network's final fc classifier, if it ends in one (the layer the class count sizes). */
export function classifierOf(spec: NetworkSpec): LinearLayer | undefined {
  const last = spec.layers[spec.layers.length - 1];
  return last?.op === 'fc' ? last : undefined;
}
