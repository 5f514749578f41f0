import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readJournal } from '../../src/study/journal.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const args = (journal: string): string[] => [
  '--import', 'tsx', 'src/cli/main.ts', 'search', '--space', 'nb201', '--dataset', 'cifar10', '--cost', 'latency:pixel3', '--max', '9.19',
  '--algorithm', 'layernas', '--trials', '300', '--seed', '3', '--noise', '0.3', '--json', '--journal', journal, '--eval-delay-ms', '4',
];

function results(file: string): number[] {
  return readJournal(file).events.flatMap((e) => (e.type === 'result' ? [e.trial] : []));
}

test('kill -9 in the middle of a 300-trial search, resume: no trial evaluated twice, same best as an uninterrupted run', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kill-'));
  const whole = path.join(dir, 'whole.jsonl');
  const ref = spawnSync(process.execPath, args(whole), { cwd: root, encoding: 'utf8' });
  assert.equal(ref.status, 0, ref.stderr);
  const refOut = JSON.parse(ref.stdout) as { best: { trial: number; dna: number[] }; trialsUsed: number };

  const killed = path.join(dir, 'killed.jsonl');
  const child = spawn(process.execPath, args(killed), { cwd: root, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // wait until about 120 trials are journaled, then SIGKILL
  for (let i = 0; i < 6000; i++) {
    if (existsSync(killed) && results(killed).length >= 120) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const before = results(killed);
  assert.ok(before.length >= 120 && before.length < refOut.trialsUsed, `killed after ${before.length} trials`);

  const resumed = spawnSync(process.execPath, args(killed), { cwd: root, encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  const out = JSON.parse(resumed.stdout) as { best: { trial: number; dna: number[] }; trialsUsed: number; evaluatedThisRun: number };
  const after = results(killed);
  assert.equal(new Set(after).size, after.length, 'a trial has two result lines');
  assert.equal(out.evaluatedThisRun, after.length - before.length);
  assert.equal(after.length, refOut.trialsUsed);
  assert.deepEqual(out.best.dna, refOut.best.dna);
  assert.equal(out.best.trial, refOut.best.trial);
  // ask lines of both journals are the same sequence
  const asks = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"type":"ask"')).map((l) => l.replace(/,"time":"[^"]*"/, ''));
  assert.deepEqual(asks(killed), asks(whole));
});
