/**
 * Progress of a design run on stderr, per stage, with an ETA from this session's rate:
 *  - text: a line per ~10% of a stage (a redrawn line on a terminal), plus stage start/finish lines;
 *  - json: one JSON object per event (`{"event":"tick","stage":"search","done":3,"total":24,"etaSeconds":...}`);
 *  - quiet: nothing.
 * Every stage reporter is also a ProgressSink (src/profile/progress.ts), so profiling reports through it.
 */
import { formatDuration, type ProgressSink } from '../profile/progress.js';

export type ProgressMode = 'text' | 'json' | 'quiet';

export interface DesignProgress {
  stage(name: string): StageProgress;
  note(message: string): void;
}

export interface StageProgress extends ProgressSink {}

type Write = (text: string) => void;

class StageReporter implements StageProgress {
  private total = 0;
  private done = 0;
  private startedDone = 0;
  private t0 = 0;
  private lastDecile = -1;
  private label = '';

  constructor(private readonly stageName: string, private readonly mode: ProgressMode, private readonly write: Write, private readonly tty: boolean, private readonly now: () => number) {}

  private eta(): number {
    const n = this.done - this.startedDone;
    return n <= 0 ? NaN : ((this.now() - this.t0) / n) * Math.max(0, this.total - this.done);
  }

  start(total: number, done: number, label: string): void {
    this.total = total;
    this.done = done;
    this.startedDone = done;
    this.t0 = this.now();
    this.label = label;
    this.lastDecile = -1;
    if (this.mode === 'json') this.write(`${JSON.stringify({ event: 'start', stage: this.stageName, label, total, done })}\n`);
    else if (this.mode === 'text') this.write(`[${this.stageName}] ${label}: ${total} step(s)${done > 0 ? `, ${done} already done (resumed)` : ''}\n`);
  }

  tick(detail: string): void {
    this.done++;
    const eta = this.eta();
    if (this.mode === 'json') {
      this.write(`${JSON.stringify({ event: 'tick', stage: this.stageName, done: this.done, total: this.total, etaSeconds: Number.isFinite(eta) ? Math.round(eta / 1000) : null, detail })}\n`);
      return;
    }
    if (this.mode === 'quiet') return;
    const pct = this.total === 0 ? 100 : Math.floor((100 * this.done) / this.total);
    const line = `[${this.stageName}] ${this.done}/${this.total} ${pct}% ETA ${formatDuration(eta)} ${detail}`;
    if (this.tty) {
      this.write(`\r${line.slice(0, 118).padEnd(118)}`);
      return;
    }
    const decile = Math.floor(pct / 10);
    if (decile !== this.lastDecile || this.done === this.total) {
      this.lastDecile = decile;
      this.write(`${line}\n`);
    }
  }

  finish(summary: string): void {
    const seconds = (this.now() - this.t0) / 1000;
    if (this.mode === 'json') this.write(`${JSON.stringify({ event: 'finish', stage: this.stageName, label: this.label, summary, seconds })}\n`);
    else if (this.mode === 'text') this.write(`${this.tty ? '\n' : ''}[${this.stageName}] ${summary} (${formatDuration(seconds * 1000)})\n`);
  }
}

export function designProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr, now: () => number = () => Date.now()): DesignProgress {
  const write: Write = (t) => void stream.write(t);
  const tty = Boolean(stream.isTTY) && mode === 'text';
  return {
    stage: (name) => new StageReporter(name, mode, write, tty, now),
    note(message) {
      if (mode === 'json') write(`${JSON.stringify({ event: 'note', message })}\n`);
      else if (mode === 'text') write(`${message}\n`);
    },
  };
}
