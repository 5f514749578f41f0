// A backend's temporary folder is made on first use, not when the backend is constructed (no I/O in constructors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { LazyTempDir } from '../../src/platform/backends.js';

test('LazyTempDir makes its folder on first use and removes it', () => {
  const prefix = `layernas-lazy-${process.pid}-`;
  const ours = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(prefix));
  const dir = new LazyTempDir(prefix);
  assert.equal(dir.exists, false);
  assert.deepEqual(ours(), []);
  const p = dir.path;
  assert.ok(existsSync(p));
  assert.equal(dir.path, p, 'the same folder on every use');
  dir.remove();
  assert.equal(existsSync(p), false);
  assert.deepEqual(ours(), []);
  dir.remove(); // twice: nothing to do
});
