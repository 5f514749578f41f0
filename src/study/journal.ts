/**
 * Append-only study journal: one JSON event per line, each line written and fsync'ed before the next.
 * Reading tolerates damage: a corrupt or truncated line is reported with its file and line number
 * (JOURNAL_CORRUPT problems) and skipped; every other line is recovered.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { FAILURE_REASONS } from '../core/failure.js';

const dnaSchema = z.array(z.number().int().nonnegative());

export const journalEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('study'), version: z.literal(1), settings: z.record(z.unknown()), time: z.string() }),
  z.object({ type: z.literal('ask'), trial: z.number().int().nonnegative(), dna: dnaSchema, arch: z.string() }),
  z.object({
    type: z.literal('result'),
    trial: z.number().int().nonnegative(),
    status: z.enum(['ok', 'failed']),
    reward: z.number().nullable(),
    metrics: z.record(z.number()),
    costs: z.record(z.number()),
    error: z.object({ code: z.string(), message: z.string(), reason: z.enum(FAILURE_REASONS).optional() }).optional(),
    durationMs: z.number().optional(),
    worker: z.string().optional(),
  }),
  z.object({ type: z.literal('end'), trialsUsed: z.number().int(), best: z.unknown() }),
]);
export type JournalEvent = z.infer<typeof journalEventSchema>;

export interface JournalProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface JournalSink {
  /** where the journal is kept, for errors (none in memory) */
  readonly file?: string;
  append(event: JournalEvent): void;
  close(): void;
}

/** In-memory journal (benchmarks, tests). */
export class MemoryJournal implements JournalSink {
  readonly events: JournalEvent[] = [];
  append(event: JournalEvent): void {
    this.events.push(event);
  }
  close(): void {}
}

export interface JournalContents {
  readonly events: JournalEvent[];
  readonly problems: JournalProblem[];
}

export function readJournal(file: string): JournalContents {
  if (!existsSync(file)) return { events: [], problems: [] };
  if (statSync(file).isDirectory()) throw new LayernasError('OUTPUT_UNWRITABLE', `journal ${file} is a folder, not a file`, { file });
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const events: JournalEvent[] = [];
  const problems: JournalProblem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const truncated = i === lines.length - 1; // no newline after it: the write was cut off
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      problems.push({ file, line: i + 1, message: truncated ? 'truncated line (no newline; the write was interrupted)' : `not JSON: ${(e as Error).message}` });
      continue;
    }
    const parsed = journalEventSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problems.push({ file, line: i + 1, message: `not a journal event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() });
      continue;
    }
    events.push(parsed.data);
  }
  return { events, problems };
}

/** Appends to a journal file with one write + fsync per event. Opening repairs a missing final newline first. */
export class FileJournal implements JournalSink {
  private fd: number | undefined;
  private constructor(readonly file: string, fd: number) {
    this.fd = fd;
  }

  static open(file: string): FileJournal {
    let fd: number;
    try {
      const needsNewline = existsSync(file) && (() => {
        const t = readFileSync(file);
        return t.length > 0 && t[t.length - 1] !== 0x0a;
      })();
      fd = openSync(file, 'a');
      if (needsNewline) writeSync(fd, '\n');
    } catch (e) {
      throw new LayernasError('OUTPUT_UNWRITABLE', `cannot open journal ${file} for appending: ${(e as Error).message}`, { file });
    }
    return new FileJournal(file, fd);
  }

  append(event: JournalEvent): void {
    if (this.fd === undefined) throw new LayernasError('OUTPUT_UNWRITABLE', `journal ${this.file} is closed`, { file: this.file });
    writeSync(this.fd, JSON.stringify(event) + '\n');
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
