/**
 * Search algorithms see only DNAs, rewards and costs (through Constraints). They never evaluate or await anything:
 * the study asks for proposals, evaluates them, and tells the rewards back in trial order. Given the same seed and
 * the same sequence of ask/tell calls an algorithm makes the same proposals, which is how a study rebuilds an
 * algorithm's state from its journal on resume.
 */
import type { Dna } from '../space/types.js';

export interface SearchAlgorithm {
  readonly name: string;
  /**
   * Up to `max` new DNAs to evaluate now. Every one is feasible for the baselines, and for LayerNAS can still reach
   * the target range (an intermediate model). [] means: waiting for tells, or finished (see done()).
   */
  ask(max: number): Dna[];
  /** Reward of a DNA returned by ask (a failed evaluation is told as -Infinity). */
  tell(dna: Dna, reward: number): void;
  /** true when the algorithm has nothing more to propose */
  done(): boolean;
  /** optional summary for reports (e.g. LayerNAS best candidates per bucket) */
  summary?(): Record<string, unknown>;
}

export const ALGORITHMS = ['layernas', 'random', 're', 'reinforce'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export function isAlgorithmName(name: string): name is AlgorithmName {
  return (ALGORITHMS as readonly string[]).includes(name);
}
