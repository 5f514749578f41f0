/**
 * The measuring protocol, shared by `profile` and `verify`: prepare a batch of models, warm each up, then time them
 * in interleaved rounds (model A, B, C, A, B, C, ...) so slow drifts of a shared machine hit every model alike;
 * keep every sample and summarise robustly (median, p90, IQR).
 */
import type { NetworkSpec } from '../arch/spec.js';
import type { LatencyBackend, PreparedModel } from '../platform/backends.js';
import { median, summarize, type SampleSummary } from './stats.js';

export interface MeasureProtocol {
  /** untimed runs per model before the rounds */
  readonly warmupRuns: number;
  /** interleaved rounds */
  readonly rounds: number;
  /** timed wall-clock budget per model per round (runs adapt to it) */
  readonly roundBudgetMs: number;
  readonly minRunsPerRound: number;
  readonly maxRunsPerRound: number;
  /**
   * 'wall': wall-clock ms per run (what a user sees; the default).
   * 'cpu': process CPU ms per run, averaged over each round (one sample per round). Only meaningful for 1-thread
   * targets; it leaves out time the process waits for a core, so it shows the model's cost on an oversubscribed
   * machine where wall-clock figures mostly measure other processes.
   */
  readonly clock?: 'wall' | 'cpu';
  /**
   * fresh loads of each model (default 1), all timed in every round; each model's figures are those of its middle
   * load (by median): on this host one load of a small model can run ~25% slower than another load of the same
   * model for its whole life (whole networks: `verify`, design's confirmation and few-shot networks time JUDGED_LOADS).
   * Only for runtimes that keep a model loaded between runs (this host's); benchmark_model loads per invocation.
   */
  readonly loads?: number;
}

/** loads of a whole network whose middle one is judged on this host: `verify`, design's budget confirmation, few-shot networks */
export const JUDGED_LOADS = 3;

export const DEFAULT_PROTOCOL: MeasureProtocol = { warmupRuns: 5, rounds: 5, roundBudgetMs: 40, minRunsPerRound: 3, maxRunsPerRound: 40 };

export interface MeasureItem {
  readonly name: string;
  readonly spec: NetworkSpec;
  readonly role?: 'block' | 'network';
}

/**
 * Untimed runs: at least `runs`, and at least ~30 ms of them (a freshly loaded model runs slower until its buffers
 * are resident: the first runs were 20-40% slower than the steady state here). Returns the last runs' timings.
 */
export async function warmUp(p: PreparedModel, runs: number, minMs = 30): Promise<number[]> {
  let warm = await p.sample(runs);
  let spent = warm.reduce((a, b) => a + b, 0);
  for (let k = 0; k < 200 && spent < minMs; k++) {
    warm = await p.sample(Math.max(1, runs));
    spent += warm.reduce((a, b) => a + b, 0);
  }
  return warm;
}

/** Runs per round so that a round lasts about `budgetMs`, from warm-up timings, clamped to [min, max]. */
export function runsForBudget(warm: readonly number[], budgetMs: number, min: number, max = Infinity): number {
  const typical = median(warm.length > 0 ? warm : [1]);
  return Math.max(min, Math.min(max, Math.round(budgetMs / Math.max(typical, 1e-3))));
}

/** Measure a batch of networks with interleaved rounds (every load of every model in each); results in input order. */
export async function measureBatch(backend: LatencyBackend, items: readonly MeasureItem[], protocol: MeasureProtocol = DEFAULT_PROTOCOL): Promise<SampleSummary[]> {
  const loads = Math.max(1, Math.floor(protocol.loads ?? 1));
  const prepared: PreparedModel[] = [];
  try {
    // prepared[i * loads + k]: load k of item i
    for (const it of items) for (let k = 0; k < loads; k++) prepared.push(await backend.prepare(it.spec, it.name, { role: it.role ?? 'network' }));
    const runs: number[] = [];
    for (const [j, p] of prepared.entries()) {
      const warm = await warmUp(p, protocol.warmupRuns);
      runs.push(j % loads === 0 ? runsForBudget(warm, protocol.roundBudgetMs, protocol.minRunsPerRound, protocol.maxRunsPerRound) : runs[j - 1] as number);
    }
    const samples: number[][] = prepared.map(() => []);
    for (let r = 0; r < protocol.rounds; r++) {
      for (const [j, p] of prepared.entries()) {
        const n = runs[j] as number;
        if (protocol.clock === 'cpu') {
          const c0 = process.cpuUsage();
          await p.sample(n);
          const c = process.cpuUsage(c0);
          (samples[j] as number[]).push((c.user + c.system) / 1000 / n);
        } else {
          (samples[j] as number[]).push(...(await p.sample(n)));
        }
      }
    }
    return items.map((_, i) => summarize(middleOf(samples.slice(i * loads, (i + 1) * loads))));
  } finally {
    for (const p of prepared) await p.dispose();
  }
}

/** the item in the middle by `score` (of an even count, the lower of the two middle ones): the judged load */
export function middleBy<T>(items: readonly T[], score: (x: T) => number): T {
  return [...items].sort((a, b) => score(a) - score(b))[(items.length - 1) >> 1] as T;
}

/** the samples of the load in the middle by median (of an even count, the faster of the two middle ones) */
export function middleOf(loads: readonly (readonly number[])[]): readonly number[] {
  return middleBy(loads, median);
}
