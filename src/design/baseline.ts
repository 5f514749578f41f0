/**
 * The hand-designed baseline a design is compared with: MobileNetV2-like, the same block in every searchable layer
 * (k3_e6, the MobileNetV2 block, then narrower k3_e3, k3_e1), with layers dropped (set to `skip` where the space
 * allows it, or a stage made one layer shallower in fbnet_stages) until the budget is met. Drop order: the layer whose removal saves the most predicted latency first.
 * Among the blocks, the one that fits with the fewest dropped layers wins (ties: the wider block), so a tight budget
 * narrows the block before it removes most of the network.
 */
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

const DEPTH = /^d(\d+)$/;

/** A stage-depth decision (fbnet_stages): every option is d<n>. */
function isDepthDecision(options: readonly string[]): boolean {
  return options.every((o) => DEPTH.test(o));
}

/** The move that drops one layer at decision i, or undefined: `skip` where allowed, else one step shallower. */
function dropMove(options: readonly string[], current: number): number | undefined {
  if (isDepthDecision(options)) {
    const depth = Number(DEPTH.exec(options[current] as string)![1]);
    const shallower = options.indexOf(`d${depth - 1}`);
    return shallower >= 0 ? shallower : undefined;
  }
  const skip = options.indexOf('skip');
  return skip >= 0 && skip !== current ? skip : undefined;
}

/**
 * `block` in every layer (stage-depth decisions at their deepest), then drop layers one at a time, each time the one
 * whose removal saves the most predicted latency (ties: the earlier decision), until the constraints are met.
 */
function uniformWithDrops(p: DesignProblem, block: string): Baseline | undefined {
  const space = p.networks.space;
  const dna: number[] = [];
  for (const l of space.layers) {
    if (isDepthDecision(l.options)) {
      dna.push(l.options.indexOf(`d${Math.max(...l.options.map((o) => Number(DEPTH.exec(o)![1])))}`));
      continue;
    }
    const o = l.options.indexOf(block);
    if (o < 0) return undefined;
    dna.push(o);
  }
  const dropped: string[] = [];
  for (;;) {
    if (p.constraints.feasible(dna)) {
      return {
        dna, block, dropped,
        description: `${block} in every layer${dropped.length > 0 ? `, ${dropped.length} layer(s) dropped (${dropped.join(', ')})` : ''}`,
      };
    }
    const now = p.latency.cost(dna);
    let best: { i: number; to: number; saves: number } | undefined;
    space.layers.forEach((l, i) => {
      const to = dropMove(l.options, dna[i] as number);
      if (to === undefined) return;
      const saves = now - p.latency.cost(dna.map((v, j) => (j === i ? to : v)));
      if (!best || saves > best.saves) best = { i, to, saves };
    });
    if (!best) return undefined;
    const { i, to } = best;
    dna[i] = to;
    const l = space.layers[i]!;
    dropped.push(isDepthDecision(l.options) ? `${l.name}=${l.options[to]}` : l.name);
  }
}
