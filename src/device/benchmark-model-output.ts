/**
 * Parser for the text TFLite's `benchmark_model` prints (stdout or logcat; lines may carry an `INFO: ` or a
 * logcat prefix). We read:
 *  - the LAST `count=N first=.. curr=.. min=.. max=.. avg=.. std=.. [p5=.. median=.. p95=..]` line (the timed runs;
 *    the earlier one is the warm-up), in microseconds;
 *  - `Inference timings in us: Init: .., First inference: .., Warmup (avg): .., Inference (avg): ..`;
 *  - `Memory footprint delta from the start of the tool (MB): init=.. overall=..`;
 *  - `Overall peak memory footprint (MB) via periodic monitoring: ..` (newer versions, when asked for).
 * Older versions print no median/percentiles: `median_ms` is then null and callers must say they used the mean.
 */
import { LayernasError } from '../core/errors.js';

export interface BenchmarkModelResult {
  readonly count: number;
  readonly avg_ms: number;
  readonly std_ms: number | null;
  readonly min_ms: number | null;
  readonly max_ms: number | null;
  readonly median_ms: number | null;
  readonly p5_ms: number | null;
  readonly p95_ms: number | null;
  readonly init_ms: number | null;
  readonly first_inference_ms: number | null;
  readonly warmup_avg_ms: number | null;
  readonly memory: { readonly init_mb: number; readonly overall_mb: number; readonly peak_mb: number | null } | null;
  readonly threads_reported: number | null;
}

const NUM = '([0-9]+(?:\\.[0-9]+)?(?:e[+-]?[0-9]+)?)';

function field(line: string, name: string): number | null {
  const m = new RegExp(`(?:^|\\s)${name}=${NUM}`, 'i').exec(line);
  return m ? Number(m[1]) : null;
}

const usToMs = (v: number | null): number | null => (v === null ? null : v / 1000);

export function parseBenchmarkModelOutput(text: string): BenchmarkModelResult {
  const lines = text.split(/\r?\n/);
  const statLines = lines.filter((l) => /(?:^|\s)count=\d+/.test(l));
  const timings = lines.map((l) => new RegExp(`Inference timings in us: Init: ${NUM}, First inference: ${NUM}, Warmup \\(avg\\): ${NUM}, Inference \\(avg\\): ${NUM}`).exec(l)).find((m) => m !== null);
  const stat = statLines.at(-1);
  if (stat === undefined && timings === undefined) {
    const tail = lines.filter((l) => l.trim() !== '').slice(-5).join('\n');
    throw new LayernasError('DEVICE_FAILED', `benchmark_model output has no timing lines (no "count=" and no "Inference timings in us"); last lines:\n${tail}`, { tail });
  }
  const count = stat ? (field(stat, 'count') ?? 0) : 0;
  // "count=1 curr=123" (all same) has no avg: use curr.
  const avgUs = (stat ? (field(stat, 'avg') ?? field(stat, 'curr')) : null) ?? (timings ? Number(timings[4]) : null);
  if (avgUs === null || !Number.isFinite(avgUs)) {
    throw new LayernasError('DEVICE_FAILED', `benchmark_model output has a stat line without avg/curr: "${stat ?? ''}"`, { line: stat });
  }
  const mem = lines.map((l) => new RegExp(`Memory footprint delta from the start of the tool \\(MB\\): init=${NUM} overall=${NUM}`).exec(l)).find((m) => m !== null);
  const peak = lines.map((l) => new RegExp(`Overall peak memory footprint \\(MB\\) via periodic monitoring: ${NUM}`).exec(l)).find((m) => m !== null);
  const threadsLine = lines.map((l) => /(?:#threads used for CPU inference|Num threads): \[(\d+)\]/.exec(l)).find((m) => m !== null);
  return {
    count,
    avg_ms: avgUs / 1000,
    std_ms: stat ? usToMs(field(stat, 'std')) : null,
    min_ms: stat ? usToMs(field(stat, 'min')) : null,
    max_ms: stat ? usToMs(field(stat, 'max')) : null,
    median_ms: stat ? usToMs(field(stat, 'median')) : null,
    p5_ms: stat ? usToMs(field(stat, 'p5')) : null,
    p95_ms: stat ? usToMs(field(stat, 'p95')) : null,
    init_ms: timings ? Number(timings[1]) / 1000 : null,
    first_inference_ms: timings ? Number(timings[2]) / 1000 : null,
    warmup_avg_ms: timings ? Number(timings[3]) / 1000 : null,
    memory: mem ? { init_mb: Number(mem[1]), overall_mb: Number(mem[2]), peak_mb: peak ? Number(peak[1]) : null } : null,
    threads_reported: threadsLine ? Number(threadsLine[1]) : null,
  };
}
