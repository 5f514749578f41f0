/**
 * The FBNet space factorized by stage (MnasNet's "factorized hierarchical" search space; timm's `_r<n>` repeats):
 * instead of 22 independent layers, one decision per stage for the block and one for its depth.
 *   decisions, in order: s0:op, s1:op, s1:depth, s2:op, s2:depth, ..., s5:op, s5:depth, s6:op
 *   op options: FBNet op names (src/arch/zoo.ts FBNET_OPS; `skip` only in the single-layer stages s0 and s6)
 *   depth options: d1..d4 = the first n layers of the stage use the op, the others are `skip`
 * A DNA expands to the 22 FBNet op indices, so networks, latency tables and exported models are exactly the FBNet
 * space's; the search sees 12 decisions (LayerNAS: ~50 children per pass instead of ~180).
 */
import { FBNET_OPS, FBNET_STAGE_SIZES } from '../arch/zoo.js';
import { LayernasError } from '../core/errors.js';
import type { Dna, SearchSpace } from './types.js';

const SKIP = FBNET_OPS.indexOf('skip');

/** Which decision drives what: per stage, the index of its op decision and of its depth decision (single-layer stages have none). */
interface StagePlan {
  readonly op: number;
  readonly depth: number | undefined;
}

export function fbnetStagePlan(space: SearchSpace): StagePlan[] {
  const plan: StagePlan[] = [];
  let d = 0;
  for (const [stage, size] of FBNET_STAGE_SIZES.entries()) {
    const op = d++;
    const depth = size > 1 ? d++ : undefined;
    plan.push({ op, depth });
    const check = (i: number, what: string, ok: (o: string) => boolean): void => {
      const layer = space.layers[i];
      if (!layer) throw new LayernasError('SPACE_INVALID', `space ${space.name}: fbnet_stages needs ${what} of stage s${stage} as decision ${i}, the space has ${space.layers.length} decisions`, { space: space.name, layer: i });
      const bad = layer.options.find((o) => !ok(o));
      if (bad !== undefined) throw new LayernasError('SPACE_INVALID', `space ${space.name}: decision ${i} (${layer.name}) is the ${what} of stage s${stage}; option "${bad}" is not allowed there`, { space: space.name, layer: i });
    };
    check(op, 'block', (o) => (FBNET_OPS as readonly string[]).includes(o) && (size === 1 || o !== 'skip'));
    if (depth !== undefined) {
      check(depth, 'depth', (o) => {
        const m = /^d(\d)$/.exec(o);
        return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= size;
      });
    }
  }
  if (d !== space.layers.length) {
    throw new LayernasError('SPACE_INVALID', `space ${space.name}: fbnet_stages has ${d} decisions, the space lists ${space.layers.length}`, { space: space.name });
  }
  return plan;
}

/** The 22 FBNet op indices of a stage-space DNA. */
export function fbnetStageOps(space: SearchSpace, dna: Dna): number[] {
  const ops: number[] = [];
  for (const [stage, p] of fbnetStagePlan(space).entries()) {
    const op = FBNET_OPS.indexOf(space.layers[p.op]!.options[dna[p.op] as number] as (typeof FBNET_OPS)[number]);
    const size = FBNET_STAGE_SIZES[stage] as number;
    const depth = p.depth === undefined ? size : Number(space.layers[p.depth]!.options[dna[p.depth] as number]!.slice(1));
    for (let i = 0; i < size; i++) ops.push(i < depth ? op : SKIP);
  }
  return ops;
}

/**
 * Stage-space DNAs whose networks together contain every (position, block) pair: block o everywhere at full depth,
 * plus every stage at its least depth (the `skip` layers after a stage's first).
 */
export function fbnetStageCoveringDnas(space: SearchSpace): number[][] {
  const plan = fbnetStagePlan(space);
  const depthDecisions = new Set(plan.flatMap((p) => (p.depth === undefined ? [] : [p.depth])));
  const depthOf = (o: string): number => Number(o.slice(1));
  const extreme = (i: number, pick: (a: number, b: number) => number): number => {
    const opts = space.layers[i]!.options;
    return opts.indexOf(`d${opts.map(depthOf).reduce((a, b) => pick(a, b))}`);
  };
  const maxOptions = Math.max(...plan.map((p) => space.radix[p.op] as number));
  const full = Array.from({ length: maxOptions }, (_, o) => space.radix.map((r, i) => (depthDecisions.has(i) ? extreme(i, Math.max) : Math.min(o, r - 1))));
  return [...full, space.radix.map((_, i) => (depthDecisions.has(i) ? extreme(i, Math.min) : 0))];
}
