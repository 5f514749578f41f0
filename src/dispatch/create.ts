/**
 * Choosing where trials run, for the commands that evaluate trials (search, benchmark, design):
 * `--redis <url>` → BullMQ queue (src/dispatch/bullmq.ts, workers started with `layernas worker`);
 * otherwise the command's local dispatcher (process pool or in-process evaluation), built by the given factory.
 *
 * Commands add the flags with `withRedisDispatchOptions(yargs)` and pass the parsed values to `createDispatcher`.
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { DEFAULT_QUEUE_NAME, openBullmqDispatcher } from './bullmq.js';
import type { TrialDispatcher } from './types.js';

export interface DispatcherChoice {
  /** redis:// or rediss:// URL; absent = local */
  readonly redis?: string | undefined;
  readonly queue?: string | undefined;
  /** total attempts per trial (failed + crashed), default 2 */
  readonly maxAttempts?: number | undefined;
  /** PEM CA file to trust for rediss:// */
  readonly redisCa?: string | undefined;
  /** builds the local dispatcher when no --redis is given */
  readonly local: () => TrialDispatcher | Promise<TrialDispatcher>;
  readonly log?: (message: string) => void;
}

const choiceSchema = z.object({
  redis: z.string().min(1).optional(),
  queue: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'queue name: 1-100 characters of A-Z a-z 0-9 _ . -').optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  redisCa: z.string().min(1).optional(),
});

export async function createDispatcher(choice: DispatcherChoice): Promise<TrialDispatcher> {
  const parsed = choiceSchema.safeParse({ redis: choice.redis, queue: choice.queue, maxAttempts: choice.maxAttempts, redisCa: choice.redisCa });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new LayernasError('USAGE', `--${i?.path.join('.') ?? '?'}: ${i?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  if (c.redis === undefined) {
    if (c.queue !== undefined || c.redisCa !== undefined) throw new LayernasError('USAGE', '--queue and --redis-ca need --redis <url>');
    return await choice.local();
  }
  let tlsCa: string | undefined;
  if (c.redisCa !== undefined) {
    try {
      tlsCa = readFileSync(c.redisCa, 'utf8');
    } catch (err) {
      throw new LayernasError('USAGE', `cannot read --redis-ca ${c.redisCa}: ${(err as Error).message}`, { file: c.redisCa });
    }
  }
  return await openBullmqDispatcher({
    redisUrl: c.redis,
    queueName: c.queue ?? DEFAULT_QUEUE_NAME,
    ...(c.maxAttempts === undefined ? {} : { maxAttempts: c.maxAttempts }),
    ...(tlsCa === undefined ? {} : { tlsCa }),
    ...(choice.log === undefined ? {} : { log: choice.log }),
  });
}

/**
 * For commands that evaluate in-process unless told otherwise (search, benchmark): the BullMQ dispatcher when the
 * parsed arguments have --redis, else undefined. Reads --redis, --queue, --redis-ca, --max-attempts.
 */
export async function redisDispatcherFromArgs(argv: Readonly<Record<string, unknown>>, log?: (message: string) => void): Promise<TrialDispatcher | undefined> {
  if (argv.redis === undefined) {
    if (argv.queue !== undefined || argv['redis-ca'] !== undefined) throw new LayernasError('USAGE', '--queue and --redis-ca need --redis <url>');
    return undefined;
  }
  const str = (v: unknown, flag: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new LayernasError('USAGE', `--${flag} takes one value`);
    return v;
  };
  const attempts = argv['max-attempts'];
  if (attempts !== undefined && typeof attempts !== 'number') throw new LayernasError('USAGE', '--max-attempts takes a number');
  return await createDispatcher({
    redis: str(argv.redis, 'redis'),
    queue: str(argv.queue, 'queue'),
    redisCa: str(argv['redis-ca'], 'redis-ca'),
    maxAttempts: attempts,
    local: () => { throw new LayernasError('USAGE', 'no --redis given'); },
    ...(log === undefined ? {} : { log }),
  });
}

/** yargs flags for distributed dispatch: --redis, --queue, --redis-ca, --max-attempts. */
export function withRedisDispatchOptions<T>(y: Argv<T>) {
  return y
    .option('redis', { type: 'string', describe: 'dispatch trials to `layernas worker` processes through this Redis (redis://[user:pw@]host:port, rediss:// for TLS)' })
    .option('queue', { type: 'string', describe: `queue name shared with the workers (default ${DEFAULT_QUEUE_NAME})` })
    .option('redis-ca', { type: 'string', describe: 'PEM CA file to trust for rediss://' })
    .option('max-attempts', { type: 'number', describe: 'attempts per trial before it is recorded failed (failed + crashed), default 2' });
}
