/**
 * A hostile producer on the trial queue (issue 19): a real design search (LayerNAS on mobile32 priced by the e2e
 * fixture table, proxy training with tfjs on Fashion-MNIST) runs on 3 `layernas worker --evaluator training`
 * processes through a real redis-server, while another client adds 1,000 crafted jobs to the same queue: path
 * traversal in every string field (trial id, study id, arch, evaluator kind, dataset, option names), oversized numbers,
 * foreign dataset paths, extra option fields; 2% are otherwise valid (traversal only in the ids) and get trained.
 * The same search also runs locally in this process (no queue). Prints:
 *  - whether the queued study's trials and best equal the local run's (rewards per trial);
 *  - the hostile jobs' fates: refused with which code/reason (each recorded in the job's failedReason), or trained
 *    with their outputs inside a worker's output folder;
 *  - files created outside the workers' output folders between a listing of the whole file system before and after
 *    (`find / -xdev`; files of other processes on a shared machine are listed apart from anything of ours);
 *  - whether every worker is still alive at the end.
 *   npx tsx bench/bullmq-hostile.ts [--jobs 1000] [--trials 6] [--out /tmp/bullmq-hostile]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { formatNetwork } from '../src/arch/grammar.js';
import { openBullmqDispatcher } from '../src/dispatch/bullmq.js';
import { ProxyTrainingEvaluator, runSearchStage, type SearchStageResult } from '../src/design/search-stage.js';
import { TrainingEvaluator } from '../src/eval/training-evaluator.js';
import { TfjsTrainer } from '../src/train/tfjs-trainer.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { spawnWorker, stopProcess } from '../test/dispatch/bullmq-worker-process.js';
import { designProblem, quiet } from '../test/robustness/helpers.js';
import type { Recipe } from '../src/design/options.js';

const arg = (flag: string, fallback: string): string => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? (process.argv[i + 1] as string) : fallback;
};
const JOBS = Number(arg('--jobs', '1000'));
const TRIALS = Number(arg('--trials', '6'));
const base = path.resolve(arg('--out', '/tmp/bullmq-hostile'));
const TOKEN = `hostile${process.pid}`;
const RECIPE: Recipe = { epochs: 1, trainSubset: 256, validationSubset: 200, batchSize: 32, optimizer: 'adam', lr: 0.003, warmupSteps: 2, bnRecalibrationBatches: 2 };

function listFs(): Set<string> {
  const out = execFileSync('find', ['/', '-xdev', '(', '-path', '/proc', '-o', '-path', '/sys', '-o', '-path', '/dev', '-o', '-path', '/run', ')', '-prune', '-o', '-print'], { maxBuffer: 1 << 30, encoding: 'utf8' });
  return new Set(out.split('\n'));
}

/** Path traversal in every string a job carries. */
function traversal(n: number): string {
  const t = [`../../../../../../../../tmp/${TOKEN}-${n}`, '..', '../..', `/tmp/${TOKEN}-${n}`, `..\\..\\${TOKEN}`, `%2e%2e%2f${TOKEN}`, `a/../../${TOKEN}-${n}`, `~/${TOKEN}`, '.', `../${TOKEN}\u0000x`];
  return t[n % t.length] as string;
}

const ARCH28 = 'in28x28x1/conv_k3_s2_c8_relu/ir_k3_s2_e2_c16/gap/fc_c10';
const tiny = { epochs: 1, batchSize: 32, trainSubset: 64, validationSubset: 32, warmupSteps: 1, lr: 0.01, optimizer: 'adam' };

function crafted(n: number): { name: string; data: unknown; opts: { jobId: string; attempts: number } } {
  const t = traversal(n);
  const ids = { trialId: t, studyId: traversal(n + 3) };
  const kind = n % 7;
  let data: Record<string, unknown>;
  if (n % 50 === 0) data = { ...ids, dna: [0], arch: ARCH28, evaluator: { kind: 'training', options: { dataset: 'fashion-mnist', setting: 'proxy', overrides: tiny } }, attempt: 1 };
  else if (kind === 0) data = { ...ids, dna: [0], arch: ARCH28, evaluator: { kind: 'training', options: { dataset: [`idx:${t}`, 'folder:/', 'idx:/etc', `fashion-mnist:/tmp/${TOKEN}`, `folder:../../../${TOKEN}`][n % 5], setting: 'proxy', overrides: tiny } }, attempt: 1 };
  else if (kind === 1) data = { ...ids, dna: [0], arch: ARCH28, evaluator: { kind: 'training', options: { dataset: 'fashion-mnist', setting: 'proxy', overrides: [{ ...tiny, epochs: 1e9 }, { ...tiny, trainSubset: 1e12 }, { ...tiny, batchSize: 1e15 }, { ...tiny, lr: 1e308 }, { ...tiny, seed: 2 ** 60 }, { ...tiny, warmupSteps: 1e300 }][n % 6] } }, attempt: 1 };
  else if (kind === 2) data = { ...ids, dna: [2 ** 40], arch: t, evaluator: { kind: 'training', options: { dataset: 'fashion-mnist', setting: 'proxy', overrides: tiny } }, attempt: 1 };
  else if (kind === 3) data = { ...ids, dna: [0], arch: ARCH28, evaluator: { kind: t, options: { dataset: t } }, attempt: 1 };
  else if (kind === 4) data = { ...ids, dna: [0], arch: ARCH28, evaluator: { kind: 'training', options: { dataset: 'fashion-mnist', setting: t, outputRoot: t, command: ['touch', `/tmp/${TOKEN}`], overrides: tiny } }, attempt: 1 };
  else if (kind === 5) data = { ...ids, dna: [0], arch: ARCH28, evaluator: { kind: 'training', options: { dataset: 'fashion-mnist', setting: 'proxy', runs: 1e6, overrides: tiny } }, attempt: 1e15 };
  else data = { ...ids, dna: [0], arch: ARCH28, evaluator: { kind: 'training', options: { dataset: 'fashion-mnist', setting: 'full', overrides: { ...tiny, [t]: 1 } } }, attempt: 1, [t]: t };
  return { name: t, data, opts: { jobId: `h-${TOKEN}-${n}`, attempts: 1 } };
}

rmSync(base, { recursive: true, force: true });
mkdirSync(base, { recursive: true });
const { problem, data } = await designProblem(path.join(base, 'latency'));
const settings = { bench: 'bullmq-hostile', recipe: RECIPE, seed: 0 };

// local reference: the same search in this process
const tLocal = Date.now();
const local = await runSearchStage({
  algorithm: 'layernas', problem, evaluator: new ProxyTrainingEvaluator(problem, new TfjsTrainer('auto', { threads: 1 }), data, RECIPE, 0, 1, path.join(base, 'local', 'scratch')),
  // one at a time: in-process tfjs trainings cannot overlap (one variable registry); the trials do not depend on it
  trials: TRIALS, parallel: 1, seed: 0, outDir: path.join(base, 'local'), settings, progress: quiet.stage('search'),
});
console.log(`local run: ${local.trialsUsed} trials in ${((Date.now() - tLocal) / 1000).toFixed(0)} s, best trial ${local.best?.trial} val ${local.best ? (100 * local.best.reward).toFixed(2) : '?'}%`);

const before = listFs();
const srv = await startRedisServer();
const outputs = [1, 2, 3].map((i) => path.join(base, `worker-${i}-output`));
const workers = outputs.map((o) => spawnWorker(srv.url, ['--queue', 'hostile', '--evaluator', 'training', '--trainer', 'tfjs', '--output', o,
  '--allow-dataset', 'fashion-mnist', '--max-epochs', '5', '--max-images', '60000', '--trial-timeout-ms', '300000']));
await Promise.all(workers.map((w) => w.waitFor(/^ready /, 120_000)));

const dispatcher = await openBullmqDispatcher({ redisUrl: srv.url, queueName: 'hostile' });
const producer = new Queue('hostile', { connection: { host: '127.0.0.1', port: srv.port } });
const tQueue = Date.now();
// the hostile producer: 10 batches of crafted jobs while the study runs
const producing = (async () => {
  const per = Math.ceil(JOBS / 10);
  for (let b = 0; b < 10; b++) {
    await new Promise((r) => setTimeout(r, 1000));
    await producer.addBulk(Array.from({ length: Math.min(per, JOBS - b * per) }, (_, i) => crafted(b * per + i)));
  }
})();
let queued: SearchStageResult;
try {
  queued = await runSearchStage({
    algorithm: 'layernas', problem,
    evaluator: new TrainingEvaluator({ trainer: { kind: 'tfjs', backend: 'auto' }, outputRoot: path.join(base, 'queued', 'scratch') }, { dataset: 'fashion-mnist', setting: 'proxy', overrides: { ...RECIPE, seed: 0 }, runs: 1 }),
    trials: TRIALS, parallel: 3, seed: 0, outDir: path.join(base, 'queued'), settings, progress: quiet.stage('search'), dispatcher,
  });
} finally {
  await producing;
}
console.log(`queued run: ${queued.trialsUsed} trials in ${((Date.now() - tQueue) / 1000).toFixed(0)} s with ${JOBS} hostile jobs in the queue`);

// wait for every hostile job to be handled
const hostileIds = Array.from({ length: JOBS }, (_, n) => `h-${TOKEN}-${n}`);
const deadline = Date.now() + 600_000;
let states: string[] = [];
while (Date.now() < deadline) {
  states = await Promise.all(hostileIds.map(async (id) => (await producer.getJobState(id)) as string));
  if (states.every((s) => s === 'completed' || s === 'failed')) break;
  await new Promise((r) => setTimeout(r, 1000));
}
const codes = new Map<string, number>();
let recorded = 0, trained = 0, trainedInside = 0;
for (const id of hostileIds) {
  const job = await producer.getJob(id);
  if (!job) continue;
  if (job.failedReason) {
    try {
      const e = JSON.parse(job.failedReason) as { code: string; message: string; reason?: string };
      if (e.code && e.message) recorded++;
      const k = `${e.code}${e.reason ? ` (${e.reason})` : ''}`;
      codes.set(k, (codes.get(k) ?? 0) + 1);
    } catch {
      codes.set('unparsed reason', (codes.get('unparsed reason') ?? 0) + 1);
    }
  } else if (job.returnvalue) {
    trained++;
    const w = (job.returnvalue as { outcome?: { artifacts?: { weights?: string } } }).outcome?.artifacts?.weights ?? '';
    if (outputs.some((o) => w.startsWith(o + path.sep))) trainedInside++;
  }
}
const alive = workers.map((w) => w.proc.exitCode === null && w.proc.signalCode === null);
await dispatcher.close();
await producer.close();
for (const w of workers) await stopProcess(w);
await srv.stop();
const after = listFs();

const created = [...after].filter((f) => f !== '' && !before.has(f));
const ours = (f: string): boolean => outputs.some((o) => f === o || f.startsWith(o + path.sep));
const outside = created.filter((f) => !ours(f) && !f.startsWith(path.join(base, 'queued')));
const suspicious = outside.filter((f) => f.includes(TOKEN) || f.startsWith(base) || f.includes('attempt-'));
const byTop = new Map<string, number>();
for (const f of outside.filter((x) => !suspicious.includes(x))) {
  const top = f.split('/').slice(0, 3).join('/');
  byTop.set(top, (byTop.get(top) ?? 0) + 1);
}

const sameTrials = local.trials.length === queued.trials.length && local.trials.every((t, i) => {
  const q = queued.trials[i];
  return q !== undefined && q.dna.join() === t.dna.join() && q.reward === t.reward;
});
console.log('');
console.log(`study: local best trial ${local.best?.trial} [${local.best?.dna.join(',')}] ${local.best ? (100 * local.best.reward).toFixed(2) : '?'}%, queued best trial ${queued.best?.trial} [${queued.best?.dna.join(',')}] ${queued.best ? (100 * queued.best.reward).toFixed(2) : '?'}%`);
console.log(`study result equals the local run's: ${sameTrials ? 'yes (every trial: same architecture, same reward)' : 'NO'}`);
if (!sameTrials) for (const [i, t] of local.trials.entries()) console.log(`  trial ${i}: local ${t.dna.join(',')} ${t.reward}  queued ${queued.trials[i]?.dna.join(',')} ${queued.trials[i]?.reward}`);
console.log(`hostile jobs: ${JOBS}; handled ${states.filter((s) => s === 'completed' || s === 'failed').length}; refused ${JOBS - trained} (${recorded} with a recorded code and message), trained ${trained} (outputs inside a worker's output folder: ${trainedInside})`);
console.log(`refusals by code (reason): ${[...codes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`files created during the queued run: ${created.length}; inside the workers' output folders ${created.filter(ours).length}; outside them and ours (token, bench folder, attempt-*): ${suspicious.length}${suspicious.length ? `\n  ${suspicious.slice(0, 20).join('\n  ')}` : ''}`);
console.log(`  other new files on the machine (other processes; by top folder): ${[...byTop].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
console.log(`workers alive at the end: ${alive.filter(Boolean).length} of ${alive.length}; trials they ran (start lines): ${workers.map((w) => w.lines.filter((l) => l.startsWith('start ')).length).join(', ')}`);
