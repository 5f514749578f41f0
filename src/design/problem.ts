/**
 * The design search problem: predicted latency on the target (per-block table) and MAdds of the trained network as
 * cost models, the budget as constraints, and the up-front refusal of a budget no architecture of the space meets
 * (BUDGET_IMPOSSIBLE naming the cheapest possible latency), all before any training.
 */
import { networkCost, walkShapes } from '../arch/shapes.js';
import { LayernasError } from '../core/errors.js';
import { predictLatency } from '../cost/latency-predictor.js';
import type { CostModel } from '../cost/types.js';
import { specCostModel } from '../cost/network-cost.js';
import type { Dna } from '../space/types.js';
import { searchProblem, type SearchProblem } from '../study/problem.js';
import type { LatencySource } from './latency-source.js';
import { withClasses, type SpaceNetworks } from './space-networks.js';

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
  const latency = specCostModel(space, 'latency_ms', `latency:${targetId}`, (spec) => predictLatency(walkShapes(withClasses(spec, priced)), source.table).total_ms);
  const madds = specCostModel(space, 'madds', 'madds', (spec) => networkCost(withClasses(spec, nets.classes)).madds);
  const params = specCostModel(space, 'params', 'params', (spec) => networkCost(withClasses(spec, nets.classes)).params);
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
