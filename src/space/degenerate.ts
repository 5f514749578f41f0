/**
 * Degenerate architectures: models that cannot learn anything (chance accuracy) whatever their weights, so a search
 * never needs to train one. Decided per decoder by an explicit switch:
 *  - nb201: the cell's output node is not connected to its input (every path has a `none` edge);
 *  - every other decoder: none (their `skip` options keep the network connected).
 */
import type { Dna, SearchSpace } from './types.js';

/** NB201 edges in layer order: [to, from] (e0: 1<-0, e1: 2<-0, e2: 2<-1, e3: 3<-0, e4: 3<-1, e5: 3<-2). */
const NB201_EDGES: readonly (readonly [number, number])[] = [[1, 0], [2, 0], [2, 1], [3, 0], [3, 1], [3, 2]];

export function isDegenerate(space: SearchSpace, dna: Dna): boolean {
  switch (space.decoder) {
    case 'nb201': {
      const reached = [true, false, false, false];
      NB201_EDGES.forEach(([to, from], l) => {
        const op = space.layers[l]?.options[dna[l] as number];
        if (op !== 'none' && reached[from]) reached[to] = true;
      });
      return !reached[3];
    }
    case 'nats_sss':
    case 'fbnet':
    case 'fbnet_stages':
    case 'mobilenetv2':
    case 'generic':
      return false;
  }
}
