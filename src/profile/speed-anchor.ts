/**
 * How fast the machine runs now, relative to when a table was measured: the table's speed anchor (a fixed network,
 * `metadata.anchor`) is timed in rounds interleaved with the model under test. On this shared VM the speed of the
 * same model moved by up to +-30% over minutes, so a prediction is compared with a measurement twice: as is, and
 * scaled by (anchor now / anchor in the table), which removes the machine's drift but not the table's own error.
 */
import { parseNetwork } from '../arch/grammar.js';
import type { LatencyTable } from '../cost/latency-table.js';
import type { LatencyBackend, PreparedModel } from '../platform/backends.js';
import { middleBy, runsForBudget, warmUp } from './measure.js';
import { median, summarize, type SampleSummary } from './stats.js';

export interface AnchoredMeasurement {
  readonly model: SampleSummary;
  /** every timed run of the model (ms) */
  readonly modelSamples: readonly number[];
  /** null when the table has no anchor (phone tables converted from papers) or the backend cannot time it */
  readonly anchor: SampleSummary | null;
  /** anchor median now / anchor median in the table (> 1: the machine is slower now than when profiled) */
  readonly speedRatio: number | null;
  /**
   * the model's latency at the table's speed: median over rounds of (model's round median / anchor's round median)
   * x the table's anchor median; null without an anchor
   */
  readonly atTableSpeedMs: number | null;
}

export interface AnchoredProtocol {
  readonly warmupRuns: number;
  readonly rounds: number;
  /** wall-clock budget per model per round */
  readonly roundBudgetMs: number;
  readonly minRunsPerRound: number;
}

export const DEFAULT_ANCHORED_PROTOCOL: AnchoredProtocol = { warmupRuns: 5, rounds: 10, roundBudgetMs: 60, minRunsPerRound: 5 };

/** One load's timings: the model's runs, the anchor's, and per round the model's time at the table's speed. */
export interface LoadTimings {
  readonly m: readonly number[];
  readonly a: readonly number[];
  readonly perRound: readonly number[];
}

/**
 * The load in the middle of several loads of one file: ranked by the model's time at the table's speed when there is
 * an anchor, else by its raw median; with an even count, the faster of the two middle ones.
 */
export function middleLoad<T extends LoadTimings>(loads: readonly T[]): T {
  return middleBy(loads, (l) => (l.perRound.length > 0 ? median(l.perRound) : median(l.m)));
}

/**
 * Time `model` (already prepared) in rounds alternating with the table's anchor network. Given several loads of the
 * same model file, each gets its own anchor load and both are timed load by load in every round; the figures are
 * those of the load in the middle (the median over loads of the per-load medians): one load of a small model can run
 * ~25% slower than another load of the same file for its whole life (docs/tflite.md), and one load must not decide.
 */
export async function measureAnchored(backend: LatencyBackend, model: PreparedModel | readonly PreparedModel[], table: LatencyTable | null, protocol: AnchoredProtocol = DEFAULT_ANCHORED_PROTOCOL): Promise<AnchoredMeasurement> {
  const models: readonly PreparedModel[] = Array.isArray(model) ? model : [model as PreparedModel];
  const anchorInfo = table?.data.metadata.anchor;
  const anchors: PreparedModel[] = [];
  try {
    if (anchorInfo) for (let i = 0; i < models.length; i++) anchors.push(await backend.prepare(parseNetwork(anchorInfo.arch), 'speed-anchor'));
    const runsFor = (warm: number[]): number => runsForBudget(warm, protocol.roundBudgetMs, protocol.minRunsPerRound);
    const nModel = runsFor(await warmUp(models[0] as PreparedModel, protocol.warmupRuns));
    for (const m of models.slice(1)) await warmUp(m, protocol.warmupRuns);
    const nAnchor = anchors[0] ? runsFor(await warmUp(anchors[0], protocol.warmupRuns)) : 0;
    for (const a of anchors.slice(1)) await warmUp(a, protocol.warmupRuns);
    const loads = models.map(() => ({ m: [] as number[], a: [] as number[], perRound: [] as number[] }));
    for (let r = 0; r < protocol.rounds; r++) {
      for (const [i, load] of loads.entries()) {
        const anchor = anchors[i];
        const as = anchor ? await anchor.sample(nAnchor) : [];
        const ms = await (models[i] as PreparedModel).sample(nModel);
        load.a.push(...as);
        load.m.push(...ms);
        if (anchor && anchorInfo) load.perRound.push((median(ms) / median(as)) * anchorInfo.median_ms);
      }
    }
    const mid = middleLoad(loads);
    const anchorSummary = mid.a.length > 0 ? summarize(mid.a) : null;
    return {
      model: summarize(mid.m),
      modelSamples: mid.m,
      anchor: anchorSummary,
      speedRatio: anchorSummary && anchorInfo ? anchorSummary.median_ms / anchorInfo.median_ms : null,
      atTableSpeedMs: mid.perRound.length > 0 ? median(mid.perRound) : null,
    };
  } finally {
    for (const a of anchors) await a.dispose();
  }
}
