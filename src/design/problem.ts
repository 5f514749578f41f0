/**
 * The design search problem: predicted latency on the target (per-block table) and MAdds of the trained network as
 * cost models, the budget as constraints, and the up-front refusal of a budget no architecture of the space meets
 * (BUDGET_IMPOSSIBLE naming the cheapest possible latency), all before any training.
 */
import { LayernasError } from '../core/errors.js';
import type { CostModel } from '../cost/types.js';
import { networkCostModel } from '../cost/network-cost.js';
import { targetLatencyCostModel } from '../cost/target-latency-model.js';
import type { Dna } from '../space/types.js';
import { searchProblem, type SearchProblem } from '../study/problem.js';
import type { LatencySource } from './latency-source.js';
import type { SpaceNetworks } from './space-networks.js';

/** The shared search problem (src/study/problem.ts; LayerNAS buckets: latency and MAdds) plus what design reports. */
export interface DesignProblem extends SearchProblem {
  readonly networks: SpaceNetworks;
  readonly latency: CostModel;
  readonly madds: CostModel;
  readonly params: CostModel;
  readonly cheapest: { readonly dna: number[]; readonly latencyMs: number };
}

/** The DNA of least cost, layer by layer from exact completion bounds (exact for additive costs). */
export function cheapestDna(model: CostModel, radix: readonly number[]): number[] {
  const dna = radix.map(() => 0);
  for (let l = 0; l < radix.length; l++) {
    let best = 0;
    let bestCost = Infinity;
    for (let o = 0; o < (radix[l] as number); o++) {
      dna[l] = o;
      const b = model.completionBounds(dna, l + 1).min;
      if (b < bestCost) {
        bestCost = b;
        best = o;
      }
    }
    dna[l] = best;
  }
  return dna;
}

export function buildDesignProblem(source: LatencySource, targetId: string, latencyMs: number, maddsMax: number | undefined): DesignProblem {
  const nets = source.networks;
  const space = nets.space;
  const priced = (nets.priced(space.radix.map(() => 0)).layers.at(-1) as { out: number }).out;
  // the cost models `search --cost latency:<target> / madds / params` builds (src/cost), on the design's table and classes
  const latency = targetLatencyCostModel(space, [source.table], `latency:${targetId}`, { classes: priced });
  const madds = networkCostModel(space, 'madds', nets.classes);
  const params = networkCostModel(space, 'params', nets.classes);
  const cheap = cheapestDna(latency, space.radix);
  const cheapMs = latency.cost(cheap);
  const spaceMin = latency.completionBounds(space.radix.map(() => 0), 0).min;
  if (latencyMs < spaceMin) {
    throw new LayernasError('BUDGET_IMPOSSIBLE',
      `latency budget ${latencyMs} ms on ${targetId} is below the cheapest architecture of space ${space.name}: ${spaceMin.toFixed(4)} ms predicted ` +
      `(${nets.trained(cheap).name}); raise --latency-ms to at least ${spaceMin.toFixed(4)}`,
      { target: targetId, space: space.name, budgetMs: latencyMs, cheapestMs: spaceMin, cheapestDna: cheap });
  }
  const list = [{ model: latency, low: 0, high: latencyMs }];
  if (maddsMax !== undefined) {
    const maddsMin = madds.completionBounds(space.radix.map(() => 0), 0).min;
    if (maddsMax < maddsMin) {
      throw new LayernasError('BUDGET_IMPOSSIBLE', `MAdds budget ${maddsMax} is below the cheapest architecture of space ${space.name}: ${maddsMin} MAdds`, {
        space: space.name, maddsMax, cheapestMadds: maddsMin,
      });
    }
    list.push({ model: madds, low: 0, high: maddsMax });
  }
  const problem = searchProblem(space, list, { bucketCosts: [latency, madds], reportCosts: [latency, madds, params] });
  problem.constraints.assertPossible();
  return { ...problem, networks: nets, latency, madds, params, cheapest: { dna: cheap, latencyMs: cheapMs } };
}

export function costsOf(p: DesignProblem, dna: Dna): { latencyMs: number; madds: number; params: number } {
  return { latencyMs: p.latency.cost(dna), madds: p.madds.cost(dna), params: p.params.cost(dna) };
}
