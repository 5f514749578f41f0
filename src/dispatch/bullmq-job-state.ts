/**
 * Reading a trial's state back from its BullMQ job: finished (completed or finally failed) jobs become TrialResults,
 * unfinished ones stay pending. Malformed return values become failed results with code JOB_INVALID (never a crash,
 * never a lost trial).
 */
import type { Job, Queue } from 'bullmq';
import { isLayernasError } from '../core/errors.js';
import { decodeJobError, failedOutcome, parseTrialResult } from './job-schema.js';
import type { TrialRequest, TrialResult } from './types.js';

export type JobView =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unfinished'; readonly request: unknown }
  | { readonly kind: 'finished'; readonly request: unknown; readonly result: TrialResult };

/** Attempts a job has used: failed attempts, crashed (stalled) attempts, plus the running/final one. */
export function attemptsUsed(job: Pick<Job, 'attemptsMade' | 'stalledCounter'>): number {
  return job.attemptsMade + (job.stalledCounter ?? 0);
}

/** Result from a completed job's return value (validated), or a JOB_INVALID failure naming the problem. */
export function resultFromReturnValue(trialId: string, returnvalue: unknown, fallback: { attempts: number; durationMs: number }): TrialResult {
  try {
    const r = parseTrialResult(returnvalue, `for trial ${trialId}`);
    if (r.trialId !== trialId) {
      return { trialId, attempts: fallback.attempts, durationMs: fallback.durationMs, worker: r.worker, outcome: failedOutcome({ code: 'JOB_INVALID', message: `worker returned the result of trial '${r.trialId}' for job of trial '${trialId}'` }) };
    }
    return r;
  } catch (err) {
    if (!isLayernasError(err, 'JOB_INVALID')) throw err;
    return { trialId, attempts: fallback.attempts, durationMs: fallback.durationMs, worker: 'unknown', outcome: failedOutcome({ code: 'JOB_INVALID', message: err.message }) };
  }
}

export function resultFromFailedJob(trialId: string, job: Job): TrialResult {
  const durationMs = job.finishedOn !== undefined && job.processedOn !== undefined ? Math.max(0, job.finishedOn - job.processedOn) : 0;
  const attempts = Math.max(1, attemptsUsed(job));
  const worker = job.processedBy ?? 'unknown';
  return { trialId, attempts, durationMs, worker, outcome: failedOutcome(decodeJobError(job.failedReason)) };
}

export async function viewJob(queue: Queue, jobId: string, trialId: string): Promise<JobView> {
  const job = (await queue.getJob(jobId)) as Job | undefined;
  if (job === undefined || job === null) return { kind: 'missing' };
  if (job.finishedOn === undefined || job.finishedOn === null) return { kind: 'unfinished', request: job.data };
  const state = await job.getState();
  if (state === 'completed') {
    const durationMs = job.processedOn !== undefined ? Math.max(0, job.finishedOn - job.processedOn) : 0;
    return { kind: 'finished', request: job.data, result: resultFromReturnValue(trialId, job.returnvalue, { attempts: Math.max(1, attemptsUsed(job)), durationMs }) };
  }
  if (state === 'failed') return { kind: 'finished', request: job.data, result: resultFromFailedJob(trialId, job) };
  return { kind: 'unfinished', request: job.data };
}

/** Same trial (ignoring the attempt counter)? Used to detect a queue that holds another study's trial under this id. */
export function sameTrial(stored: unknown, request: TrialRequest): boolean {
  if (typeof stored !== 'object' || stored === null) return false;
  const s = stored as Partial<TrialRequest>;
  return s.trialId === request.trialId && s.studyId === request.studyId && s.arch === request.arch
    && JSON.stringify(s.dna) === JSON.stringify(request.dna) && JSON.stringify(s.evaluator) === JSON.stringify(request.evaluator);
}
