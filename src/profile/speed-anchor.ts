/**
 * How fast the machine runs now, relative to when a table was measured: the table's speed anchor (a fixed network,
 * `metadata.anchor`) is timed in rounds interleaved with the model under test. On this shared VM the speed of the
 * same model moved by up to +-30% over minutes, so a prediction is compared with a measurement twice: as is, and
 * scaled by (anchor now / anchor in the table), which removes the machine's drift but not the table's own error.
 */
import { parseNetwork } from '../arch/grammar.js';
import type { LatencyTable } from '../cost/latency-table.js';
import type { LatencyBackend, PreparedModel } from '../platform/backends.js';
import { runsForBudget, warmUp } from './measure.js';
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

/** Time `model` (already prepared) in rounds alternating with the table's anchor network. */
export async function measureAnchored(backend: LatencyBackend, model: PreparedModel, table: LatencyTable | null, protocol: AnchoredProtocol = DEFAULT_ANCHORED_PROTOCOL): Promise<AnchoredMeasurement> {
  const anchorInfo = table?.data.metadata.anchor;
  const anchor = anchorInfo ? await backend.prepare(parseNetwork(anchorInfo.arch), 'speed-anchor') : null;
  try {
    const runsFor = (warm: number[]): number => runsForBudget(warm, protocol.roundBudgetMs, protocol.minRunsPerRound);
    const nModel = runsFor(await warmUp(model, protocol.warmupRuns));
    const nAnchor = anchor ? runsFor(await warmUp(anchor, protocol.warmupRuns)) : 0;
    const m: number[] = [];
    const a: number[] = [];
    const perRound: number[] = [];
    for (let r = 0; r < protocol.rounds; r++) {
      const as = anchor ? await anchor.sample(nAnchor) : [];
      const ms = await model.sample(nModel);
      a.push(...as);
      m.push(...ms);
      if (anchor && anchorInfo) perRound.push((median(ms) / median(as)) * anchorInfo.median_ms);
    }
    const anchorSummary = anchor ? summarize(a) : null;
    return {
      model: summarize(m),
      modelSamples: m,
      anchor: anchorSummary,
      speedRatio: anchorSummary && anchorInfo ? anchorSummary.median_ms / anchorInfo.median_ms : null,
      atTableSpeedMs: perRound.length > 0 ? median(perRound) : null,
    };
  } finally {
    await anchor?.dispose();
  }
}
