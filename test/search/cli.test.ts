import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';

test('layernas search with an impossible budget: BUDGET_IMPOSSIBLE, exit 2, nothing evaluated or journaled', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-'));
  const journal = path.join(dir, 'j.jsonl');
  let err = '';
  const code = await main(['search', '--space', 'nb201', '--dataset', 'cifar10', '--cost', 'latency:pixel3', '--max', '0.002', '--journal', journal], { stderr: (t) => (err += t) });
  assert.equal(code, 2);
  assert.match(err, /BUDGET_IMPOSSIBLE.*latency:pixel3 <= 0.002.*spans \[0.00327686/);
  assert.equal(existsSync(journal), false);
});

test('layernas search rejects unknown costs and datasets as bad input', async () => {
  let err = '';
  const io = { stderr: (t: string) => (err += t) };
  assert.equal(await main(['search', '--space', 'nb201', '--dataset', 'cifar10', '--cost', 'latency:iphone', '--max', '5'], io), 2);
  assert.match(err, /TABLE_MISSING_KEY/);
  assert.equal(await main(['search', '--space', 'nb201', '--dataset', 'mnist', '--cost', 'latency:pixel3', '--max', '5'], io), 2);
  assert.match(err, /unknown dataset/);
});
