/**
 * The design job's view of a search space: DNA -> the network that is trained and exported (classifier sized for
 * the dataset), and DNA -> the network whose latency is looked up (classifier sized like the latency table's head).
 * Adapter over src/space/network.ts decodeNetwork, whose mobilenetv2 decoder takes the class count from the space.
 */
import type { NetworkSpec } from '../arch/spec.js';
import { loadSpace } from '../space/load.js';
import { coveringDnas, decodeSized } from '../space/network.js';
import type { Dna, SearchSpace } from '../space/types.js';

/** A shipped space (spaces/<name>.json, e.g. mobile32, fbnet) or a space .json file: the same resolver as every command. */
export function loadDesignSpace(nameOrFile: string): SearchSpace {
  return loadSpace(nameOrFile);
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
    trained: (dna) => ({ ...decodeSized(space, dna, classes), name: name(dna) }),
    priced: (dna) => ({ ...decodeSized(space, dna, pricedClasses), name: name(dna) }),
  };
}

/** Networks that together contain every distinct block of the space (what a latency table must cover). */
export function coveringNetworks(nets: SpaceNetworks, which: 'trained' | 'priced'): NetworkSpec[] {
  return coveringDnas(nets.space).map((dna) => nets[which](dna));
}
