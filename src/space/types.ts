/**
 * A search space is data: an ordered list of layers, each a finite list of named options.
 * A DNA is one option index per layer. Spaces are loaded from JSON (src/space/load.ts) and validated
 * with the zod schema below; the `decoder` names how a DNA becomes an architecture string.
 */
import { z } from 'zod';

export type Dna = readonly number[];

/** Deterministic 32-bit hash of a DNA (FNV-1a over the indices). */
export function dnaHash(dna: Dna): number {
  let h = 0x811c9dc5;
  for (const v of dna) {
    h ^= v + 1;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export const DECODER_KINDS = ['nb201', 'nats_sss', 'fbnet', 'fbnet_stages', 'mobilenetv2', 'generic'] as const;
export type DecoderKind = (typeof DECODER_KINDS)[number];

export const spaceLayerSchema = z.object({
  name: z.string().min(1),
  options: z.array(z.string().min(1)).min(1),
}).strict();

export const searchSpaceSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  decoder: z.enum(DECODER_KINDS),
  layers: z.array(spaceLayerSchema).min(1),
  /** decoder-specific settings (e.g. mobilenetv2 width multipliers, input size); validated by the decoder */
  settings: z.record(z.unknown()).optional(),
}).strict();

export type SpaceLayer = z.infer<typeof spaceLayerSchema>;
export type SearchSpaceData = z.infer<typeof searchSpaceSchema>;

export interface SearchSpace {
  readonly name: string;
  readonly decoder: DecoderKind;
  readonly layers: readonly SpaceLayer[];
  readonly settings: Readonly<Record<string, unknown>>;
  /** number of options of each layer */
  readonly radix: readonly number[];
}

export function spaceFromData(data: SearchSpaceData): SearchSpace {
  return {
    name: data.name,
    decoder: data.decoder,
    layers: data.layers,
    settings: data.settings ?? {},
    radix: data.layers.map((l) => l.options.length),
  };
}

/** Total number of architectures (may exceed 2^53 for large spaces; then it is approximate). */
export function spaceSize(space: SearchSpace): number {
  return space.radix.reduce((a, b) => a * b, 1);
}

/** Mixed-radix index of a DNA (layer 0 most significant). Exact only for spaces below 2^53 architectures. */
export function dnaIndex(space: SearchSpace, dna: Dna): number {
  let index = 0;
  for (let i = 0; i < space.radix.length; i++) index = index * (space.radix[i] as number) + (dna[i] as number);
  return index;
}

export function dnaFromIndex(space: SearchSpace, index: number): number[] {
  const dna = new Array<number>(space.radix.length);
  for (let i = space.radix.length - 1; i >= 0; i--) {
    const r = space.radix[i] as number;
    dna[i] = index % r;
    index = Math.floor(index / r);
  }
  return dna;
}

export function dnaKey(dna: Dna): string {
  return dna.join('-');
}

export function isValidDna(space: SearchSpace, dna: Dna): boolean {
  return dna.length === space.radix.length && dna.every((v, i) => Number.isInteger(v) && v >= 0 && v < (space.radix[i] as number));
}
