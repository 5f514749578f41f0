/**
 * kill -9 resume of `layernas design`, on the real pieces: the same small design job runs
 *   A: once, uninterrupted;
 *   B: killed with SIGKILL (the CLI and its trainer: the whole process group) during the search (after `--kill-after-trials` journaled trials), rerun, killed with
 *      SIGKILL during final training (as soon as its progress says so), rerun to the end, then rerun once more.
 * Prints what each run trained and whether B ends with A's winner (same DNA, same final accuracy).
 *   npx tsx bench/design-resume.ts [--out /tmp/design-resume] [--trainer pytorch|tfjs] [--kill-after-trials 2]
 *     [--latency-table <table.json>] [--latency-ms 0.15]   (table: the e2e test's mobile32 fixture)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (flag: string, fallback: string): string => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? (process.argv[i + 1] as string) : fallback;
};
const base = arg('--out', '/tmp/design-resume');
const trainer = arg('--trainer', 'pytorch');
const killAfter = Number(arg('--kill-after-trials', '2'));
/** one latency table for A and B (profiles made at different moments of a shared machine differ) */
const table = arg('--latency-table', path.join(ROOT, 'test', 'design', 'fixtures', 'host-tflite-1t-mobile32-32.json'));
const budget = arg('--latency-ms', '0.15');

const job = (out: string): string[] => [
  'design', '--target', 'host-tflite-1t', '--space', 'mobile32', '--dataset', 'fashion-mnist', '--latency-ms', budget, '--trials', '5',
  '--trainer', trainer, '--proxy-images', '384', '--proxy-val-images', '500', '--full-epochs', '1', '--full-images', '2000',
  '--full-val-images', '1000', '--test-images', '2000', '--agreement-images', '1000', '--out', out, '--json', ...(table ? ['--latency-table', table] : []),
];

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string; seconds: number }

function run(args: string[], killWhen?: (stderr: string) => boolean): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    // its own process group: kill -9 takes the design and the trainer it started, like killing the job from a shell
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killWhen ? setInterval(() => { if (killWhen(stderr)) kill(); }, 250) : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

const results = (out: string): number => {
  const f = path.join(out, 'search', 'layernas.journal.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"type":"result"')).length : 0;
};

function outcome(r: Run): { trainedNow: unknown; winner: { dna: number[]; testAccuracy: number; valAccuracy: number } } {
  if (r.code !== 0) throw new Error(`design failed (${r.code ?? r.signal}):\n${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout) as { trainedNow: unknown; winner: { dna: number[]; testAccuracy: number; valAccuracy: number } };
}

const outA = path.join(base, 'A-uninterrupted');
const outB = path.join(base, 'B-killed');
rmSync(base, { recursive: true, force: true });
const [a, b1] = await Promise.all([
  run(job(outA)),
  run(job(outB), () => results(outB) >= killAfter),
]);
console.log(`B1: killed by ${b1.signal} after ${b1.seconds.toFixed(0)} s with ${results(outB)} search trial(s) journaled`);
const b2 = await run(job(outB), (stderr) => /"stage":"final-training"/.test(stderr));
console.log(`B2: resumed the search (${results(outB)} trials journaled now), killed by ${b2.signal} during final training after ${b2.seconds.toFixed(0)} s`);
const b3 = await run(job(outB));
const b4 = await run(job(outB));
const A = outcome(a), B3 = outcome(b3), B4 = outcome(b4);
console.log(`A  (uninterrupted): trained ${JSON.stringify(A.trainedNow)}, winner ${A.winner.dna.join('-')} val ${A.winner.valAccuracy} test ${A.winner.testAccuracy}, ${a.seconds.toFixed(0)} s`);
console.log(`B3 (after 2 kills): trained ${JSON.stringify(B3.trainedNow)}, winner ${B3.winner.dna.join('-')} val ${B3.winner.valAccuracy} test ${B3.winner.testAccuracy}, ${b3.seconds.toFixed(0)} s`);
console.log(`B4 (rerun finished): trained ${JSON.stringify(B4.trainedNow)}, winner ${B4.winner.dna.join('-')}, ${b4.seconds.toFixed(0)} s`);
console.log(`same winner A vs B: ${A.winner.dna.join('-') === B3.winner.dna.join('-') && B3.winner.dna.join('-') === B4.winner.dna.join('-')}`);
