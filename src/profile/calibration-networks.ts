/**
 * Which whole networks a table is calibrated on (src/profile/calibration.ts).
 *
 * Uniformly random DNAs cover only the middle of a space's cost range: in FBNet a layer is `skip` with probability 1/9,
 * so a network of mostly skips essentially never appears among 40 random ones. Yet a latency-bounded search spends its
 * tight budgets exactly there, and a fit that never saw the cheap end extrapolates its intercept and per-kind scales
 * into it: before this, the shipped host tables predicted the all-skip FBNet network 48-65% too slow on TFLite and the
 * cheapest MobileNetV2-space network 18% too fast on TFLite 1 thread / 37% too slow on 2 threads, while random networks
 * were within +-10%. So calibration networks are the uniform ones plus networks drawn across the cost range: network j
 * picks each layer's option with probability proportional to exp(-beta_j * cost), cost being the option's MAdds at that
 * position scaled to [0, 1] per layer, and beta_j spread evenly from -maxBeta (the dearest options) to +maxBeta (the
 * cheapest); the cheapest network of the space (skip wherever allowed) and the dearest one are always included.
 */
import { networkCost } from '../arch/shapes.js';
import { Rng } from '../core/rng.js';
import type { Dna, SearchSpace } from '../space/types.js';
import { randomDnas } from './profiler.js';
import { spaceNetwork } from './space-networks.js';

/**
 * Per layer position, each option's MAdds relative to the layer's cheapest option, scaled to [0, 1]. The profiled
 * spaces fix each position's input shape (src/profile/space-networks.ts distinctSpaceBlocks), so an option's cost at
 * a position does not depend on the other layers' choices.
 */
export function relativeOptionCosts(space: SearchSpace): number[][] {
  const base = space.radix.map(() => 0);
  return space.radix.map((r, i) => {
    const madds = Array.from({ length: r }, (_, o) => networkCost(spaceNetwork(space, base.map((v, j) => (j === i ? o : v)))).madds);
    const lo = Math.min(...madds);
    const span = Math.max(...madds) - lo;
    return madds.map((m) => (span > 0 ? (m - lo) / span : 0));
  });
}

/** The space's cheapest and dearest DNAs: every layer's cheapest (dearest) option by MAdds. */
export function extremeDnas(costs: readonly (readonly number[])[]): { cheapest: number[]; dearest: number[] } {
  return { cheapest: costs.map((c) => c.indexOf(Math.min(...c))), dearest: costs.map((c) => c.indexOf(Math.max(...c))) };
}

/**
 * `count` DNAs whose costs span the space: the cheapest network (every layer's cheapest option), the dearest, then
 * one network per beta, beta evenly from -maxBeta to +maxBeta.
 */
export function costSpanningDnas(space: SearchSpace, count: number, seed: number, maxBeta = 16): Dna[] {
  const costs = relativeOptionCosts(space);
  const { cheapest, dearest } = extremeDnas(costs);
  const rng = new Rng(seed);
  const sampled = Math.max(0, count - 2);
  return [cheapest, dearest].slice(0, Math.max(0, count)).concat(Array.from({ length: sampled }, (_, j) => {
    const beta = sampled === 1 ? 0 : maxBeta * ((2 * j) / (sampled - 1) - 1);
    return costs.map((c) => rng.weighted(c.map((x) => Math.exp(-beta * x))));
  }));
}

export interface CalibrationDnaOptions {
  /** uniformly random networks (the bulk of what a search samples) */
  readonly uniform: number;
  /** networks spread over the cost range, cheapest and dearest ends included */
  readonly spanning: number;
  readonly seed: number;
}

/** Calibration DNAs: `uniform` random ones (seed), then `spanning` cost-spanning ones (seed + 1); duplicates dropped. */
export function calibrationDnas(space: SearchSpace, o: CalibrationDnaOptions): Dna[] {
  const seen = new Set<string>();
  return [...randomDnas(space.radix, o.uniform, o.seed), ...costSpanningDnas(space, o.spanning, o.seed + 1)].filter((d) => {
    const k = d.join('-');
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
