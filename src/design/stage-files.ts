/**
 * Per-stage result files of a design run (<out>/stages/*.json, <out>/final/<dna>/result.json): written atomically
 * (temporary file + fsync + rename), read back with a zod schema. A missing, unreadable or stale file means "not
 * done": the stage runs again; a finished stage is never redone.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { ensureDir, writeFileAtomic } from '../core/write-atomic.js';

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await ensureDir(dirname(file));
  await writeFileAtomic(file, `${JSON.stringify(value, null, 1)}\n`);
}

/** The parsed file, or undefined when it is absent or does not match the schema (a stage to run again). */
export function readStageFile<S extends z.ZodTypeAny>(file: string, schema: S): z.output<S> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function fileSha256(file: string): string | undefined {
  return existsSync(file) ? sha256(readFileSync(file)) : undefined;
}
