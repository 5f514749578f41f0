/**
 * Exact MAdds / params cost models computed from the shape walk of the decoded network (src/arch/shapes.ts).
 * Spaces whose layers have fixed in/out shapes are additive per layer (per stage for fbnet_stages), so the model is
 * base + a per-layer (per-group) table with exact completion bounds; additivity is checked on random DNAs and, when
 * it fails on a space small enough, the cost is tabulated for every architecture instead.
 */
import { networkCost } from '../arch/shapes.js';
import { LayernasError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { additiveCostModel, perArchitectureCostModel } from './tabular-latency.js';
import type { CostMetric, CostModel } from './types.js';
import type { NetworkSpec } from '../arch/spec.js';
import { groupedAdditiveCostModel, jointOptions } from './grouped-additive.js';
import { decisionGroups, decodeSized } from '../space/network.js';
import { dnaFromIndex, spaceSize, type Dna, type SearchSpace } from '../space/types.js';

export type NetworkMetric = 'madds' | 'params';

export function networkCostModel(space: SearchSpace, metric: NetworkMetric, classes?: number): CostModel {
  return specCostModel(space, metric, metric, (spec) => {
    const c = networkCost(spec);
    return metric === 'madds' ? c.madds : c.params;
  }, classes);
}

/**
 * A cost model from any function of the decoded network (MAdds, params, latency predicted from a per-block table):
 * additive per layer when the space allows (exact completion bounds), else tabulated for small spaces. `classes`:
 * the network's classifier has that many outputs.
 */
export function specCostModel(space: SearchSpace, metric: CostMetric, name: string, costOf: (spec: NetworkSpec) => number, classes?: number): CostModel {
  const raw = (dna: Dna): number => costOf(decodeSized(space, dna, classes));
  const ref = space.radix.map(() => 0);
  const base = raw(ref);
  const groups = decisionGroups(space);
  let additive: CostModel;
  if (groups.every((g) => g.length === 1)) {
    const perLayer = space.radix.map((r, l) => Array.from({ length: r }, (_, o) => (o === 0 ? 0 : raw(ref.map((v, j) => (j === l ? o : v))) - base)));
    additive = additiveCostModel(space, metric, name, base, perLayer);
  } else {
    additive = groupedAdditiveCostModel(space, metric, name, base, groups.map((decisions) => {
      const n = decisions.reduce((a, d) => a * (space.radix[d] as number), 1);
      const table = Array.from({ length: n }, (_, j) => {
        const opts = jointOptions(space, decisions, j);
        return raw(ref.map((v, i) => { const k = decisions.indexOf(i); return k < 0 ? v : (opts[k] as number); })) - base;
      });
      return { decisions, table };
    }));
  }
  const rng = new Rng(12345);
  let isAdditive = true;
  for (let t = 0; t < 8 && isAdditive; t++) {
    const dna = space.radix.map((r) => rng.int(r));
    const exact = raw(dna);
    if (Math.abs(additive.cost(dna) - exact) > 1e-6 * Math.max(1, Math.abs(exact))) isAdditive = false;
  }
  if (isAdditive) return additive;
  const n = spaceSize(space);
  if (n > 100_000) {
    throw new LayernasError('SPACE_INVALID', `${name} of space ${space.name} is not additive per layer and the space is too large (${n}) to tabulate`);
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = raw(dnaFromIndex(space, i));
  return perArchitectureCostModel(space, metric, name, values);
}
