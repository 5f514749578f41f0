/**
 * DNA -> architecture string. Every decoder is explicit (no registry): the space's `decoder` field selects one
 * branch of a closed switch, and an unknown kind is a type error at compile time.
 */
import { LayernasError } from '../core/errors.js';
import { fbnetStageOps } from './fbnet-stages.js';
import { isValidDna, type Dna, type SearchSpace } from './types.js';

/** NB201 arch string |e0~0|+|e1~0|e2~1|+|e3~0|e4~1|e5~2| from the 6 edge ops. */
export function nb201ArchString(ops: readonly string[]): string {
  const [a, b, c, d, e, f] = ops;
  return `|${a}~0|+|${b}~0|${c}~1|+|${d}~0|${e}~1|${f}~2|`;
}

/** Parse an NB201 arch string into its 6 edge ops (in layer order). */
export function parseNb201ArchString(arch: string): string[] {
  const m = /^\|([a-z0-9_]+)~0\|\+\|([a-z0-9_]+)~0\|([a-z0-9_]+)~1\|\+\|([a-z0-9_]+)~0\|([a-z0-9_]+)~1\|([a-z0-9_]+)~2\|$/.exec(arch.trim());
  if (!m) throw new LayernasError('SPEC_PARSE', `not an NB201 arch string: "${arch}"`, { input: arch });
  return m.slice(1, 7) as string[];
}

function optionNames(space: SearchSpace, dna: Dna): string[] {
  return dna.map((v, i) => space.layers[i]!.options[v] as string);
}

/** The architecture string of a DNA: NB201 string, NATS "c1:..:c5", FBNet op indices "7-8-..." (also for fbnet_stages), else "layer=option,...". */
export function decodeArch(space: SearchSpace, dna: Dna): string {
  if (!isValidDna(space, dna)) {
    throw new LayernasError('SPACE_INVALID', `DNA [${dna.join(',')}] does not fit space ${space.name} (radix ${space.radix.join('x')})`, {
      dna,
      space: space.name,
    });
  }
  switch (space.decoder) {
    case 'nb201':
      return nb201ArchString(optionNames(space, dna));
    case 'nats_sss':
      return optionNames(space, dna).join(':');
    case 'fbnet':
      return dna.join('-');
    case 'fbnet_stages':
      return fbnetStageOps(space, dna).join('-');
    case 'mobilenetv2':
    case 'generic':
      return optionNames(space, dna).map((o, i) => `${space.layers[i]!.name}=${o}`).join(',');
  }
}

/** Inverse of decodeArch for the table-backed decoders (nb201, nats_sss, fbnet); fbnet_stages strings are decision names. */
export function encodeArch(space: SearchSpace, arch: string): number[] {
  let names: string[];
  switch (space.decoder) {
    case 'nb201':
      names = parseNb201ArchString(arch);
      break;
    case 'nats_sss':
      names = arch.split(':');
      break;
    case 'fbnet': {
      const dna = arch.split('-').map(Number);
      if (!isValidDna(space, dna)) throw new LayernasError('SPEC_PARSE', `not an FBNet op-index string: "${arch}"`, { input: arch });
      return dna;
    }
    case 'fbnet_stages':
    case 'mobilenetv2':
    case 'generic':
      names = arch.split(',').map((kv) => kv.slice(kv.indexOf('=') + 1));
      break;
  }
  if (names.length !== space.layers.length) {
    throw new LayernasError('SPEC_PARSE', `arch "${arch}" has ${names.length} layers, space ${space.name} has ${space.layers.length}`, { input: arch });
  }
  return names.map((n, i) => {
    const idx = space.layers[i]!.options.indexOf(n);
    if (idx < 0) throw new LayernasError('SPEC_PARSE', `arch "${arch}": layer ${i} option "${n}" is not in space ${space.name}`, { input: arch, layer: i });
    return idx;
  });
}
