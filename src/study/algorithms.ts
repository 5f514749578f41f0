/** Builds a search algorithm by name for a problem (explicit switch), with the settings recorded in the journal. */
import { Rng } from '../core/rng.js';
import { DEFAULT_EVOLUTION, RegularizedEvolution } from '../search/evolution.js';
import { LayerNas } from '../search/layernas.js';
import { chooseLayerNasSettings, type ChosenLayerNasSettings } from '../search/layernas-settings.js';
import { RandomSearch } from '../search/random-search.js';
import { DEFAULT_REINFORCE, Reinforce } from '../search/reinforce.js';
import type { AlgorithmName, SearchAlgorithm } from '../search/types.js';
import type { SearchProblem } from './problem.js';

export interface AlgorithmChoice {
  readonly algorithm: SearchAlgorithm;
  /** JSON settings (part of the study settings compared on resume) */
  readonly settings: Record<string, unknown>;
}

export interface LayerNasOverrides {
  readonly buckets?: number;
  readonly keep?: number;
  /** LayerNAS polish proposals per round (search: --batch); results depend on it, not on the study's batch size */
  readonly polishBatch?: number;
  /**
   * a known-good architecture (e.g. a hand-designed baseline): LayerNAS starts from it instead of the rule's uniform
   * base when it is feasible and uses more of the primary cost (src/search/layernas-settings.ts)
   */
  readonly warmStart?: { readonly dna: readonly number[]; readonly description: string };
}

/** LayerNAS settings by the fixed rule (src/search/layernas-settings.ts), with optional H/K overrides and warm start. */
export function layerNasSettingsFor(problem: SearchProblem, maxTrials: number, overrides: LayerNasOverrides = {}): ChosenLayerNasSettings & { readonly baseFrom?: string } {
  const chosen = chooseLayerNasSettings(problem.constraints, problem.bucketCosts, maxTrials, overrides.warmStart?.dna);
  const warm = overrides.warmStart !== undefined && chosen.base.join() === overrides.warmStart.dna.join();
  return {
    ...chosen, buckets: overrides.buckets ?? chosen.buckets, keep: overrides.keep ?? chosen.keep,
    ...(overrides.polishBatch !== undefined ? { polishBatch: overrides.polishBatch } : {}),
    ...(overrides.warmStart ? { baseFrom: warm ? overrides.warmStart.description : 'uniform level rule' } : {}),
  };
}

export function makeAlgorithm(name: AlgorithmName, problem: SearchProblem, seed: number, maxTrials: number, layerNas?: ChosenLayerNasSettings & { readonly baseFrom?: string }): AlgorithmChoice {
  const rng = new Rng(seed);
  switch (name) {
    case 'layernas': {
      const s = layerNas ?? layerNasSettingsFor(problem, maxTrials);
      return {
        algorithm: new LayerNas(problem.constraints, { ...s, seed }),
        settings: {
          buckets: s.buckets, keep: s.keep, base: [...s.base], ...(s.baseFrom !== undefined ? { baseFrom: s.baseFrom } : {}),
          bucketCosts: s.bucketCosts.map((c) => c.name), estimatedTrials: s.estimatedTrials, polish: s.polish ?? true, polishBatch: s.polishBatch ?? 1,
        },
      };
    }
    case 'random':
      return { algorithm: new RandomSearch(problem.constraints, rng), settings: {} };
    case 're':
      return { algorithm: new RegularizedEvolution(problem.constraints, rng, DEFAULT_EVOLUTION), settings: { ...DEFAULT_EVOLUTION } };
    case 'reinforce':
      return { algorithm: new Reinforce(problem.constraints, rng, DEFAULT_REINFORCE), settings: { ...DEFAULT_REINFORCE } };
  }
}
