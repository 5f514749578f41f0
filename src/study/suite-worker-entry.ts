/** Worker thread of src/study/suite-workers.ts: runs the suite problems it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { LayernasError } from '../core/errors.js';
import { runSuiteProblem, type SuiteOptions, type SuiteProblem } from './suite.js';

const port = parentPort;
if (!port) throw new Error('suite-worker-entry runs on a worker thread');
const options = workerData as Pick<SuiteOptions, 'algorithms' | 'seeds' | 'budgets'>;
port.on('message', (m: { i: number; problem: SuiteProblem } | null) => {
  if (m === null) {
    port.close();
    return;
  }
  runSuiteProblem(m.problem, options).then(
    (result) => port.postMessage({ i: m.i, result }),
    (e: unknown) => port.postMessage(e instanceof LayernasError ? { error: e.message, code: e.code } : { error: String((e as Error)?.stack ?? e) }),
  );
});
port.postMessage({ ready: true });
