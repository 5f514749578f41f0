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

test('confirmWithinBudget: a second round after the first limit skips the candidates the measured bias puts over the budget', async () => {
  // the estimate under-prices every candidate by 1.5x near the budget; candidates ranked best first, the estimate
  // falling from 9.9 ms by 0.1 ms per rank: only estimates <= 10 / 1.5 = 6.67 ms fit (rank 33 and on)
  const n = 60;
  const estimate = (i: number): number => 9.9 - 0.1 * i;
  const measured: number[] = [];
  const list = Array.from({ length: n }, (_, i) => i);
  const r = await confirmWithinBudget(list, async (i) => { measured.push(i); return 1.5 * estimate(i); }, 10, CONFIRM_LIMIT, estimate);
  assert.equal(r.within, true);
  assert.ok((r.chosen as number) >= 33 && 1.5 * estimate(r.chosen as number) <= 10, `chosen ${r.chosen}`);
  // the first round measures the limit's best in order; the second jumps over the ones the ratio rules out
  assert.deepEqual(measured.slice(0, CONFIRM_LIMIT), list.slice(0, CONFIRM_LIMIT));
  assert.equal(measured.length, CONFIRM_LIMIT + 1, `measured ${measured.join(',')}`);
  // without the estimate there is no second round
  let calls = 0;
  const plain = await confirmWithinBudget(list, async (i) => { calls++; return 1.5 * estimate(i); }, 10);
  assert.equal(plain.within, false);
  assert.equal(calls, CONFIRM_LIMIT);
});
