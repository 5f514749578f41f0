/**
 * Exclusive lock on a run folder (`<dir>/.layernas.lock`, created with O_EXCL, holding {pid, host, start}).
 * A second process gets RUN_LOCKED naming the holder's pid; a lock left by a dead process (kill -9, power loss) is
 * recovered. "Dead" = no such pid on this host, or a pid whose start time differs (the pid was reused).
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LayernasError } from './errors.js';

export const LOCK_FILE = '.layernas.lock';

interface Holder { pid: number; host: string; start: string | null; since: string }

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(h: Holder): boolean {
  if (h.host !== hostname()) return true; // cannot tell: another machine's process (shared folder)
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(h.pid);
  return h.start === null || now === null || now === h.start;
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

function youngerThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

/** Lock `dir` (which must exist) for this process; released by `release()` or at process exit. */
export function acquireRunLock(dir: string, what = 'run folder'): RunLock {
  const file = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), start: startTime(process.pid), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new LayernasError('OUTPUT_UNWRITABLE', `cannot lock ${what} ${dir}: ${(e as Error).message}`, { dir, file });
      const holder = readHolder(file);
      if (holder === undefined && youngerThan(file, 5000)) {
        throw new LayernasError('RUN_LOCKED', `${what} ${dir} is being locked by another process right now`, { dir });
      }
      if (holder && alive(holder)) {
        throw new LayernasError('RUN_LOCKED', `${what} ${dir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}); wait for it or use another folder`, { dir, pid: holder.pid, host: holder.host });
      }
      // stale (or half-written by a process that died right after creating it): move it aside, then retry
      const aside = `${file}.stale-${process.pid}-${attempt}`;
      try {
        renameSync(file, aside);
        const moved = readHolder(aside);
        if (moved && alive(moved)) {
          renameSync(aside, file); // raced with a process that just took the lock: give it back
          throw new LayernasError('RUN_LOCKED', `${what} ${dir} is in use by process ${moved.pid} on ${moved.host}`, { dir, pid: moved.pid, host: moved.host });
        }
        unlinkSync(aside);
      } catch (err) {
        if (err instanceof LayernasError) throw err;
      }
      continue;
    }
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.off('exit', release);
      const h = readHolder(file);
      if (h && h.pid === process.pid && existsSync(file)) unlinkSync(file);
    };
    process.on('exit', release);
    return { file, release };
  }
  throw new LayernasError('RUN_LOCKED', `${what} ${dir}: could not take the lock (contended)`, { dir });
}
