/**
 * What local pool workers evaluate with, as JSON-serialisable configuration (it crosses the process boundary):
 * the BullMQ worker's evaluators (src/eval/worker-evaluators.ts) plus training, optionally slowed by a fixed delay
 * (tests, demos: lets a test kill a worker in the middle of a trial).
 */
import { z } from 'zod';
import { buildWorkerEvaluator, DelayedWorkerEvaluator, type WorkerEvaluator } from '../eval/worker-evaluators.js';
import { TrainingWorkerEvaluator, trainingEvaluatorConfigSchema } from '../eval/training-evaluator.js';

export const poolEvaluatorConfigSchema = z.object({
  evaluator: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('nb201') }),
    z.object({ kind: z.literal('noop') }),
    z.object({ kind: z.literal('training'), config: trainingEvaluatorConfigSchema }),
  ]),
  /** fixed extra time per evaluation, ms (0 = none) */
  delayMs: z.number().int().min(0),
});
export type PoolEvaluatorConfig = z.infer<typeof poolEvaluatorConfigSchema>;

export function buildPoolEvaluator(config: PoolEvaluatorConfig): WorkerEvaluator {
  const e = config.evaluator;
  let inner: WorkerEvaluator | undefined;
  switch (e.kind) {
    case 'nb201': inner = buildWorkerEvaluator({ kind: 'nb201' }); break;
    case 'noop': inner = buildWorkerEvaluator({ kind: 'noop' }); break;
    case 'training': inner = new TrainingWorkerEvaluator(e.config); break;
  }
  return config.delayMs > 0 ? new DelayedWorkerEvaluator(inner, config.delayMs) : inner;
}
