import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isLayernasError } from '../../src/core/errors.js';
import type { Evaluator } from '../../src/eval/types.js';
import { makeAlgorithm } from '../../src/study/algorithms.js';
import { FileJournal, readJournal } from '../../src/study/journal.js';
import { buildProblem } from '../../src/study/problem.js';
import { runStudy, type StudyOptions } from '../../src/study/study.js';

const problem = buildProblem({ space: 'nb201', dataset: 'cifar100', constraints: [{ cost: 'latency:pixel3', high: 9.19 }] });

function counting(inner: Evaluator, calls: number[]): Evaluator {
  return { kind: inner.kind, options: inner.options, evaluate: async (r) => { calls.push(r.trialNumber); return inner.evaluate(r); } };
}

async function run(file: string, algorithm: 're' | 'layernas', maxTrials: number, calls: number[], settings: Record<string, unknown> = { a: 1 }) {
  const read = readJournal(file);
  const journal = FileJournal.open(file);
  try {
    const opts: StudyOptions = {
      studyId: 's', settings, space: problem.space, constraints: problem.constraints, algorithm: makeAlgorithm(algorithm, problem, 7, maxTrials).algorithm,
      maxTrials, batchSize: 3, evaluator: counting(problem.evaluator(7), calls), journal, history: read.events,
    };
    return { result: await runStudy(opts), problems: read.problems };
  } finally {
    journal.close();
  }
}

test('corrupt and truncated journal lines are reported with their line numbers; the rest is recovered', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'journal-'));
  const reference = path.join(dir, 'ref.jsonl');
  const full = await run(reference, 're', 60, []);
  const file = path.join(dir, 'damaged.jsonl');
  const lines = readFileSync(reference, 'utf8').split('\n').filter((l) => l.length > 0);
  // keep the first 41 lines, damage line 20 (a result), and cut the last one in the middle
  const kept = lines.slice(0, 41);
  const damagedIndex = kept.findIndex((l, i) => i >= 19 && l.includes('"type":"result"'));
  kept[damagedIndex] = '{"type":"result","trial":oops';
  writeFileSync(file, kept.slice(0, 40).join('\n') + '\n' + (kept[40] as string).slice(0, 15));
  const read = readJournal(file);
  assert.deepEqual(read.problems.map((p) => p.line), [damagedIndex + 1, 41]);
  assert.match(read.problems[1]!.message, /truncated/);
  const calls: number[] = [];
  const resumed = await run(file, 're', 60, calls);
  assert.equal(resumed.problems.length, 2);
  const lostTrial = JSON.parse(lines[damagedIndex] as string).trial as number;
  assert.ok(calls.includes(lostTrial), 'the trial whose result line was damaged is evaluated again');
  assert.ok(calls.length < 45, `recovered trials are not re-evaluated (${calls.length} evaluations)`);
  assert.equal(resumed.result.best?.trial, full.result.best?.trial);
  assert.deepEqual(resumed.result.best?.dna, full.result.best?.dna);
  // after the repair the journal is readable line by line again
  assert.equal(readJournal(file).problems.length, 2);
});

test('resuming with different settings is STUDY_MISMATCH', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'journal-'));
  const file = path.join(dir, 'j.jsonl');
  await run(file, 'layernas', 30, []);
  // the error says which setting differs (both values) and which journal holds the other study
  await assert.rejects(run(file, 'layernas', 30, [], { a: 2 }), (e) => isLayernasError(e, 'STUDY_MISMATCH') && /a: 1 in the journal, 2 now/.test(e.message) && e.message.includes(file));
  // a journal whose trials came from another algorithm diverges
  const other = path.join(dir, 'k.jsonl');
  await run(other, 'layernas', 30, []);
  await assert.rejects(run(other, 're', 30, []), (e) => isLayernasError(e, 'STUDY_MISMATCH') && /diverges/.test(e.message));
});

test('a finished study resumed again evaluates nothing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'journal-'));
  const file = path.join(dir, 'j.jsonl');
  const first = await run(file, 'layernas', 80, []);
  const calls: number[] = [];
  const again = await run(file, 'layernas', 80, calls);
  assert.equal(calls.length, 0);
  assert.deepEqual(again.result.best?.dna, first.result.best?.dna);
});
