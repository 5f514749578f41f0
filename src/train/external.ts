/**
 * External trainer protocol: run a user command (argument array, never a shell string) with a JSON request file and
 * read its JSON result file. Timeout, non-zero exit, a missing or malformed result -> TRAINER_FAILED with the stderr tail and a typed
 * `details.reason` (src/study/failure.ts): timeout, killed (a signal: OOM killer, operator), disk-full / unwritable
 * (from the stderr), candidate (exit code 3), environment (any other exit).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNetwork } from '../arch/grammar.js';
import { LayernasError } from '../core/errors.js';
import { reasonOfErrno, reasonOfText, type FailureReason } from '../core/failure.js';
import { dataLocations } from '../core/locations.js';
import { writeSplitFiles } from '../data/export-idx.js';
import { stratifiedSubset } from '../data/splits.js';
import type { Dataset } from '../data/types.js';
import type { TrainSettings } from './settings.js';
import { trainResultSchema, type TrainRequest, type TrainResult } from './protocol.js';
import type { EpochProgress } from './trainer.js';
import type { TrainJob, Trainer } from './types.js';

/** The PyTorch reference trainer (Debian python3-torch), as an argument array. */
export const PYTORCH_REFERENCE_COMMAND: readonly string[] = ['/usr/bin/python3', join(dataLocations().trainers, 'pytorch', 'train.py')];

export interface ExternalTrainerOptions {
  readonly name: string;
  /** argv; `{request}` in any argument is replaced by the request file path, otherwise the path is appended */
  readonly command: readonly string[];
  readonly timeoutMs: number;
  /** where the fixed splits are written as IDX files for the command (default: os tmpdir) */
  readonly dataCacheDir?: string;
  readonly env?: Readonly<Record<string, string>>;
}

const TAIL_BYTES = 4000;
/** Exit code of a trainer that cannot build or train the candidate itself (a final failure: never retried). */
export const EXIT_CANDIDATE = 3;

function tail(text: string): string {
  return text.length <= TAIL_BYTES ? text : text.slice(text.length - TAIL_BYTES);
}

/** Progress lines a trainer may print on stdout: `PROGRESS {"epoch":1,"epochs":3,"step":10,"steps":100,"loss":0.5,"imagesPerSecond":200}`. */
function parseProgress(line: string): EpochProgress | undefined {
  if (!line.startsWith('PROGRESS ')) return undefined;
  try {
    const p = JSON.parse(line.slice(9)) as EpochProgress;
    return typeof p.epoch === 'number' && typeof p.step === 'number' ? p : undefined;
  } catch {
    return undefined;
  }
}

function materialiseSubsets(job: TrainJob): { dataset: Dataset; settings: TrainSettings } {
  const { trainSubset, validationSubset, ...rest } = job.settings;
  const s = job.settings.seed;
  const train = trainSubset ? stratifiedSubset(job.dataset.train, trainSubset, s + 1) : job.dataset.train;
  const validation = validationSubset ? stratifiedSubset(job.dataset.validation, validationSubset, s + 2) : job.dataset.validation;
  const tag = trainSubset || validationSubset ? `#t${train.count}v${validation.count}s${s}` : '';
  return { dataset: { ...job.dataset, name: `${job.dataset.name}${tag}`, train, validation }, settings: rest };
}

export class ExternalTrainer implements Trainer {
  readonly name: string;
  constructor(private readonly o: ExternalTrainerOptions) {
    this.name = o.name;
  }

  async train(job: TrainJob, onProgress?: (p: EpochProgress) => void): Promise<TrainResult> {
    try {
      return await this.trainOnce(job, onProgress);
    } catch (e) {
      // our own writes (request file, split files) on a full disk or an unwritable folder: a typed, transient failure
      const reason = reasonOfErrno((e as NodeJS.ErrnoException).code);
      if (e instanceof LayernasError || reason === undefined) throw e;
      throw new LayernasError('TRAINER_FAILED', `trainer ${this.name}: ${reason === 'disk-full' ? 'the disk is full' : 'a folder is not writable'} (${(e as Error).message}) while preparing ${job.outputDir}`, { trainer: this.name, reason }, { cause: e });
    }
  }

  private async trainOnce(job: TrainJob, onProgress?: (p: EpochProgress) => void): Promise<TrainResult> {
    await mkdir(job.outputDir, { recursive: true });
    // subsets are drawn here, with the in-process trainer's functions and seeds, so every trainer sees the same images
    const { dataset, settings } = materialiseSubsets(job);
    const files = writeSplitFiles(dataset, this.o.dataCacheDir ?? join(tmpdir(), 'layernas-splits'));
    const resultFile = join(job.outputDir, 'result.json');
    const request: TrainRequest = {
      protocol: 'layernas-train/1',
      arch: formatNetwork(job.spec),
      spec: job.spec as unknown as Record<string, unknown>,
      dataset: { name: files.name, numClasses: files.numClasses, train: files.train, validation: files.validation, test: files.test },
      settings,
      evaluateTest: job.evaluateTest,
      outputDir: job.outputDir,
      resultFile,
    };
    const requestFile = join(job.outputDir, 'request.json');
    await writeFile(requestFile, `${JSON.stringify(request, null, 1)}\n`);
    await rm(resultFile, { force: true }); // a stale result must never pass for this run's
    const argv = this.o.command.some((a) => a.includes('{request}'))
      ? this.o.command.map((a) => a.replaceAll('{request}', requestFile))
      : [...this.o.command, requestFile];
    const stderr = await this.run(argv, onProgress, job.signal);
    let text: string;
    try {
      text = await readFile(resultFile, 'utf8');
    } catch (e) {
      throw this.failed(`wrote no result file ${resultFile}`, stderr, argv);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.failed(`wrote a result that is not JSON (${JSON.stringify(text.slice(0, 80))})`, stderr, argv);
    }
    const ok = trainResultSchema.safeParse(parsed);
    if (!ok.success) {
      const issue = ok.error.issues[0];
      throw this.failed(`wrote an invalid result: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema mismatch'}`, stderr, argv);
    }
    return ok.data;
  }

  /**
   * A typed failure: `reason` from how the trainer ended (timeout, signal, EXIT_CANDIDATE) or, for other exits, from
   * its stderr (a full disk is named as such in the message).
   */
  private failed(what: string, stderr: string, argv: readonly string[], reason?: FailureReason): LayernasError {
    const stderrTail = tail(stderr);
    const r = reason ?? reasonOfText(stderrTail) ?? 'environment';
    const cause = r === 'disk-full' ? ': the disk is full (free space on the disk holding the output and data folders, then rerun)'
      : r === 'unwritable' ? ': an output folder is not writable' : '';
    return new LayernasError('TRAINER_FAILED', `trainer ${this.name} ${what}${cause}${stderrTail ? `\n--- stderr (tail) ---\n${stderrTail}` : ''}`, {
      trainer: this.name, argv, stderrTail, reason: r,
    });
  }

  private run(argv: readonly string[], onProgress?: (p: EpochProgress) => void, signal?: AbortSignal): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const [cmd, ...args] = argv as [string, ...string[]];
      if (signal?.aborted) {
        reject(new LayernasError('TRIAL_TIMEOUT', `trainer ${this.name} not started: the trial was aborted`, { trainer: this.name, reason: 'killed' }));
        return;
      }
      // stdin: a pipe we never write; it reaches EOF when this process dies (even by SIGKILL), and the trainer exits
      // then (trainers/pytorch/train.py watch_parent). LAYERNAS_PARENT_PID: the same by re-parenting.
      const child = spawn(cmd, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, ...this.o.env, LAYERNAS_PARENT_PID: String(process.pid), LAYERNAS_PARENT_PIPE: '1' },
      });
      child.stdin.on('error', () => {}); // EPIPE when the trainer exits first
      let aborted = false;
      const onAbort = (): void => {
        aborted = true;
        child.kill('SIGKILL');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let stderr = '';
      let stdoutBuf = '';
      let timedOut = false;
      child.stderr.on('data', (d: Buffer) => { stderr = tail(stderr + d.toString()); });
      child.stdout.on('data', (d: Buffer) => {
        stdoutBuf += d.toString();
        const lines = stdoutBuf.split('\n');
        stdoutBuf = lines.pop() ?? '';
        for (const line of lines) {
          const p = parseProgress(line);
          if (p && onProgress) onProgress(p);
        }
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, this.o.timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(this.failed(`could not start (${e.message})`, stderr, argv, 'environment'));
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (timedOut) reject(this.failed(`timed out after ${this.o.timeoutMs} ms`, stderr, argv, 'timeout'));
        else if (aborted) reject(new LayernasError('TRIAL_TIMEOUT', `trainer ${this.name} aborted (worker shutting down)`, { trainer: this.name, reason: 'killed' }));
        else if (code === EXIT_CANDIDATE) reject(this.failed(`exited with code ${EXIT_CANDIDATE}: it cannot train this candidate (a final failure, not retried)`, stderr, argv, 'candidate'));
        else if (code !== 0) reject(this.failed(`exited with ${code !== null ? `code ${code}` : `signal ${sig}`}`, stderr, argv, code === null ? (reasonOfText(tail(stderr)) ?? 'killed') : undefined));
        else resolvePromise(stderr);
      });
    });
  }
}
