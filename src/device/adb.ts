/**
 * adb through argument arrays only (child_process.execFile, never a host shell).
 * `adb shell` joins its arguments into ONE command line for the device's /system/bin/sh, so every argument we
 * send there is single-quoted for that shell (quoteForDeviceShell); nothing user-given is ever interpreted.
 */
import { execFile } from 'node:child_process';
import { LayernasError } from '../core/errors.js';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** The small surface of adb layernas needs. */
export interface AdbClient {
  push(localPath: string, devicePath: string): Promise<void>;
  /** run `argv[0] argv[1..]` on the device; each element quoted for the device shell */
  shell(argv: readonly string[]): Promise<CommandResult>;
}

/** POSIX single-quote one word for the device shell: abc -> 'abc', it's -> 'it'\''s' */
export function quoteForDeviceShell(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface AdbOptions {
  readonly adb: string;
  readonly serial: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export function runFile(file: string, args: readonly string[], opts: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, [...args], { timeout: opts.timeoutMs, maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env, shell: false }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        const what = `${file} ${args.join(' ')}`;
        if (e.code === 'ENOENT') {
          reject(new LayernasError('DEVICE_FAILED', `cannot run "${file}": not found. Install Android platform-tools and give its path in the target's measure.adb`, { file, args: [...args] }, { cause: err }));
          return;
        }
        const tail = `${String(stderr)}\n${String(stdout)}`.trim().split('\n').slice(-8).join('\n');
        reject(new LayernasError('DEVICE_FAILED', `${what} failed (${e.killed ? 'timed out' : `exit ${String(e.code)}`}): ${tail}`, { file, args: [...args], stderrTail: tail }, { cause: err }));
        return;
      }
      resolvePromise({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export class ExecFileAdbClient implements AdbClient {
  constructor(private readonly opts: AdbOptions) {}

  private run(args: readonly string[]): Promise<CommandResult> {
    return runFile(this.opts.adb, ['-s', this.opts.serial, ...args], { timeoutMs: this.opts.timeoutMs ?? 300_000, env: this.opts.env });
  }

  async push(localPath: string, devicePath: string): Promise<void> {
    await this.run(['push', localPath, devicePath]);
  }

  shell(argv: readonly string[]): Promise<CommandResult> {
    if (argv.length === 0) throw new LayernasError('USAGE', 'adb shell needs a command');
    return this.run(['shell', ...argv.map(quoteForDeviceShell)]);
  }
}
