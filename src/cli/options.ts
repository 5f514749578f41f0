/**
 * One validated schema for command-line values: every number a command reads goes through these zod pieces, and a
 * command's whole argv through `parseArgs`, which turns the first problems into a USAGE error naming the flag (or a
 * more specific code a check attaches, e.g. OUTPUT_UNWRITABLE). Paths a flag names are checked here too: an output
 * file's folder must exist, a journal must not be a folder. Nothing here throws a ZodError or prints a stack.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { LayernasError, type ErrorCode } from '../core/errors.js';

const num = (): z.ZodNumber => z.number({ invalid_type_error: 'expected a number' }).finite('expected a finite number');

/** Shared number kinds of CLI flags. */
export const cliNumber = {
  /** whole number >= min (default 1): counts of rounds, trials, images, epochs, ... */
  count: (min = 1, max = Number.MAX_SAFE_INTEGER) => num().int('expected a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  /** real number > 0: budgets, learning rates, tolerances in % */
  positive: () => num().positive('must be greater than 0'),
  /** real number >= 0 */
  nonNegative: () => num().min(0, 'must not be negative'),
  /** integer seed */
  seed: () => num().int('expected a whole number'),
  /** milliseconds >= min */
  ms: (min = 1) => num().int('expected whole milliseconds').min(min, `must be at least ${min} ms`),
};

const withCode = (code: ErrorCode): { params: { code: ErrorCode } } => ({ params: { code } });

/** A file the command will write: its folder must exist and the path must not be a folder. */
export const outputFilePath = z.string().min(1).superRefine((p, ctx) => {
  const abs = resolve(p);
  const dir = dirname(abs);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) ctx.addIssue({ code: 'custom', message: `folder ${dir} does not exist (create it first)`, ...withCode('OUTPUT_UNWRITABLE') });
  else if (existsSync(abs) && statSync(abs).isDirectory()) ctx.addIssue({ code: 'custom', message: `${abs} is a folder, not a file`, ...withCode('OUTPUT_UNWRITABLE') });
});

/** A journal file (read when present, then appended to): not a folder, in an existing folder. */
export const journalFilePath = outputFilePath;

/** A folder the command will create or fill: must not be an existing file. */
export const outputDirPath = z.string().min(1).superRefine((p, ctx) => {
  const abs = resolve(p);
  if (existsSync(abs) && !statSync(abs).isDirectory()) ctx.addIssue({ code: 'custom', message: `${abs} is a file, not a folder`, ...withCode('OUTPUT_UNWRITABLE') });
});

/** argv keys as users typed them: `latencyMs` -> `--latency-ms`. */
export function flagName(path: readonly (string | number)[], rename?: (key: string) => string): string {
  const key = String(path[0] ?? '');
  const flag = rename ? rename(key) : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return `--${flag}${path.length > 1 ? ` (${path.slice(1).join('.')})` : ''}`;
}

/** Validate a command's argv (or options built from it); a typed error naming the flag(s) instead of a ZodError. */
export function parseArgs<S extends z.ZodTypeAny>(command: string, schema: S, argv: unknown, rename?: (key: string) => string): z.output<S> {
  const r = schema.safeParse(argv);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 3);
  const first = issues[0] as z.ZodIssue & { params?: { code?: ErrorCode } };
  const code: ErrorCode = first.code === 'custom' && first.params?.code ? first.params.code : 'USAGE';
  const text = issues.map((i) => `${flagName(i.path, rename)}: ${i.message}`).join('; ');
  throw new LayernasError(code, `${command}: ${text}`, { command, flags: issues.map((i) => flagName(i.path, rename)) });
}
