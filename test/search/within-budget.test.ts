import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confirmWithinBudget, CONFIRM_LIMIT } from '../../src/search/within-budget.js';

test('confirmWithinBudget: measures best-first until one is within the budget', async () => {
  const measured: string[] = [];
  const ms: Record<string, number> = { a: 12, b: 11, c: 9.5, d: 8 };
  const r = await confirmWithinBudget(['a', 'b', 'c', 'd'], async (x) => { measured.push(x); return ms[x] as number; }, 10);
  assert.equal(r.chosen, 'c');
  assert.equal(r.within, true);
  assert.deepEqual(measured, ['a', 'b', 'c']);
  assert.deepEqual(r.checks.map((c) => c.within), [false, false, true]);
});

test('confirmWithinBudget: at most the limit; none within -> the fastest measured, flagged', async () => {
  const list = Array.from({ length: CONFIRM_LIMIT + 3 }, (_, i) => i);
  let calls = 0;
  const r = await confirmWithinBudget(list, async (i) => { calls++; return 20 - (i === 2 ? 5 : 0); }, 10);
  assert.equal(calls, CONFIRM_LIMIT);
  assert.equal(r.within, false);
  assert.equal(r.chosen, 2);
  const empty = await confirmWithinBudget([], async () => 1, 10);
  assert.equal(empty.chosen, undefined);
});
