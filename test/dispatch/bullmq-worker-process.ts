/**
 * Test helper: runs `layernas worker ...` as a real child process and follows its progress lines
 * ("ready ...", "start <trial> attempt <n>", "done <trial> ...").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SpawnedWorker {
  readonly proc: ChildProcess;
  readonly lines: string[];
  /** resolves with the first line (already seen or future) matching `re` */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** resolves when the process has exited */
  readonly exited: Promise<number | null>;
}

/** argv to run a layernas CLI command through tsx (the CLI entry when it exists, else the command module alone). */
export function layernasArgv(args: readonly string[]): string[] {
  const main = path.join(repoDir, 'src', 'cli', 'main.ts');
  if (existsSync(main)) return ['--import', 'tsx', main, ...args];
  const mod = path.join(repoDir, 'src', 'cli', 'commands', 'worker.ts');
  const code = `import yargs from 'yargs'; import { workerCommand } from ${JSON.stringify(mod)}; await yargs(process.argv.slice(1)).command(workerCommand).strict().fail((m, e) => { console.error(e?.message ?? m); process.exit(2); }).parse();`;
  return ['--import', 'tsx', '--input-type=module', '-e', code, ...args];
}

export function spawnLayernas(args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnedWorker {
  const proc = spawn(process.execPath, layernasArgv(args), { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buf = '';
  const onData = (d: Buffer): void => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    lines,
    exited,
    waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
        void exited.then((code) => { clearTimeout(t); reject(new Error(`process exited (${code}) before a line matching ${re}; output:\n${lines.slice(-20).join('\n')}`)); });
      });
    },
  };
}

export function spawnWorker(redisUrl: string, extra: readonly string[] = []): SpawnedWorker {
  return spawnLayernas(['worker', '--redis', redisUrl, ...extra]);
}

export async function stopProcess(w: SpawnedWorker): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  w.proc.kill('SIGTERM');
  const t = setTimeout(() => w.proc.kill('SIGKILL'), 5000);
  await w.exited;
  clearTimeout(t);
}
