/**
 * The design job's view of a search space: DNA -> the network that is trained and exported (classifier sized for
 * the dataset), and DNA -> the network whose latency is looked up (classifier sized like the latency table's head).
 * Adapter over src/space/network.ts decodeNetwork, whose mobilenetv2 decoder takes the class count from the space.
 */
import { classifierOf } from '../arch/kinds/index.js';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { loadSpace } from '../space/load.js';
import { coveringDnas, decodeNetwork } from '../space/network.js';
import type { Dna, SearchSpace } from '../space/types.js';

/** A shipped space (spaces/<name>.json, e.g. mobile32, fbnet) or a space .json file: the same resolver as every command. */
export function loadDesignSpace(nameOrFile: string): SearchSpace {
  return loadSpace(nameOrFile);
}

/** The same network with its final classifier resized to `classes` outputs. */
export function withClasses(spec: NetworkSpec, classes: number): NetworkSpec {
  const last = classifierOf(spec);
  if (!last) {
    throw new LayernasError('SPACE_INVALID', `network ${spec.name ?? ''} does not end in an fc classifier; cannot size it for ${classes} classes`, { classes });
  }
  if (last.out === classes) return spec;
  return { ...spec, layers: [...spec.layers.slice(0, -1), { ...last, out: classes }] };
}

export interface SpaceNetworks {
  readonly space: SearchSpace;
  /** classes of the dataset (trained / exported classifier) */
  readonly classes: number;
  /** the network trained and exported */
  trained(dna: Dna): NetworkSpec;
  /** the network priced by the latency table (same body; head as measured in the table) */
  priced(dna: Dna): NetworkSpec;
}

export function spaceNetworks(space: SearchSpace, classes: number, pricedClasses: number = classes): SpaceNetworks {
  const name = (dna: Dna): string => `${space.name}_${dna.join('-')}`;
  return {
    space,
    classes,
    trained: (dna) => ({ ...withClasses(decodeNetwork(space, dna, classes), classes), name: name(dna) }),
    priced: (dna) => ({ ...withClasses(decodeNetwork(space, dna, pricedClasses), pricedClasses), name: name(dna) }),
  };
}

/** Networks that together contain every distinct block of the space (what a latency table must cover). */
export function coveringNetworks(nets: SpaceNetworks, which: 'trained' | 'priced'): NetworkSpec[] {
  return coveringDnas(nets.space).map((dna) => nets[which](dna));
}
