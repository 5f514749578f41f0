/**
 * Progress with ETA on stderr: a redrawn bar on a terminal, a line every ~10% otherwise (logs stay readable).
 */
export interface ProgressSink {
  start(total: number, done: number, label: string): void;
  tick(detail: string): void;
  finish(summary: string): void;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class StderrProgress implements ProgressSink {
  private total = 0;
  private done = 0;
  private startedDone = 0;
  private t0 = 0;
  private label = '';
  private lastDecile = -1;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly now: () => number = () => Date.now()) {}

  start(total: number, done: number, label: string): void {
    this.total = total;
    this.done = done;
    this.startedDone = done;
    this.t0 = this.now();
    this.label = label;
    this.stream.write(`${label}: ${total} to measure${done > 0 ? `, ${done} already done (resumed)` : ''}\n`);
  }

  /** ETA from the rate of this session (resumed items excluded) */
  eta(): number {
    const measured = this.done - this.startedDone;
    if (measured === 0) return NaN;
    return ((this.now() - this.t0) / measured) * (this.total - this.done);
  }

  tick(detail: string): void {
    this.done++;
    const pct = this.total === 0 ? 100 : Math.floor((100 * this.done) / this.total);
    const line = `${this.label} ${this.done}/${this.total} ${pct}% ETA ${formatDuration(this.eta())} ${detail}`;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round((width * pct) / 100);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line}`.slice(0, (this.stream.columns ?? 120) - 1).padEnd(Math.min(119, (this.stream.columns ?? 120) - 1)));
    } else {
      const decile = Math.floor(pct / 10);
      if (decile !== this.lastDecile || this.done === this.total) {
        this.lastDecile = decile;
        this.stream.write(`${line}\n`);
      }
    }
  }

  finish(summary: string): void {
    if (this.stream.isTTY) this.stream.write('\n');
    this.stream.write(`${this.label}: ${summary} (${formatDuration(this.now() - this.t0)})\n`);
  }
}

export const silentProgress: ProgressSink = { start() {}, tick() {}, finish() {} };
