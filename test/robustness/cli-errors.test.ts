/**
 * Issue 19 item 6: every CLI number and output path goes through one validated schema (src/cli/options.ts): bad
 * values are typed errors naming the flag (exit 2), never a stack trace. Run through the real CLI entry in process.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { TABLE } from './helpers.js';

const work = mkdtempSync(path.join(tmpdir(), 'layernas-cli-errors-'));
const readOnly = path.join(work, 'read-only');
mkdirSync(readOnly);
// root ignores permission bits: an immutable folder is read-only for everyone
execFileSync('chattr', ['+i', readOnly]);
after(() => {
  execFileSync('chattr', ['-i', readOnly]);
  rmSync(work, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(args, { stderr: (t) => { stderr += t; } });
  return { code, stderr };
}

describe('typed errors for bad CLI values', { timeout: 120_000 }, () => {
  const file = path.join(work, 'a-file');
  writeFileSync(file, 'x');
  const cases: [string, string[], RegExp][] = [
    ['verify --rounds 0', ['verify', work, '--target', 'host-tflite-1t', '--rounds', '0'], /error \[USAGE\]: verify: --rounds: must be at least 1/],
    ['verify --tolerance -1', ['verify', work, '--target', 'host-tflite-1t', '--tolerance', '-1'], /error \[USAGE\]: verify: --tolerance: must be greater than 0/],
    ['profile --rounds 0', ['profile', '--target', 'host-tflite-1t', '--space', 'mobile32', '--rounds', '0'], /error \[USAGE\]: profile: --rounds: must be at least 1/],
    ['profile --calibrate -1', ['profile', '--target', 'host-tflite-1t', '--space', 'mobile32', '--calibrate', '-1'], /error \[USAGE\]: profile: --calibrate: must be at least 0/],
    ['profile --out <missing folder>/t.json', ['profile', '--target', 'host-tflite-1t', '--space', 'mobile32', '--out', path.join(work, 'missing', 't.json')], /error \[OUTPUT_UNWRITABLE\]: profile: --out: folder .*missing does not exist/],
    ['design --out <a file>', ['design', '--out', file, '--latency-table', TABLE], /error \[OUTPUT_UNWRITABLE\]: design: --out: .*a-file is a file, not a folder/],
    ['design --out <read-only folder>', ['design', '--out', path.join(readOnly), '--latency-table', TABLE], /error \[OUTPUT_UNWRITABLE\]: design --out .*read-only: not writable/],
    ['design --out <inside a read-only folder>', ['design', '--out', path.join(readOnly, 'run'), '--latency-table', TABLE], /error \[OUTPUT_UNWRITABLE\]: design --out .*cannot create the folder/],
    ['search --journal <a folder>', ['search', '--space', 'nb201', '--dataset', 'cifar10', '--journal', work, '--trials', '2'], /error \[OUTPUT_UNWRITABLE\]: search: --journal: .* is a folder, not a file/],
    ['design --trials 1.5', ['design', '--trials', '1.5', '--out', path.join(work, 'd')], /error \[USAGE\]: design: --trials: expected a whole number|error \[USAGE\]: design: --trials: Expected integer/],
    ['design --proxy-epochs 0', ['design', '--proxy-epochs', '0', '--out', path.join(work, 'd')], /error \[USAGE\]: design: --proxy-\* \(epochs\)/],
    ['worker --concurrency 0', ['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '0'], /error \[USAGE\]: worker: --concurrency: must be at least 1/],
  ];
  for (const [name, args, expected] of cases) {
    it(name, async () => {
      const r = await cli(...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /internal error|ZodError|\n\s+at /);
    });
  }
});
