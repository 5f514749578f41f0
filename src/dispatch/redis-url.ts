/**
 * Redis connection settings from a URL, and a fail-fast connectivity probe.
 *
 *   redis://[user[:password]@]host[:port][/db]     plain TCP
 *   rediss://[user[:password]@]host[:port][/db]    TLS (certificate verified against the system CAs or `tlsCa`)
 *
 * Password-only URLs (`redis://:secret@host`) use Redis' default user (AUTH <password>); a user name selects an ACL
 * user (AUTH <user> <password>). Percent-escapes in user and password are decoded.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';

export interface RedisUrlOptions {
  /** PEM text of a CA certificate to trust for rediss:// (self-signed servers). */
  readonly tlsCa?: string;
  /** Connection timeout in ms (default 5000). */
  readonly connectTimeoutMs?: number;
}

/** Plain connection settings, accepted both by ioredis and by BullMQ's `connection` option. */
export interface RedisConnectionSettings {
  host: string;
  port: number;
  db: number;
  connectTimeout: number;
  username?: string;
  password?: string;
  tls?: { servername: string; ca?: string };
}

const dbSchema = z.coerce.number().int().min(0).max(15);

/** Parse a redis:// or rediss:// URL into ioredis options. Throws USAGE on a malformed URL. */
export function parseRedisUrl(url: string, options: RedisUrlOptions = {}): RedisConnectionSettings {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LayernasError('USAGE', `not a Redis URL: '${redactRedisUrl(url)}' (expected redis://[user:password@]host[:port][/db] or rediss://...)`, { url: redactRedisUrl(url) });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new LayernasError('USAGE', `unsupported Redis URL scheme '${u.protocol}' in '${redactRedisUrl(url)}' (use redis:// or rediss://)`, { url: redactRedisUrl(url) });
  }
  if (u.hostname === '') throw new LayernasError('USAGE', `Redis URL '${redactRedisUrl(url)}' has no host`, { url: redactRedisUrl(url) });
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  let db = 0;
  if (dbText !== '') {
    const parsed = dbSchema.safeParse(dbText);
    if (!parsed.success) throw new LayernasError('USAGE', `Redis URL '${redactRedisUrl(url)}': database '${dbText}' must be an integer 0..15`, { url: redactRedisUrl(url) });
    db = parsed.data;
  }
  // IPv6 literals come back bracketed from URL.hostname
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const opts: RedisConnectionSettings = { host, port, db, connectTimeout: options.connectTimeoutMs ?? 5000 };
  if (u.username !== '') opts.username = decodeURIComponent(u.username);
  if (u.password !== '') opts.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') {
    opts.tls = options.tlsCa === undefined ? { servername: host } : { servername: host, ca: options.tlsCa };
  }
  return opts;
}

/** The URL with its password replaced by '***' (for messages and logs). */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/** Map a connection or command error to QUEUE_AUTH / QUEUE_UNREACHABLE, or undefined for anything else. */
export function classifyRedisError(err: unknown, where: string): LayernasError | undefined {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (/NOAUTH|WRONGPASS|invalid username-password|invalid password|AUTH <password> called without any password|NOPERM/i.test(msg)) {
    return new LayernasError('QUEUE_AUTH', `Redis at ${where} refused the credentials: ${msg}. Check the user and password in the URL.`, { where, reason: msg }, { cause: err });
  }
  const unreachableCodes = ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE'];
  if ((typeof code === 'string' && unreachableCodes.includes(code)) || /connect ETIMEDOUT|Connection is closed|timed out|ECONNREFUSED|socket hang up|SSL|TLS|certificate|wrong version number/i.test(msg)) {
    return new LayernasError('QUEUE_UNREACHABLE', `cannot reach Redis at ${where}: ${msg}. Is redis-server running there, and is the host/port/scheme right?`, { where, reason: msg }, { cause: err });
  }
  return undefined;
}

/**
 * Connect once, authenticate and PING; throws QUEUE_UNREACHABLE or QUEUE_AUTH within about `connectTimeoutMs`
 * instead of retrying forever (what ioredis does by default). Returns the server version.
 */
export async function probeRedis(url: string, options: RedisUrlOptions = {}): Promise<{ version: string }> {
  const base = parseRedisUrl(url, options);
  const where = `${base.host}:${base.port}`;
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const client = new Redis({ ...base, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, reconnectOnError: () => false });
  // ioredis reports the real cause (NOAUTH during its ready check, ECONNREFUSED) as an 'error' event and rejects the
  // command itself with a generic "Connection is closed"; keep the first event to classify by it.
  let firstEvent: unknown;
  client.on('error', (err: unknown) => { firstEvent ??= err; });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`connection timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs + 500);
    });
    await Promise.race([client.connect(), timeout]);
    await Promise.race([client.ping(), timeout]);
    const info = await Promise.race([client.info('server'), timeout]);
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    return { version };
  } catch (err) {
    const fromEvent = firstEvent === undefined ? undefined : classifyRedisError(firstEvent, where);
    throw fromEvent ?? classifyRedisError(err, where) ?? new LayernasError('QUEUE_UNREACHABLE', `Redis at ${where} failed: ${err instanceof Error ? err.message : String(err)}`, { where }, { cause: err });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    client.disconnect();
  }
}
