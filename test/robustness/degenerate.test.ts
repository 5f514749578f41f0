/**
 * Issue 19 item 8: degenerate input is refused with a typed error, not accepted silently: 0x0 images, a dataset too
 * small for its train/validation/test split, a journal result for a trial never asked (ignored with a warning, never
 * the best), an all-zero latency table, duplicate JSON keys in a target (and in a table).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isLayernasError } from '../../src/core/errors.js';
import { loadTable } from '../../src/cost/latency-table.js';
import { loadDataset } from '../../src/data/load.js';
import { RandomSearch } from '../../src/search/random-search.js';
import { Constraints } from '../../src/search/constraints.js';
import { Rng } from '../../src/core/rng.js';
import { loadSpace } from '../../src/space/load.js';
import { MemoryJournal, readJournal } from '../../src/study/journal.js';
import { runStudy } from '../../src/study/study.js';
import { loadTargetFile } from '../../src/targets/load.js';
import { ROOT, TABLE } from './helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'layernas-degenerate-'));
after(() => rmSync(work, { recursive: true, force: true }));

function idx(file: string, dims: number[], data: Uint8Array): void {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  writeFileSync(file, Buffer.concat([head, Buffer.from(data)]));
}

function idxDataset(name: string, n: number, h: number, w: number): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  idx(path.join(dir, 'train-images-idx3-ubyte'), [n, h, w], new Uint8Array(n * h * w).fill(7));
  idx(path.join(dir, 'train-labels-idx1-ubyte'), [n], Uint8Array.from({ length: n }, (_, i) => i % 2));
  return dir;
}

describe('degenerate input is refused', () => {
  it('0x0 images: DATASET_INVALID', () => {
    const dir = idxDataset('zero', 40, 0, 0);
    assert.throws(() => loadDataset({ kind: 'idx', dir }), (e: unknown) => isLayernasError(e, 'DATASET_INVALID') && /0x0x1/.test(e.message));
  });

  it('a 4-image dataset (empty validation/test split): DATASET_INVALID naming the split', () => {
    const dir = idxDataset('tiny', 4, 8, 8);
    assert.throws(() => loadDataset({ kind: 'idx', dir }), (e: unknown) => isLayernasError(e, 'DATASET_INVALID') && /split is empty/.test(e.message));
  });

  it('a journal result for a trial it never asked is ignored with a warning and never becomes the best', async () => {
    const space = loadSpace('nb201');
    const constraints = new Constraints(space, []);
    const evaluator = { kind: 'const', options: {}, evaluate: async () => ({ reward: 0.5, metrics: {} }) };
    const settings = { test: 'inject' };
    const first = new MemoryJournal();
    await runStudy({ studyId: 's', settings, space, constraints, algorithm: new RandomSearch(constraints, new Rng(1)), maxTrials: 2, batchSize: 1, evaluator, journal: first });
    const injected = [...first.events.filter((e) => e.type !== 'end'),
      { type: 'result' as const, trial: 3, status: 'ok' as const, reward: 99, metrics: {}, costs: {} }];
    const file = path.join(work, 'inject.jsonl');
    writeFileSync(file, injected.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const r = await runStudy({ studyId: 's', settings, space, constraints, algorithm: new RandomSearch(constraints, new Rng(1)), maxTrials: 5, batchSize: 1, evaluator, journal: new MemoryJournal(), history: readJournal(file).events });
    assert.ok(r.best !== undefined && r.best.reward === 0.5, `best reward ${r.best?.reward}`);
    assert.equal(r.trials.find((t) => t.trial === 3)?.reward, 0.5, 'trial 3 was evaluated, not read from the injected line');
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0] as string, /trial 3, which the journal never asked for, ignored/);
  });

  it('an all-zero latency table: TABLE_INVALID', () => {
    const t = JSON.parse(readFileSync(TABLE, 'utf8')) as { entries: { median_ms: number; mean_ms: number | null; p90_ms: number | null }[]; fixed: { median_ms: number }[] };
    for (const e of t.entries) Object.assign(e, { median_ms: 0, mean_ms: 0, p90_ms: 0 });
    for (const f of t.fixed) Object.assign(f, { median_ms: 0, mean_ms: 0, p90_ms: 0 });
    const file = path.join(work, 'zero-table.json');
    writeFileSync(file, JSON.stringify(t));
    assert.throws(() => loadTable(file), (e: unknown) => isLayernasError(e, 'TABLE_INVALID') && /are 0 ms/.test(e.message));
  });

  it('duplicate JSON keys in a target (and in a table): TARGET_INVALID / TABLE_INVALID naming the key', () => {
    const dir = path.join(work, 'targets');
    mkdirSync(dir);
    const src = readFileSync(path.join(ROOT, 'targets', 'host-tflite-1t.json'), 'utf8');
    const target = JSON.parse(src) as { latencyTables: string[] };
    for (const t of target.latencyTables) copyFileSync(path.resolve(ROOT, 'targets', t), path.join(dir, path.basename(t)));
    const text = JSON.stringify({ ...target, latencyTables: target.latencyTables.map((t) => path.basename(t)) }, null, 1);
    const dup = text.replace(/"threads": (\d+),/, '"threads": $1,\n "threads": 8,');
    assert.notEqual(dup, text);
    writeFileSync(path.join(dir, 'dup.json'), dup);
    assert.throws(() => loadTargetFile(path.join(dir, 'dup.json')), (e: unknown) => isLayernasError(e, 'TARGET_INVALID') && /"threads" appears twice/.test(e.message));
    const table = readFileSync(TABLE, 'utf8').replace('"metadata": {', '"metadata": {\n "device": "other",');
    writeFileSync(path.join(dir, 'dup-table.json'), table);
    assert.throws(() => loadTable(path.join(dir, 'dup-table.json')), (e: unknown) => isLayernasError(e, 'TABLE_INVALID') && /"device" appears twice in metadata/.test(e.message));
  });
});
