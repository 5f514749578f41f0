/**
 * Append-only JSON-lines journal of profile results: one line per measured key, flushed as soon as it is measured,
 * so an interrupted `profile` resumes without re-measuring. A torn last line (killed mid-write) is dropped and
 * reported; a corrupt line elsewhere is a TABLE_INVALID naming the line, and nothing is overwritten.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';

export const JournalLineSchema = z
  .object({
    kind: z.enum(['block', 'fixed', 'e2e', 'header']),
    key: z.string(),
    median_ms: z.number().nonnegative(),
    mean_ms: z.number().nonnegative(),
    p90_ms: z.number().nonnegative(),
    iqr_ms: z.number().nonnegative(),
    /** fastest run: least disturbed by other processes on a shared machine (used for calibration) */
    min_ms: z.number().nonnegative().optional(),
    samples: z.number().int().nonnegative(),
    /** median of the session's speed anchor (a fixed network) measured in the same interleaved batch */
    anchor_ms: z.number().positive().optional(),
    /** e2e lines: the table prediction before calibration */
    predicted_ms: z.number().optional(),
    at: z.string(),
    /** header lines: settings the journal was made with (resuming with others is refused) */
    settings: z.record(z.union([z.string(), z.number()])).optional(),
  })
  .strict();
export type JournalLine = z.infer<typeof JournalLineSchema>;

export interface JournalRead {
  readonly lines: JournalLine[];
  readonly droppedTornLine: boolean;
}

export function readJournal(file: string): JournalRead {
  if (!existsSync(file)) return { lines: [], droppedTornLine: false };
  const text = readFileSync(file, 'utf8');
  const raw = text.split('\n');
  const lines: JournalLine[] = [];
  let dropped = false;
  raw.forEach((l, i) => {
    if (l.trim() === '') return;
    let parsed: JournalLine | undefined;
    try {
      const r = JournalLineSchema.safeParse(JSON.parse(l));
      if (r.success) parsed = r.data;
    } catch {
      parsed = undefined;
    }
    if (parsed) {
      lines.push(parsed);
      return;
    }
    const isLast = raw.slice(i + 1).every((x) => x.trim() === '');
    if (isLast && !text.endsWith('\n')) {
      dropped = true;
      return;
    }
    throw new LayernasError('TABLE_INVALID', `profile journal ${file} line ${i + 1} is corrupt: ${l.slice(0, 120)}`, { file, line: i + 1 });
  });
  return { lines, droppedTornLine: dropped };
}

export class JournalWriter {
  constructor(private readonly file: string) {}

  /** cut a torn last line (a write interrupted by a kill) so appends start on a fresh line; whole lines stay */
  repairTail(): void {
    if (!existsSync(this.file)) return;
    const text = readFileSync(this.file);
    if (text.length > 0 && text[text.length - 1] !== 0x0a) truncateSync(this.file, text.lastIndexOf(0x0a) + 1);
  }

  append(line: JournalLine): void {
    appendFileSync(this.file, `${JSON.stringify(JournalLineSchema.parse(line))}\n`);
  }
}
