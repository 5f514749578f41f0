/** Builds a search algorithm by name for a problem (explicit switch), with the settings recorded in the journal. */
import { Rng } from '../core/rng.js';
import { DEFAULT_EVOLUTION, RegularizedEvolution } from '../search/evolution.js';
import { LayerNas } from '../search/layernas.js';
import { chooseLayerNasSettings, type ChosenLayerNasSettings } from '../search/layernas-settings.js';
import { RandomSearch } from '../search/random-search.js';
import { DEFAULT_REINFORCE, Reinforce } from '../search/reinforce.js';
import type { AlgorithmName, SearchAlgorithm } from '../search/types.js';
import type { Problem } from './problem.js';

export interface AlgorithmChoice {
  readonly algorithm: SearchAlgorithm;
  /** JSON settings (part of the study settings compared on resume) */
  readonly settings: Record<string, unknown>;
}

export interface LayerNasOverrides {
  readonly buckets?: number;
  readonly keep?: number;
  /** LayerNAS polish proposals per round (search: --batch) */
  readonly polishBatch?: number;
}

/** LayerNAS settings by the fixed rule (src/search/layernas-settings.ts), with optional H/K overrides. */
export function layerNasSettingsFor(problem: Problem, maxTrials: number, overrides: LayerNasOverrides = {}): ChosenLayerNasSettings {
  const chosen = chooseLayerNasSettings(problem.constraints, problem.bucketCosts, maxTrials);
  return { ...chosen, buckets: overrides.buckets ?? chosen.buckets, keep: overrides.keep ?? chosen.keep, ...(overrides.polishBatch !== undefined ? { polishBatch: overrides.polishBatch } : {}) };
}

export function makeAlgorithm(name: AlgorithmName, problem: Problem, seed: number, maxTrials: number, layerNas?: ChosenLayerNasSettings): AlgorithmChoice {
  const rng = new Rng(seed);
  switch (name) {
    case 'layernas': {
      const s = layerNas ?? layerNasSettingsFor(problem, maxTrials);
      return {
        algorithm: new LayerNas(problem.constraints, { ...s, seed }),
        settings: { buckets: s.buckets, keep: s.keep, base: [...s.base], bucketCosts: s.bucketCosts.map((c) => c.name), estimatedTrials: s.estimatedTrials, polish: s.polish ?? true, polishBatch: s.polishBatch ?? 1 },
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
