/**
 * Fault injection on `layernas design` (issue 19): the same small design job runs
 *   A: clean, once;
 *   B: with a trainer that fails at random on 30% of its calls (exit 1, SIGKILL as from the OOM killer, a hang until
 *      the trial timeout, an output folder made unwritable), rerun with the same command until it exits 0.
 * Both use the same trainer command (test/robustness/fixtures/flaky_trainer.py in front of the PyTorch reference
 * trainer; faults only in B, through LAYERNAS_FAULTS). Prints the faults injected, the reruns and their error codes /
 * reasons, whether B ends with A's winner, and from B's journal: trials lost (asked, never finished), trials trained
 * again after they had succeeded.
 *   npx tsx bench/fault-injection.ts [--out /tmp/fault-injection] [--rate 0.3] [--seed 1] [--trials 6]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (flag: string, fallback: string): string => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? (process.argv[i + 1] as string) : fallback;
};
const base = arg('--out', '/tmp/fault-injection');
const rate = Number(arg('--rate', '0.3'));
const seed = Number(arg('--seed', '1'));
const trials = arg('--trials', '6');
/** a hung trainer is killed after this long (a normal proxy trial takes ~5-15 s on a loaded 2-core machine) */
const timeoutMs = arg('--timeout-ms', '60000');
const FLAKY = path.join(ROOT, 'test', 'robustness', 'fixtures', 'flaky_trainer.py');
const TABLE = path.join(ROOT, 'test', 'design', 'fixtures', 'host-tflite-1t-mobile32-32.json');

const job = (out: string): string[] => [
  'design', '--target', 'host-tflite-1t', '--space', 'mobile32', '--dataset', 'fashion-mnist', '--latency-ms', '0.15', '--latency-table', TABLE,
  '--trials', trials, '--trainer', `command:/usr/bin/python3 ${FLAKY}`, '--parallel', '1', '--trial-timeout-ms', timeoutMs,
  '--proxy-images', '256', '--proxy-val-images', '200', '--proxy-runs', '1', '--full-epochs', '1', '--full-images', '512', '--full-val-images', '200',
  '--test-images', '200', '--agreement-images', '100', '--calibration-images', '16', '--out', out, '--json',
];

interface Run { code: number | null; stdout: string; stderr: string; seconds: number }

/**
 * A run that went to the end: exit 0, or VERIFY_FAILED (every stage ran and summary.json is written; the verdict on
 * a model this tiny is not what this bench is about and is printed apart).
 */
const finished = (r: Run): boolean => r.code === 0 || /error \[VERIFY_FAILED\]/.test(r.stderr);

function run(args: string[], env: Record<string, string>): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - t0) / 1000 }));
  });
}

interface Summary { winner: { dna: number[]; arch: string }; finals: { role: string; valAccuracy: number; testAccuracy: number }[] }
const summaryOf = (out: string): Summary => JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;

interface Ev { type: string; trial?: number; status?: string; error?: { code: string; reason?: string } }
function journal(out: string): Ev[] {
  const f = path.join(out, 'search', 'layernas.journal.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Ev) : [];
}

rmSync(base, { recursive: true, force: true });
mkdirSync(base, { recursive: true });
const outA = path.join(base, 'A-clean');
const outB = path.join(base, 'B-faults');

let a = await run(job(outA), {});
// no fault is injected in A; on an overloaded machine a real trial may still exceed the timeout: resumed, and said so
for (let i = 0; !finished(a) && a.code === 1 && i < 5; i++) {
  console.log(`A clean run stopped (${/error \[([A-Z_]+)\]: (.*)/.exec(a.stderr)?.[2]?.slice(0, 150) ?? a.code}); resumed`);
  a = await run(job(outA), {});
}
if (!finished(a)) throw new Error(`clean run failed (${a.code}):\n${a.stderr.slice(-2000)}`);
console.log(`A clean: ${a.seconds.toFixed(0)} s, winner ${summaryOf(outA).winner.arch}`);

const faults = { counter: path.join(base, 'calls'), log: path.join(base, 'calls.jsonl'), random: rate, seed, modes: ['exit1', 'sigkill', 'hang', 'unwritable'] };
const runs: Run[] = [];
let b: Run | undefined;
for (let i = 0; i < 40; i++) {
  b = await run(job(outB), { LAYERNAS_FAULTS: JSON.stringify(faults) });
  runs.push(b);
  const err = /error \[([A-Z_]+)\]: (.*)/.exec(b.stderr);
  console.log(`B run ${i + 1}: exit ${b.code} in ${b.seconds.toFixed(0)} s${err ? ` ${err[1]}: ${(err[2] as string).slice(0, 150)}` : ''}`);
  if (finished(b)) break;
  if (b.code !== 1) throw new Error(`unexpected exit ${b.code}:\n${b.stderr.slice(-2000)}`);
}

const calls = readFileSync(faults.log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { mode: string | null });
const byMode = new Map<string, number>();
for (const c of calls) byMode.set(c.mode ?? 'none', (byMode.get(c.mode ?? 'none') ?? 0) + 1);
const events = journal(outB);
const asked = new Set(events.filter((e) => e.type === 'ask').map((e) => e.trial as number));
const okOrFinal = new Map<number, number>();
let trainedAfterSuccess = 0;
const reasons = new Map<string, number>();
for (const e of events.filter((x) => x.type === 'result')) {
  const t = e.trial as number;
  if (okOrFinal.has(t)) trainedAfterSuccess++;
  if (e.status === 'ok' || e.error?.reason === 'candidate') okOrFinal.set(t, (okOrFinal.get(t) ?? 0) + 1);
  if (e.status === 'failed') reasons.set(e.error?.reason ?? '?', (reasons.get(e.error?.reason ?? '?') ?? 0) + 1);
}
const lost = [...asked].filter((t) => !okOrFinal.has(t));
const sa = summaryOf(outA);
const sb = b !== undefined && finished(b) ? summaryOf(outB) : undefined;
const winA = sa.finals.find((f) => f.role === 'winner');
const winB = sb?.finals.find((f) => f.role === 'winner');
console.log('');
console.log(`trainer calls in B: ${calls.length}; faults injected: ${[...byMode].filter(([m]) => m !== 'none').map(([m, n]) => `${m} ${n}`).join(', ')} (${(100 * (calls.length - (byMode.get('none') ?? 0)) / calls.length).toFixed(0)}% of calls)`);
console.log(`verification verdict (tiny models, loaded machine; not part of this bench): A ${a.code === 0 ? 'passed' : 'VERIFY_FAILED'}, B ${b?.code === 0 ? 'passed' : 'VERIFY_FAILED'}`);
console.log(`B runs until done: ${runs.length} (${runs.filter((r) => !finished(r)).length} stopped by a failure), total ${runs.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s vs A ${a.seconds.toFixed(0)} s`);
console.log(`search trials failed and journaled by reason: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}`);
console.log(`trials asked ${asked.size}, finished ${okOrFinal.size}, lost ${lost.length}${lost.length ? ` (${lost.join(',')})` : ''}, trained again after success ${trainedAfterSuccess}`);
console.log(`winner A: ${sa.winner.arch} [${sa.winner.dna.join(',')}] val ${winA ? (100 * winA.valAccuracy).toFixed(2) : '?'}%`);
console.log(`winner B: ${sb?.winner.arch ?? '(not finished)'} [${sb?.winner.dna.join(',') ?? ''}] val ${winB ? (100 * winB.valAccuracy).toFixed(2) : '?'}%`);
console.log(`same winner: ${sb !== undefined && sb.winner.arch === sa.winner.arch ? 'yes' : 'NO'}; same final val accuracy: ${winA && winB && winA.valAccuracy === winB.valAccuracy ? 'yes' : 'NO'}`);
