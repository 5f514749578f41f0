/**
 * Why a trial failed, recorded with its result. Only the candidate's own failure (an architecture the trainer cannot
 * build or train) is final; every other reason comes from the environment (full disk, unwritable folder, a kill by
 * the OOM killer or an operator, a timeout, a crashed trainer or worker) and the trial is trained again on resume.
 */
import { isLayernasError, type ErrorCode } from './errors.js';

export const FAILURE_REASONS = ['candidate', 'disk-full', 'unwritable', 'killed', 'timeout', 'environment'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface TrialFailure {
  readonly code: string;
  readonly message: string;
  readonly reason: FailureReason;
}

/** Error codes that say the candidate itself is at fault (the same request fails again anywhere: a bad spec, no row for it in a measured table). */
const CANDIDATE_CODES: readonly ErrorCode[] = ['SPEC_PARSE', 'SPEC_INVALID', 'WEIGHTS_INVALID', 'EXPORT_UNSUPPORTED', 'TABLE_MISSING_KEY'];

/** Final failures stay failed on resume; transient ones (no reason recorded: old journals) are retried. */
export function isFinalFailure(reason: FailureReason | undefined): boolean {
  return reason === 'candidate';
}

/** The reason of a system error code (fs / spawn), if it is an environment one. */
export function reasonOfErrno(code: string | undefined): FailureReason | undefined {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'disk-full';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'unwritable';
  if (code === 'ENOMEM') return 'killed';
  return undefined;
}

/** Text (a trainer's stderr) that says the disk is full or a folder is not writable. */
export function reasonOfText(text: string): FailureReason | undefined {
  if (/No space left on device|ENOSPC|Errno 28\b|Disk quota exceeded|EDQUOT/i.test(text)) return 'disk-full';
  if (/Permission denied|EACCES|Read-only file system|EROFS|Operation not permitted|Errno 13\b|Errno 30\b/i.test(text)) return 'unwritable';
  if (/MemoryError|out of memory|Cannot allocate memory/i.test(text)) return 'killed';
  return undefined;
}

/** A failure's typed reason from the error itself: an explicit `details.reason`, its code, or a system errno. */
export function failureReason(e: unknown): FailureReason {
  if (isLayernasError(e)) {
    const r = e.details.reason;
    if (typeof r === 'string' && (FAILURE_REASONS as readonly string[]).includes(r)) return r as FailureReason;
    if (CANDIDATE_CODES.includes(e.code)) return 'candidate';
    if (e.code === 'TRIAL_TIMEOUT') return 'timeout';
    if (e.code === 'OUTPUT_UNWRITABLE') return 'unwritable';
    return 'environment';
  }
  return reasonOfErrno((e as NodeJS.ErrnoException | undefined)?.code) ?? 'environment';
}

/** The reason of a failure that crossed a process boundary as {code, reason?} (queue jobs, journals). */
export function reasonOfCode(code: string, reason?: string): FailureReason {
  if (reason !== undefined && (FAILURE_REASONS as readonly string[]).includes(reason)) return reason as FailureReason;
  if ((CANDIDATE_CODES as readonly string[]).includes(code)) return 'candidate';
  if (code === 'TRIAL_TIMEOUT') return 'timeout';
  if (code === 'OUTPUT_UNWRITABLE') return 'unwritable';
  if (code === 'WORKER_CRASHED') return 'killed';
  return 'environment';
}

/** A failure to record for a trial, or undefined when `e` is a bug (not a LayernasError nor a system error) to rethrow. */
export function trialFailure(e: unknown): TrialFailure | undefined {
  if (isLayernasError(e)) return { code: e.code, message: e.message, reason: failureReason(e) };
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  const reason = reasonOfErrno(errno);
  if (reason === undefined) return undefined;
  const what = reason === 'disk-full' ? 'the disk is full' : reason === 'unwritable' ? 'a folder is not writable' : 'out of memory';
  return { code: 'OUTPUT_UNWRITABLE', message: `${what}: ${(e as Error).message}; free space / fix the folder and rerun to resume`, reason };
}

/** One line for the user about a transient failure. */
export function describeFailure(f: { reason: FailureReason; message: string }): string {
  const why: Record<FailureReason, string> = {
    candidate: 'the candidate cannot be trained',
    'disk-full': 'the disk is full',
    unwritable: 'an output folder is not writable',
    killed: 'the trainer was killed (out of memory or by a signal)',
    timeout: 'the trainer timed out',
    environment: 'the trainer or worker failed',
  };
  const first = f.message.split('\n')[0] ?? '';
  return first.includes(why[f.reason]) ? first : `${why[f.reason]}: ${first}`;
}
