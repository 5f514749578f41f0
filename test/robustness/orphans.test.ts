/**
 * Issue 19 item 7: `kill -9` of `design` leaves no PyTorch trainer behind. The real CLI runs a design whose search
 * trains with the real PyTorch trainer; once a trainer process is in the process table (found by its request file
 * under the run folder), only the design process is SIGKILLed; no trainer of it may be left before it has used 0.5 s
 * of CPU after the kill (CPU time, so a loaded machine does not make the check flaky; an orphan keeps training).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { CLI, ROOT, TABLE } from './helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'layernas-orphans-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** user + system CPU seconds of a process (0 when it is gone) */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** pids of live processes (from the process table) whose command line names a file under `dir` (a trainer's request file) */
function trainersOf(dir: string): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && cmd.some((a) => a.startsWith(dir + path.sep) && a.endsWith('request.json'))) found.push(Number(e));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

it('kill -9 of design leaves no trainer process running', { timeout: 180_000 }, async () => {
  const out = path.join(work, 'run');
  const design = spawn(process.execPath, ['--import', 'tsx', CLI, 'design', '--target', 'host-tflite-1t', '--space', 'mobile32', '--latency-ms', '0.15',
    '--latency-table', TABLE, '--trials', '2', '--trainer', 'pytorch', '--proxy-images', '4000', '--proxy-epochs', '3', '--parallel', '1', '--out', out, '--quiet'],
  { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = design.pid as number;
  try {
    const deadline = Date.now() + 120_000;
    let trainers: number[] = [];
    while (Date.now() < deadline && trainers.length === 0 && design.exitCode === null) {
      await new Promise((r) => setTimeout(r, 300));
      trainers = trainersOf(out);
    }
    assert.ok(trainers.length > 0, 'a trainer process was started');
    // killed as soon as the trainer is seen (it is starting up: loading torch takes it over a second of CPU); then it
    // may use at most 0.5 s of CPU before it is gone
    // (CPU time, not wall time: on a loaded machine a process waits long for the CPU, but an orphan keeps using it)
    const cpuAtKill = new Map(trainers.map((p) => [p, cpuSeconds(p)]));
    process.kill(pid, 'SIGKILL');
    let left = trainers;
    let used = 0;
    const until = Date.now() + 60_000;
    while (Date.now() < until && left.length > 0 && used <= 0.5) {
      await new Promise((r) => setTimeout(r, 200));
      left = trainersOf(out);
      used = Math.max(0, ...left.map((p) => cpuSeconds(p) - (cpuAtKill.get(p) ?? 0)));
    }
    assert.deepEqual(left, [], `trainer(s) ${left.join(', ')} of killed design ${pid} still running after using ${used.toFixed(1)} s of CPU since the kill`);
  } finally {
    design.kill('SIGKILL');
    for (const p of trainersOf(out)) process.kill(p, 'SIGKILL');
  }
});
