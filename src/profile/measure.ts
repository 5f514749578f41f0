/**
 * The measuring protocol, shared by `profile` and `verify`: prepare a batch of models, warm each up, then time them
 * in interleaved rounds (model A, B, C, A, B, C, ...) so slow drifts of a shared machine hit every model alike;
 * keep every sample and summarise robustly (median, p90, IQR).
 */
import type { NetworkSpec } from '../arch/spec.js';
import type { LatencyBackend, PreparedModel } from './backends.js';
import { summarize, type SampleSummary } from './stats.js';

export interface MeasureProtocol {
  /** untimed runs per model before the rounds */
  readonly warmupRuns: number;
  /** interleaved rounds */
  readonly rounds: number;
  /** timed wall-clock budget per model per round (runs adapt to it) */
  readonly roundBudgetMs: number;
  readonly minRunsPerRound: number;
  readonly maxRunsPerRound: number;
}

export const DEFAULT_PROTOCOL: MeasureProtocol = { warmupRuns: 5, rounds: 5, roundBudgetMs: 40, minRunsPerRound: 3, maxRunsPerRound: 40 };

export interface MeasureItem {
  readonly name: string;
  readonly spec: NetworkSpec;
}

/** Measure a batch of networks with interleaved rounds; results in input order. */
export async function measureBatch(backend: LatencyBackend, items: readonly MeasureItem[], protocol: MeasureProtocol = DEFAULT_PROTOCOL): Promise<SampleSummary[]> {
  const prepared: PreparedModel[] = [];
  try {
    for (const it of items) prepared.push(await backend.prepare(it.spec, it.name));
    const runs: number[] = [];
    for (const p of prepared) {
      const warm = await p.sample(protocol.warmupRuns);
      const sorted = [...warm].sort((a, b) => a - b);
      const typical = sorted[Math.floor(sorted.length / 2)] ?? 1;
      runs.push(Math.max(protocol.minRunsPerRound, Math.min(protocol.maxRunsPerRound, Math.round(protocol.roundBudgetMs / Math.max(typical, 1e-3)))));
    }
    const samples: number[][] = prepared.map(() => []);
    for (let r = 0; r < protocol.rounds; r++) {
      for (const [i, p] of prepared.entries()) (samples[i] as number[]).push(...(await p.sample(runs[i] as number)));
    }
    return samples.map(summarize);
  } finally {
    for (const p of prepared) await p.dispose();
  }
}
