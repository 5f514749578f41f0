import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { isLayernasError } from '../../src/core/errors.js';
import { readCsv } from '../../src/space/data-files.js';
import { decodeArch } from '../../src/space/decode.js';
import { dnaFromIndex, spaceSize } from '../../src/space/types.js';
import { makeAlgorithm } from '../../src/study/algorithms.js';
import { MemoryJournal } from '../../src/study/journal.js';
import { buildProblem } from '../../src/study/problem.js';
import { runStudy } from '../../src/study/study.js';

const reference = buildProblem({ space: 'nb201', dataset: 'cifar10', constraints: [{ cost: 'latency:raspi4', high: Infinity }] });
const n = spaceSize(reference.space);
const raspi = reference.constraints.list[0]!.model;

/** An R write.csv-style file: BOM, every header and field quoted, CRLF; "my latency (ms)" is our own column. */
function userCsv(dir: string, name: string, edit: (rows: string[][]) => void = () => {}): string {
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const dna = dnaFromIndex(reference.space, i);
    rows.push([decodeArch(reference.space, dna), String(reference.accuracy!.values[i]), (raspi.cost(dna) * 0.8 + (i % 5) * 0.01).toFixed(4), `net ${i}, v2`]);
  }
  edit(rows);
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const text = '\uFEFF' + [['arch', 'top1 (%)', 'my latency (ms)', 'name'], ...rows].map((r) => r.map(q).join(',')).join('\r\n') + '\r\n';
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('CSV reader: quoted header and fields with commas, BOM, CRLF; line numbers of rows', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'csv-'));
  const file = path.join(dir, 'q.csv');
  writeFileSync(file, '\uFEFF"arch","a, b"\r\n"x,1","2"\r\n\r\n"y","3"\r\n');
  const t = readCsv(file);
  assert.deepEqual(t.header, ['arch', 'a, b']);
  assert.deepEqual(t.rows, [['x,1', '2'], ['y', '3']]);
  assert.deepEqual(t.lines, [2, 4]);
});

test('your own latency column: csv:<column> constrains the search, every trial within it, reward and oracle from the CSV', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'csv-'));
  const file = userCsv(dir, 'mine.csv');
  const problem = buildProblem({ space: 'nb201', constraints: [{ cost: 'csv:my latency (ms)', high: 20 }], csv: { file, rewardColumn: 'top1 (%)' } });
  const mine = problem.constraints.list[0]!.model;
  assert.equal(mine.name, 'csv:my latency (ms)');
  const result = await runStudy({
    studyId: 'mine', settings: {}, space: problem.space, constraints: problem.constraints, algorithm: makeAlgorithm('layernas', problem, 0, 60).algorithm,
    maxTrials: 60, batchSize: 1, evaluator: problem.evaluator(0), journal: new MemoryJournal(),
  });
  assert.equal(result.trials.filter((t) => t.status !== 'ok').length, 0);
  assert.equal(result.trials.filter((t) => !t.feasible).length, 0);
  assert.ok(mine.cost(result.best!.dna) <= 20);
  assert.equal(result.best!.reward, reference.accuracy!.accuracy(result.best!.dna));
  assert.ok(problem.accuracy, 'the oracle comes from the CSV reward column');
});

test('a CSV missing a row or with a typo is refused before any trial, naming the line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'csv-'));
  const missing = userCsv(dir, 'missing.csv', (rows) => rows.splice(100, 1));
  assert.throws(
    () => buildProblem({ space: 'nb201', constraints: [{ cost: 'csv:my latency (ms)', high: 20 }], csv: { file: missing, rewardColumn: 'top1 (%)' } }),
    (e) => isLayernasError(e, 'TABLE_MISSING_KEY') && e.message.includes(decodeArch(reference.space, dnaFromIndex(reference.space, 100))) && e.message.includes('after line 101'),
  );
  const typo = userCsv(dir, 'typo.csv', (rows) => (rows[41]![0] = rows[41]![0]!.replace('nor_conv_3x3', 'nor_conv_3x4').replace('skip_connect', 'skip_conect')));
  assert.throws(
    () => buildProblem({ space: 'nb201', constraints: [], csv: { file: typo, rewardColumn: 'top1 (%)' } }),
    (e) => isLayernasError(e, 'TABLE_INVALID') && e.message.includes(`${typo}:43`),
  );
  const text = userCsv(dir, 'text.csv', (rows) => (rows[7]![2] = 'n/a'));
  assert.throws(
    () => buildProblem({ space: 'nb201', constraints: [{ cost: 'csv:my latency (ms)', high: 20 }], csv: { file: text, rewardColumn: 'top1 (%)' } }),
    (e) => isLayernasError(e, 'TABLE_INVALID') && e.message.includes(`${text}:9`) && e.message.includes('my latency (ms)'),
  );
});

test('CLI: search and benchmark run on your own CSV; a bad CSV exits non-zero before any trial', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'csv-cli-'));
  const file = userCsv(dir, 'mine.csv');
  const journal = path.join(dir, 's.jsonl');
  const common = ['--space', 'nb201', '--csv', file, '--reward-column', 'top1 (%)', '--cost', 'csv:my latency (ms)', '--max', '20'];
  let err = '';
  const io = { stderr: (t: string) => (err += t) };
  assert.equal(await main(['search', ...common, '--trials', '50', '--journal', journal, '--json'], io), 0, err);
  const results = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'result');
  assert.equal(results.length, 50);
  assert.ok(results.every((r) => r.status === 'ok' && r.costs['csv:my latency (ms)'] <= 20));
  const out = path.join(dir, 'bench');
  assert.equal(await main(['benchmark', ...common, '--seeds', '3', '--trials', '50', '--out', out], io), 0, err);
  assert.ok(existsSync(path.join(out, 'nb201.json')) && existsSync(path.join(out, 'nb201.svg')));
  const bench = JSON.parse(readFileSync(path.join(out, 'nb201.json'), 'utf8'));
  assert.equal(bench.rows.length, 4);
  assert.ok(bench.oracle > 90 && bench.oracle < 95);

  const missing = userCsv(dir, 'missing.csv', (rows) => rows.splice(5, 1));
  const badJournal = path.join(dir, 'bad.jsonl');
  err = '';
  assert.equal(await main(['search', ...common.map((a) => (a === file ? missing : a)), '--journal', badJournal], io), 2);
  assert.match(err, /TABLE_MISSING_KEY.*missing\.csv: no row for architecture .*after line 6/);
  assert.equal(existsSync(badJournal), false, 'nothing journaled');
  const typo = userCsv(dir, 'typo.csv', (rows) => (rows[0]![0] = rows[0]![0]!.replace('~0|', '~9|')));
  err = '';
  assert.equal(await main(['benchmark', ...common.map((a) => (a === file ? typo : a)), '--seeds', '2', '--trials', '20'], io), 2);
  assert.match(err, /TABLE_INVALID.*typo\.csv:2: /);
});
