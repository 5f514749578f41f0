/**
 * The hand-designed baseline a design is compared with: MobileNetV2-like, the same block in every searchable layer
 * (k3_e6, the MobileNetV2 block, then narrower k3_e3, k3_e1), with layers dropped (set to `skip` where the space
 * allows it) until the budget is met. Drop order: the layer whose removal saves the most predicted latency first.
 * Among the blocks, the one that fits with the fewest dropped layers wins (ties: the wider block), so a tight budget
 * narrows the block before it removes most of the network.
 */
import type { Dna } from '../space/types.js';
import type { DesignProblem } from './problem.js';

export const BASELINE_BLOCKS = ['k3_e6', 'k3_e3', 'k3_e1'] as const;

export interface Baseline {
  readonly dna: number[];
  readonly block: string;
  readonly dropped: readonly string[];
  readonly description: string;
}

export function handDesignedBaseline(p: DesignProblem): Baseline | undefined {
  let best: Baseline | undefined;
  for (const block of BASELINE_BLOCKS) {
    const b = uniformWithDrops(p, block);
    if (b && (!best || b.dropped.length < best.dropped.length)) best = b;
  }
  return best;
}

/** `block` in every layer, then the fewest drops (largest latency saving first) that meet the constraints. */
function uniformWithDrops(p: DesignProblem, block: string): Baseline | undefined {
  const space = p.networks.space;
  const opts = space.layers.map((l) => l.options.indexOf(block));
  if (opts.some((o) => o < 0)) return undefined;
  const uniform = opts.slice();
  const skippable = space.layers.map((l, i) => ({ i, skip: l.options.indexOf('skip') })).filter((x) => x.skip >= 0);
  const saving = (i: number, skip: number): number => {
    const d: Dna = uniform.map((o, j) => (j === i ? skip : o));
    return p.latency.cost(uniform) - p.latency.cost(d);
  };
  const order = skippable.map((x) => ({ ...x, saves: saving(x.i, x.skip) })).sort((a, b) => b.saves - a.saves || a.i - b.i);
  const dna = uniform.slice();
  const dropped: string[] = [];
  for (let d = 0; d <= order.length; d++) {
    if (p.constraints.feasible(dna)) {
      return {
        dna, block, dropped,
        description: `${block} in every layer${dropped.length > 0 ? `, ${dropped.length} layer(s) dropped (${dropped.join(', ')})` : ''}`,
      };
    }
    const next = order[d];
    if (!next) break;
    dna[next.i] = next.skip;
    dropped.push(space.layers[next.i]?.name ?? String(next.i));
  }
  return undefined;
}
