/**
 * Starts a real redis-server (Debian package `redis-server`) on 127.0.0.1, a free port and a temporary directory,
 * with persistence off; `stop()` kills it and removes the directory. Used by the dispatch tests and benches.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RedisServerHandle {
  readonly port: number;
  /** redis://[:password@]127.0.0.1:port (rediss:// with `tls`) */
  readonly url: string;
  /** PEM of the self-signed certificate (with `tls`) */
  readonly caPem?: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** require this password for the default user */
  readonly password?: string;
  /** also create an ACL user with this name and password (full access) */
  readonly aclUser?: { readonly name: string; readonly password: string };
  /** serve TLS only, with a fresh self-signed certificate for 127.0.0.1 (made with openssl) */
  readonly tls?: boolean;
}

function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

export async function freeLoopbackPort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(port: number, password: string | undefined, ca: string | undefined, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}: ${log()}`);
    const c = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, ...(ca === undefined ? {} : { tls: { ca, servername: '127.0.0.1' } }) });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      c.disconnect();
      return;
    } catch {
      c.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`redis-server on port ${port} not ready after 10 s: ${log()}`);
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'layernas-redis-'));
  const tls = options.tls === true ? selfSignedCertificate(dir) : undefined;
  const caPem = tls === undefined ? undefined : readFileSync(tls.cert, 'utf8');
  for (let tries = 0; ; tries++) {
    const port = await freeLoopbackPort();
    const portArgs = tls === undefined ? ['--port', String(port)] : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-auth-clients', 'no'];
    const args = [...portArgs, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'];
    if (options.password !== undefined) args.push('--requirepass', options.password);
    if (options.aclUser !== undefined) args.push('--user', options.aclUser.name, 'on', `>${options.aclUser.password}`, '~*', '&*', '+@all');
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      await waitReady(port, options.password, caPem, proc, () => out.slice(-2000));
    } catch (err) {
      proc.kill('SIGKILL');
      if (tries < 2 && /Address already in use/.test(out)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
    return {
      port,
      url: `${tls === undefined ? 'redis' : 'rediss'}://${auth}127.0.0.1:${port}`,
      ...(caPem === undefined ? {} : { caPem }),
      pid: proc.pid ?? -1,
      async stop(): Promise<void> {
        if (proc.exitCode === null) {
          const exited = new Promise<void>((r) => proc.once('exit', () => r()));
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(t);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
