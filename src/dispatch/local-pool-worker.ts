/**
 * Entry of a local pool worker process (forked by src/dispatch/local-pool.ts). argv[2] is the PoolEvaluatorConfig as
 * JSON. Protocol over the IPC channel: parent sends {type:'trial', request}; the worker answers
 * {type:'outcome', trialId, outcome} and sends {type:'ready'} once at start.
 */
import { isLayernasError } from '../core/errors.js';
import { buildPoolEvaluator, poolEvaluatorConfigSchema } from './local-pool-evaluators.js';
import type { TrialOutcome, TrialRequest } from './types.js';

export interface TrialMessage { readonly type: 'trial'; readonly request: TrialRequest }
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'outcome'; readonly trialId: string; readonly outcome: TrialOutcome };

function send(m: WorkerMessage): void {
  process.send?.(m);
}

function failure(e: unknown): TrialOutcome {
  if (isLayernasError(e)) {
    const tail = typeof e.details.stderrTail === 'string' ? e.details.stderrTail : undefined;
    return { status: 'failed', error: { code: e.code, message: e.message, ...(tail !== undefined ? { stderrTail: tail } : {}) } };
  }
  return { status: 'failed', error: { code: 'WORKER_FAILED', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } };
}

async function main(): Promise<void> {
  const config = poolEvaluatorConfigSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const evaluator = buildPoolEvaluator(config);
  const abort = new AbortController();
  process.on('disconnect', () => {
    abort.abort();
    process.exit(0);
  });
  process.on('message', (m: TrialMessage) => {
    if (m.type !== 'trial') return;
    evaluator.evaluate(m.request, abort.signal).then(
      (r) => send({ type: 'outcome', trialId: m.request.trialId, outcome: { status: 'ok', reward: r.reward, metrics: r.metrics, ...(r.artifacts ? { artifacts: r.artifacts } : {}) } }),
      (e: unknown) => send({ type: 'outcome', trialId: m.request.trialId, outcome: failure(e) }),
    );
  });
  send({ type: 'ready' });
}

main().catch((e: unknown) => {
  process.stderr.write(`local pool worker failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
