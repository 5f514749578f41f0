/**
 * Atomic file output: every model / weights / manifest file is written to a temporary file in the same directory,
 * flushed, then renamed over the target, so a reader never sees a half-written file and a failure leaves none behind.
 * Any failure is 'OUTPUT_UNWRITABLE' naming the path and the system error.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LayernasError } from './errors.js';

function unwritable(path: string, e: unknown): LayernasError {
  const err = e as NodeJS.ErrnoException;
  return new LayernasError('OUTPUT_UNWRITABLE', `cannot write ${path}: ${err.code ?? ''} ${err.message}`.trim(), { path, errno: err.code }, { cause: e });
}

/** create `dir` (and parents); OUTPUT_UNWRITABLE if impossible */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw unwritable(dir, e);
  }
}

/** write `data` to `path` via a temporary sibling + fsync + rename */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx');
    created = true;
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined);
    throw unwritable(path, e);
  }
}
