/**
 * The registry of layer kinds that live in one module each (kinds/<kind>.ts). Adding a kind: write its module,
 * add it to KINDS and its layer type to KindLayer below, and (for the PyTorch trainer) its class in
 * trainers/pytorch/layernas_net.py. Kinds not yet moved here (ir, cells, resblock, gap) are handled by
 * the switches in grammar.ts, validate.ts, shape-step.ts, primitives.ts, graph/lower-layers.ts and train/network.ts.
 */
import type { BnActLayer, ConvLayer, LayerSpec, LinearLayer, SkipLayer } from '../spec.js';
import { bnact } from './bnact.js';
import { conv } from './conv.js';
import { fc } from './fc.js';
import { fusedMbConv, type FusedMbConvLayer } from './fmb.js';
import { skip } from './skip.js';
import type { ArchKind } from './types.js';

export type { FusedMbConvLayer } from './fmb.js';
export type { ArchKind, PartReader } from './types.js';

/** Layer types of the registered kinds (part of LayerSpec, src/arch/spec.ts). */
export type KindLayer = ConvLayer | SkipLayer | FusedMbConvLayer | BnActLayer | LinearLayer;

export const KINDS = {
  conv,
  skip,
  fmb: fusedMbConv,
  bnact,
  fc,
} as const satisfies { readonly [op in KindLayer['op']]: ArchKind<Extract<KindLayer, { op: op }>> };

export function isKindLayer(layer: LayerSpec): layer is KindLayer {
  return Object.hasOwn(KINDS, layer.op);
}

export function isKindOp(op: string): op is KindLayer['op'] {
  return Object.hasOwn(KINDS, op);
}

/** The kind module of a registered layer. */
export function kindOf(layer: KindLayer): ArchKind<KindLayer> {
  return KINDS[layer.op] as unknown as ArchKind<KindLayer>;
}
