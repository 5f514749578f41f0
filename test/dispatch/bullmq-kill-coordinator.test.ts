/**
 * `layernas search --redis` (the coordinator) is killed with SIGKILL mid-search while 2 `layernas worker` processes
 * keep evaluating; the same command is run again: it resumes from its journal, does not enqueue finished trials again,
 * picks up the trials the workers finished while it was down from Redis, and ends with the same trials and best
 * model as an uninterrupted local run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { parseRedisUrl } from '../../src/dispatch/redis-url.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { spawnLayernas, spawnWorker, stopProcess, type SpawnedWorker } from './bullmq-worker-process.js';

interface JournalLine { type: string; trial?: number; dna?: number[]; reward?: number | null; status?: string }

function readJournalLines(file: string): JournalLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.trim() !== '').flatMap((l) => {
    try {
      return [JSON.parse(l) as JournalLine];
    } catch {
      return []; // a line torn by the kill
    }
  });
}

const searchArgs = ['search', '--space', 'nb201', '--dataset', 'cifar10', '--cost', 'latency:pixel3', '--max', '9.19', '--trials', '120', '--batch', '16', '--seed', '3', '--noise', '0.2', '--json'];

let srv: RedisServerHandle;
let dir: string;
let workers: SpawnedWorker[] = [];
before(async () => {
  srv = await startRedisServer();
  dir = mkdtempSync(path.join(tmpdir(), 'layernas-coord-'));
  const flags = ['--queue', 'coord', '--evaluator', 'nb201', '--eval-delay-ms', '120', '--lock-ms', '2000', '--stalled-interval-ms', '1000'];
  workers = [0, 1].map(() => spawnWorker(srv.url, flags));
  await Promise.all(workers.map((w) => w.waitFor(/^ready /, 60_000)));
});
after(async () => {
  await Promise.all(workers.map(stopProcess));
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kill -9 the coordinator, run it again: it resumes, finished trials are not re-enqueued, same result', async () => {
  const journal = path.join(dir, 'search.jsonl');
  const remoteArgs = [...searchArgs, '--journal', journal, '--redis', srv.url, '--queue', 'coord'];
  const first = spawnLayernas(remoteArgs);
  const deadline = Date.now() + 60_000;
  while (readJournalLines(journal).filter((e) => e.type === 'result').length < 40 && Date.now() < deadline) {
    if (first.proc.exitCode !== null) assert.fail(`coordinator ended before the kill:\n${first.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  first.proc.kill('SIGKILL');
  await first.exited;
  const before = readJournalLines(journal);
  const doneBefore = new Set(before.filter((e) => e.type === 'result').map((e) => e.trial));
  const askedBefore = new Set(before.filter((e) => e.type === 'ask').map((e) => e.trial));
  assert.ok(doneBefore.size >= 40 && doneBefore.size < 120, `killed mid-search (${doneBefore.size} results)`);
  assert.ok(askedBefore.size > doneBefore.size, 'some trials were in flight at the kill');

  const second = spawnLayernas(remoteArgs);
  const code = await second.exited;
  assert.equal(code, 0, second.lines.join('\n'));
  const out = JSON.parse(second.lines.filter((l) => !/^(resuming|\[|warning)/.test(l)).join('\n')) as { best: { trial: number; dna: number[]; reward: number }; trialsUsed: number; evaluatedThisRun: number };
  assert.ok(second.lines.some((l) => l.startsWith(`resuming ${journal}: ${doneBefore.size} finished trials`)), second.lines.join('\n'));
  // only trials without a journaled result went through the dispatcher again
  assert.equal(out.evaluatedThisRun, out.trialsUsed - doneBefore.size);

  const after = readJournalLines(journal);
  const results = after.filter((e) => e.type === 'result');
  assert.equal(results.length, out.trialsUsed, 'one result line per trial');
  assert.equal(new Set(results.map((e) => e.trial)).size, results.length, 'no trial twice in the journal');

  // Redis: exactly one job per trial, and the workers evaluated every trial exactly once
  const q = new Queue('coord', { connection: parseRedisUrl(srv.url) });
  assert.equal(await q.getJobCountByTypes('completed'), out.trialsUsed);
  await q.close();
  const done = workers.flatMap((w) => w.lines.filter((l) => l.startsWith('done ')).map((l) => l.split(' ')[1]));
  assert.equal(done.length, out.trialsUsed);
  assert.equal(new Set(done).size, done.length);

  // same trials and best model as an uninterrupted local run with the same seed
  const localJournal = path.join(dir, 'local.jsonl');
  const local = spawnLayernas([...searchArgs, '--journal', localJournal]);
  assert.equal(await local.exited, 0, local.lines.join('\n'));
  const localOut = JSON.parse(local.lines.filter((l) => !/^(resuming|\[|warning)/.test(l)).join('\n')) as typeof out;
  assert.equal(out.trialsUsed, localOut.trialsUsed);
  assert.deepEqual(out.best, localOut.best);
  const trialsOf = (lines: JournalLine[]) => lines.filter((e) => e.type === 'result').map((e) => [e.trial, e.status, e.reward]).sort((a, b) => (a[0] as number) - (b[0] as number));
  assert.deepEqual(trialsOf(after), trialsOf(readJournalLines(localJournal)));
});
