/**
 * Wire formats of trial jobs on the queue, validated on both sides (coordinator before enqueue and when reading a
 * result; worker before evaluating and before posting). A payload that does not validate is JOB_INVALID.
 */
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { FAILURE_REASONS } from '../core/failure.js';
import type { TrialRequest, TrialResult, TrialOutcome } from './types.js';

const finite = z.number().finite();

export const trialRequestSchema = z
  .object({
    trialId: z.string().min(1).max(512),
    studyId: z.string().min(1).max(256),
    dna: z.array(z.number().int().min(0)).max(4096),
    arch: z.string().max(65536),
    evaluator: z.object({
      kind: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'evaluator kind must be a short lower-case name'),
      options: z.record(z.unknown()),
    }).strict(),
    attempt: z.number().int().min(0),
  })
  .strict();

const errorSchema = z
  .object({ code: z.string().min(1).max(64), message: z.string().max(65536), stderrTail: z.string().max(65536).optional(), reason: z.enum(FAILURE_REASONS).optional() })
  .strict();

const outcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), reward: finite, metrics: z.record(finite), artifacts: z.record(z.string()).optional() }).strict(),
  z.object({ status: z.literal('failed'), error: errorSchema }).strict(),
]);

export const trialResultSchema = z
  .object({
    trialId: z.string().min(1).max(512),
    attempts: z.number().int().min(1),
    durationMs: z.number().finite().min(0),
    worker: z.string().max(512),
    outcome: outcomeSchema,
  })
  .strict();

/** Error carried in a failed job's failedReason (JSON text). */
export type JobError = z.infer<typeof errorSchema>;

function describe(issues: z.ZodIssue[]): string {
  return issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export function parseTrialRequest(data: unknown, where: string): TrialRequest {
  const r = trialRequestSchema.safeParse(data);
  if (!r.success) throw new LayernasError('JOB_INVALID', `malformed trial job ${where}: ${describe(r.error.issues)}`, { where, issues: r.error.issues.slice(0, 5) });
  return r.data;
}

export function parseTrialResult(data: unknown, where: string): TrialResult {
  const r = trialResultSchema.safeParse(data);
  if (!r.success) throw new LayernasError('JOB_INVALID', `malformed trial result ${where}: ${describe(r.error.issues)}`, { where, issues: r.error.issues.slice(0, 5) });
  return r.data as TrialResult;
}

/** Encode an error as a job's failure reason (JSON) so the coordinator gets its code back. */
export function encodeJobError(error: JobError): string {
  return JSON.stringify(error);
}

/** Decode a failure reason; reasons that BullMQ itself writes (plain text) become code WORKER_FAILED. */
export function decodeJobError(reason: string | undefined): JobError {
  if (reason === undefined || reason === '') return { code: 'WORKER_FAILED', message: 'job failed without a reason' };
  try {
    const parsed = errorSchema.safeParse(JSON.parse(reason));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: a BullMQ-generated reason such as "job stalled more than allowable limit"
  }
  return { code: 'WORKER_FAILED', message: reason };
}

export function failedOutcome(error: JobError): TrialOutcome {
  return { status: 'failed', error };
}

/**
 * BullMQ job ids may not contain ':' (and must not look like integers); trial ids usually do (`study:12`).
 * This escaping is injective, so distinct trials never share a job.
 */
export function jobIdForTrial(trialId: string): string {
  return 't-' + trialId.replace(/%/g, '%25').replace(/:/g, '%3A');
}

export function trialIdForJob(jobId: string): string {
  if (!jobId.startsWith('t-')) throw new LayernasError('JOB_INVALID', `job id '${jobId}' is not a layernas trial job`, { jobId });
  return jobId.slice(2).replace(/%3A/g, ':').replace(/%25/g, '%');
}
