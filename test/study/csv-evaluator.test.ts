import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeArch } from '../../src/space/decode.js';
import { dnaFromIndex, spaceSize } from '../../src/space/types.js';
import { makeAlgorithm } from '../../src/study/algorithms.js';
import { MemoryJournal } from '../../src/study/journal.js';
import { buildProblem } from '../../src/study/problem.js';
import { runStudy } from '../../src/study/study.js';
import { isLayernasError } from '../../src/core/errors.js';

test('generic CSV evaluator: user measurements drive the search; a CSV that lacks architectures is refused at load, before any trial', async () => {
  const reference = buildProblem({ space: 'nb201', dataset: 'cifar10', constraints: [] });
  const acc = reference.accuracy!;
  const dir = mkdtempSync(path.join(tmpdir(), 'csv-'));
  const file = path.join(dir, 'mine.csv');
  const lines = ['arch,my_acc,my_latency'];
  for (let i = 0; i < spaceSize(reference.space); i++) lines.push(`${decodeArch(reference.space, dnaFromIndex(reference.space, i))},${acc.values[i]},${i % 7}`);
  writeFileSync(file, lines.join('\n') + '\n');
  const problem = buildProblem({ space: 'nb201', constraints: [{ cost: 'latency:pixel3', high: 9.19 }], csv: { file, rewardColumn: 'my_acc' } });
  const journal = new MemoryJournal();
  const result = await runStudy({
    studyId: 'csv', settings: {}, space: problem.space, constraints: problem.constraints, algorithm: makeAlgorithm('random', problem, 1, 90).algorithm,
    maxTrials: 90, batchSize: 1, evaluator: problem.evaluator(0), journal,
  });
  assert.equal(result.trials.filter((t) => t.status === 'failed').length, 0);
  assert.equal(result.best?.status, 'ok');
  assert.equal(result.best?.metrics.my_acc, result.best?.reward);
  // the user measured two thirds of the space: refused before any trial, naming the first missing architecture
  writeFileSync(file, lines.filter((_, i) => i === 0 || i % 3 !== 1).join('\n') + '\n');
  assert.throws(() => buildProblem({ space: 'nb201', constraints: [{ cost: 'latency:pixel3', high: 9.19 }], csv: { file, rewardColumn: 'my_acc' } }), (e) => isLayernasError(e, 'TABLE_MISSING_KEY') && /5209 of the 15625/.test(e.message));
  // a bad cell is reported with file and line
  writeFileSync(file, 'arch,my_acc\n|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,abc\n');
  assert.throws(() => buildProblem({ space: 'nb201', constraints: [], csv: { file, rewardColumn: 'my_acc' } }), (e) => isLayernasError(e, 'TABLE_INVALID') && e.message.includes(`${file}:2`));
});
