/**
 * `layernas worker --redis <url>`: evaluate trial jobs from a BullMQ queue until stopped (SIGINT/SIGTERM finishes the
 * running trials first; a second signal aborts them).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { LayernasError } from '../../core/errors.js';
import { parseDatasetRef } from '../../data/load.js';
import { DEFAULT_QUEUE_NAME } from '../../dispatch/bullmq.js';
import { DEFAULT_WORKER_LIMITS } from '../../eval/training-evaluator.js';
import { parseTrainerChoice } from '../../train/choice.js';
import { buildWorkerEvaluator, DelayedWorkerEvaluator, WORKER_EVALUATOR_CHOICES, type WorkerEvaluatorConfig } from '../../eval/worker-evaluators.js';
import { startTrialWorker } from '../../worker/trial-worker.js';
import { cliNumber, outputDirPath, parseArgs } from '../options.js';

const argsSchema = z.object({
  redis: z.string().min(1),
  queue: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'queue name: 1-100 characters of A-Z a-z 0-9 _ . -'),
  concurrency: cliNumber.count(1, 256),
  evaluator: z.enum(WORKER_EVALUATOR_CHOICES),
  'eval-delay-ms': cliNumber.count(0, 86_400_000),
  'lock-ms': cliNumber.ms(500),
  'stalled-interval-ms': cliNumber.ms(100),
  'redis-ca': z.string().optional(),
  trainer: z.string().min(1),
  'tfjs-backend': z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
  output: outputDirPath.optional(),
  'trial-timeout-ms': cliNumber.ms(1),
  'allow-dataset': z.array(z.string().min(1)).min(1),
  'max-epochs': cliNumber.count(),
  'max-images': cliNumber.count(),
  quiet: z.boolean(),
});

interface WorkerArgs {
  redis: string;
  queue: string;
  concurrency: number;
  evaluator: string;
  'eval-delay-ms': number;
  'lock-ms': number;
  'stalled-interval-ms': number;
  'redis-ca'?: string;
  trainer: string;
  'tfjs-backend': string;
  output?: string;
  'trial-timeout-ms': number;
  'allow-dataset': string[];
  'max-epochs': number;
  'max-images': number;
  quiet: boolean;
}

/** --evaluator training: the trainer is the operator's choice; jobs only carry data (dataset, setting, overrides). */
function evaluatorConfig(a: z.infer<typeof argsSchema>): WorkerEvaluatorConfig {
  switch (a.evaluator) {
    case 'nb201':
    case 'noop':
      return { kind: a.evaluator };
    case 'training': {
      if (a.output === undefined) throw new LayernasError('USAGE', 'worker --evaluator training needs --output <dir> (trial outputs and trained weights go there)');
      const trainer = parseTrainerChoice(a.trainer, { timeoutMs: a['trial-timeout-ms'], tfjsBackend: a['tfjs-backend'] });
      const limits = { datasets: a['allow-dataset'], maxEpochs: a['max-epochs'], maxImages: a['max-images'], timeoutMs: a['trial-timeout-ms'] };
      for (const d of limits.datasets) parseDatasetRef(d); // a typo in --allow-dataset is a usage error now, not a refused job later
      return { kind: 'training', config: { trainer, outputRoot: resolve(a.output), limits } };
    }
  }
}

export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'evaluate trials from a Redis (BullMQ) queue; run one per machine or core',
  builder: (y) =>
    y
      .option('redis', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host[:port][/db] or rediss:// for TLS' })
      .option('queue', { type: 'string', default: DEFAULT_QUEUE_NAME, describe: 'queue name (same as the coordinator)' })
      .option('concurrency', { type: 'number', default: 1, describe: 'trials evaluated at the same time by this process' })
      .option('evaluator', { type: 'string', choices: WORKER_EVALUATOR_CHOICES, default: 'nb201', describe: 'how trials are evaluated (jobs must ask for the same kind)' })
      .option('eval-delay-ms', { type: 'number', default: 0, describe: 'extra sleep per trial (simulated training time, for tests and demos)' })
      .option('lock-ms', { type: 'number', default: 30_000, describe: 'a trial whose worker is silent this long is treated as crashed and retried elsewhere' })
      .option('stalled-interval-ms', { type: 'number', default: 15_000, describe: 'how often to look for crashed trials of other workers' })
      .option('redis-ca', { type: 'string', describe: 'PEM file of a CA to trust for rediss:// (self-signed servers)' })
      .option('trainer', { type: 'string', default: 'tfjs', describe: 'with --evaluator training: tfjs | pytorch | command:<program> [args] (an argument array, never a shell)' })
      .option('tfjs-backend', { type: 'string', choices: ['auto', 'tensorflow', 'wasm', 'cpu'], default: 'auto', describe: 'backend of the tfjs trainer' })
      .option('output', { type: 'string', describe: 'with --evaluator training: directory for trial outputs and trained weights (reported back as artifacts)' })
      .option('trial-timeout-ms', { type: 'number', default: DEFAULT_WORKER_LIMITS.timeoutMs, describe: 'abort a trial after this long (any trainer)' })
      .option('allow-dataset', { type: 'array', string: true, default: DEFAULT_WORKER_LIMITS.datasets, describe: 'datasets jobs may name (fashion-mnist, mnist, idx:<dir>, folder:<dir>); any other is refused' })
      .option('max-epochs', { type: 'number', default: DEFAULT_WORKER_LIMITS.maxEpochs, describe: 'refuse jobs asking for more epochs' })
      .option('max-images', { type: 'number', default: DEFAULT_WORKER_LIMITS.maxImages, describe: 'refuse jobs training on more images' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no per-trial log lines' }) as never,
  handler: async (raw) => {
    const a = parseArgs('worker', argsSchema, raw);
    let tlsCa: string | undefined;
    if (a['redis-ca'] !== undefined) {
      try {
        tlsCa = readFileSync(a['redis-ca'], 'utf8');
      } catch (err) {
        throw new LayernasError('USAGE', `worker: cannot read --redis-ca ${a['redis-ca']}: ${(err as Error).message}`);
      }
    }
    const base = buildWorkerEvaluator(evaluatorConfig(a));
    const evaluator = a['eval-delay-ms'] > 0 ? new DelayedWorkerEvaluator(base, a['eval-delay-ms']) : base;
    const log = a.quiet ? (): void => {} : (line: string): void => { process.stdout.write(`${line}\n`); };
    const handle = await startTrialWorker({
      redisUrl: a.redis,
      queueName: a.queue,
      concurrency: a.concurrency,
      evaluator,
      lockDurationMs: a['lock-ms'],
      stalledIntervalMs: a['stalled-interval-ms'],
      log,
      ...(tlsCa === undefined ? {} : { tlsCa }),
    });
    process.stdout.write(`ready ${handle.name} queue ${a.queue} evaluator ${evaluator.kind} concurrency ${a.concurrency}\n`);
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (): void => {
        signals++;
        process.stderr.write(signals === 1 ? 'worker: finishing running trials (signal again to abort them)\n' : 'worker: aborting running trials\n');
        void handle.close(signals > 1).then(resolve);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    process.stderr.write(`worker ${handle.name}: stopped after ${handle.processed} trials\n`);
    // a lost Redis leaves reconnect timers behind: do not let them keep a stopped worker alive
    setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
  },
};
