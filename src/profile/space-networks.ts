/**
 * The distinct block keys a search space can contain (what `layernas profile` measures), over the space's own
 * DNA -> network decoder.
 */
import { walkShapes } from '../arch/shapes.js';
import type { LayerSpec, NetworkSpec, TensorShape } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { coveringDnas, decodeNetwork } from '../space/network.js';
import type { Dna, SearchSpace } from '../space/types.js';

/**
 * The network of a DNA: src/space/network.ts decodeNetwork (one builder for search, evaluation and profiling,
 * so table keys and the search's networks cannot drift apart).
 */
export function spaceNetwork(space: SearchSpace, dna: Dna): NetworkSpec {
  return decodeNetwork(space, dna);
}

export interface DistinctBlock {
  readonly key: string;
  readonly layer: LayerSpec;
  readonly input: TensorShape;
}

/** The network of one block alone (what `profile` times for a table entry). */
export function oneBlockNetwork(b: DistinctBlock): NetworkSpec {
  return { name: b.key, input: { height: b.input.h, width: b.input.w, channels: b.input.c }, layers: [b.layer] };
}

/** Distinct block keys (with their layer and input shape) over a list of networks. */
export function distinctBlocksOf(networks: Iterable<NetworkSpec>): DistinctBlock[] {
  const byKey = new Map<string, DistinctBlock>();
  for (const net of networks) {
    for (const row of walkShapes(net)) if (!byKey.has(row.key)) byKey.set(row.key, { key: row.key, layer: row.layer, input: row.input });
  }
  return [...byKey.values()];
}

/**
 * Every distinct block a space can contain, from src/space/network.ts coveringDnas. The spaces' options keep each
 * layer's input shape fixed (stride and channels are set by position); checked below.
 */
export function distinctSpaceBlocks(space: SearchSpace): DistinctBlock[] {
  const networks: NetworkSpec[] = [];
  let inputs: string[] | undefined;
  for (const dna of coveringDnas(space)) {
    const net = spaceNetwork(space, dna);
    const these = walkShapes(net).map((r) => `${r.input.h}x${r.input.w}x${r.input.c}`);
    if (inputs && these.join() !== inputs.join()) {
      throw new LayernasError('SPACE_INVALID', `space ${space.name}: layer input shapes depend on the options; enumerate an architecture list instead`, { space: space.name });
    }
    inputs = these;
    networks.push(net);
  }
  return distinctBlocksOf(networks);
}
