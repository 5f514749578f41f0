/**
 * Paths that come from outside (queue jobs, journals, stage files, trial ids) are resolved inside an allowed root or
 * refused with PATH_OUTSIDE. Saved state stores paths relative to its folder (`relativeInside`) so a run folder can be
 * moved or copied.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LayernasError } from './errors.js';

/** True when `p` (absolute) is `root` or below it. */
export function isInside(root: string, p: string): boolean {
  const rel = relative(resolve(root), resolve(p));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** `root/rel`, refused (PATH_OUTSIDE) when `rel` is absolute, holds a NUL, or climbs out of `root`. */
export function resolveInside(root: string, rel: string, what: string): string {
  if (rel.includes('\0') || isAbsolute(rel)) {
    throw new LayernasError('PATH_OUTSIDE', `${what}: "${rel.replaceAll('\0', '\\0')}" must be a relative path inside ${root}`, { root, path: rel });
  }
  const abs = resolve(root, rel);
  if (!isInside(root, abs)) throw new LayernasError('PATH_OUTSIDE', `${what}: "${rel}" leads outside ${root}`, { root, path: rel });
  return abs;
}

/** `p` relative to `root` (for saved state); PATH_OUTSIDE when it is not below it. */
export function relativeInside(root: string, p: string, what: string): string {
  if (!isInside(root, p)) throw new LayernasError('PATH_OUTSIDE', `${what}: ${p} is not inside ${root}`, { root, path: p });
  return relative(resolve(root), resolve(p)) || '.';
}

/**
 * One safe path segment for an id (trial id, study id): [A-Za-z0-9_.-] kept, anything else '_', never '', '.' or
 * '..'; when anything was changed a short hash of the original is appended, so distinct ids never share a folder.
 */
export function safeSegment(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
  const changed = cleaned !== id || /^\.*$/.test(cleaned);
  const base = /^\.*$/.test(cleaned) ? `_${cleaned.replaceAll('.', '_')}` : cleaned;
  return changed ? `${base}-${createHash('sha256').update(id).digest('hex').slice(0, 8)}` : base;
}

/** `root/<safeSegment(a)>/<safeSegment(b)>...`, checked to be inside `root`. */
export function childDir(root: string, ...ids: string[]): string {
  return resolveInside(root, join(...ids.map(safeSegment)), 'output folder');
}

/**
 * Make `dir` ready to hold a run's outputs: created when missing; OUTPUT_UNWRITABLE when it is a file, or a folder
 * this process cannot write (read-only, immutable, full file system), found by writing a probe file.
 */
export function prepareOutputDir(dir: string, what: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'it (or a folder above it) is a file, not a folder' : (e as Error).message;
    throw new LayernasError('OUTPUT_UNWRITABLE', `${what} ${abs}: cannot create the folder: ${why}`, { dir: abs });
  }
  if (!statSync(abs).isDirectory()) throw new LayernasError('OUTPUT_UNWRITABLE', `${what} ${abs} is a file, not a folder`, { dir: abs });
  const probe = join(abs, `.layernas-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the file system is read-only' : `not writable (${(e as Error).message})`;
    throw new LayernasError('OUTPUT_UNWRITABLE', `${what} ${abs}: ${why}`, { dir: abs, errno: code });
  }
  return abs;
}
