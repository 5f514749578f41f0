import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { runSuite, suiteProblems, suiteSpec } from '../../src/study/suite.js';

test('nb201-latency suite: 6 devices x 15/25 % of each maximum x 3 datasets = 36 problems', () => {
  const problems = suiteProblems(suiteSpec('nb201-latency'));
  assert.equal(problems.length, 36);
  const pixel3 = problems.filter((p) => p.options.constraints[0]!.cost === 'latency:pixel3').map((p) => p.options.constraints[0]!.high);
  assert.deepEqual([...new Set(pixel3)], [5.51497, 9.19163]); // 15 % and 25 % of 36.7665 ms
});

test('suite run: impossible problems reported and left out, figures per problem, the same on 1 or 2 threads', async () => {
  const problems = suiteProblems({ costs: ['latency:eyeriss', 'latency:fpga'], fractions: [0.15, 0.25], datasets: ['cifar100'] });
  const opts = { algorithms: ['layernas', 'random'] as const, seeds: 3, budgets: [40] };
  const one = await runSuite(problems, { ...opts, jobs: 1 });
  const two = await runSuite(problems, { ...opts, jobs: 2 });
  assert.deepEqual(two.rows, one.rows);
  assert.deepEqual(one.impossible.map((i) => i.problem), ['latency:eyeriss<=1.57903 (15%) cifar100'], 'Eyeriss has nothing under 15 % of its maximum');
  assert.equal(one.rows.length, 3 * 2);
  const ln = one.overall.find((o) => o.algorithm === 'layernas')!;
  assert.equal(ln.overBudgetShare, 0);
  assert.ok(one.rows.every((r) => r.meanGap >= 0 && r.exactShare >= 0 && r.exactShare <= 1 && r.noAnswer === 0));
});

test('layernas benchmark --suite writes suite.json, suite.txt and suite.svg', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'suite-'));
  let err = '';
  const code = await main(['benchmark', '--suite', 'nb201-latency', '--suite-costs', 'latency:fpga', '--suite-fractions', '0.25', '--dataset', 'cifar10', '--seeds', '2', '--trials', '30', '--out', out], { stderr: (t) => (err += t) });
  assert.equal(code, 0, err);
  for (const f of ['suite.json', 'suite.txt', 'suite.svg']) assert.ok(existsSync(path.join(out, f)), f);
  const json = JSON.parse(readFileSync(path.join(out, 'suite.json'), 'utf8'));
  assert.equal(json.rows.length, 4);
  assert.match(readFileSync(path.join(out, 'suite.txt'), 'utf8'), /worst five for layernas at 30 trials/);
  assert.match(readFileSync(path.join(out, 'suite.svg'), 'utf8'), /<polyline/);
});
