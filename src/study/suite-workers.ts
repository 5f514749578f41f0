/**
 * Runs a suite's problems on worker threads (`benchmark --suite ... --jobs N`): each thread takes the next problem
 * when it is free and returns that problem's result; the caller assembles them in problem order, so the figures are
 * the same for any number of threads.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LayernasError, type ErrorCode } from '../core/errors.js';
import { runningFromSources, siblingModule } from '../core/locations.js';
import type { SuiteOptions, SuiteProblem, SuiteProblemResult } from './suite.js';

const ENTRY = siblingModule(import.meta.url, 'suite-worker-entry');

type FromWorker = { ready: true } | { i: number; result: SuiteProblemResult } | { error: string; code?: string };

export async function runInWorkers(problems: readonly SuiteProblem[], options: Pick<SuiteOptions, 'algorithms' | 'seeds' | 'budgets'>, jobs: number, done: (i: number, r: SuiteProblemResult) => void): Promise<void> {
  let next = 0;
  const entry = JSON.stringify(pathToFileURL(ENTRY).href);
  const load = runningFromSources(import.meta.url)
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${entry}); })`
    : `import(${entry})`;
  const boot = `${load}.catch((e) => require('node:worker_threads').parentPort.postMessage({ error: String((e && e.stack) || e) }));`;
  const one = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(boot, { eval: true, workerData: { algorithms: [...options.algorithms], seeds: options.seeds, budgets: [...options.budgets] } });
      let failed = false;
      const give = (): void => {
        if (next >= problems.length) {
          w.postMessage(null);
          return;
        }
        const i = next++;
        w.postMessage({ i, problem: problems[i] });
      };
      w.on('message', (m: FromWorker) => {
        if ('error' in m) {
          failed = true;
          void w.terminate();
          reject(m.code ? new LayernasError(m.code as ErrorCode, m.error) : new Error(`suite worker: ${m.error}`));
          return;
        }
        if ('ready' in m) give();
        else {
          done(m.i, m.result);
          give();
        }
      });
      w.on('error', (e) => {
        failed = true;
        reject(e);
      });
      w.on('exit', () => {
        if (!failed) resolve();
      });
    });
  await Promise.all(Array.from({ length: jobs }, one));
}
