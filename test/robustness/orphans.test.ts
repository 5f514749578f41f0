/**
 * Issue 19 item 7: `kill -9` of `design` leaves no PyTorch trainer behind. The real CLI runs a design whose search
 * trains with the real PyTorch trainer; once a trainer process is in the process table (found by the parent pid
 * its request file under the run folder), only the design process is SIGKILLed; within a few seconds no trainer of it is left.
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
    // killed while the trainer starts up (before its first progress line: a trainer that writes nothing to its stdout
    // pipe for a while never notices a dead parent through a broken pipe)
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(pid, 'SIGKILL');
    let left = trainers;
    const until = Date.now() + 3000;
    while (Date.now() < until && left.length > 0) {
      await new Promise((r) => setTimeout(r, 200));
      left = trainersOf(out);
    }
    assert.deepEqual(left, [], `trainer(s) ${left.join(', ')} still running 3 s after kill -9 of design ${pid}`);
  } finally {
    design.kill('SIGKILL');
    for (const p of trainersOf(out)) process.kill(p, 'SIGKILL');
  }
});
