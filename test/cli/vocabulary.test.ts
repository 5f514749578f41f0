/**
 * One CLI vocabulary (src/cli/vocabulary.ts): no command shows a retired spelling of an idea another command names
 * with the canonical flag; every --help has examples; --version; one trainer default; retired spellings still work
 * as hidden aliases; `npx layernas --help` prints no npm warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_TRAINER, VOCABULARY } from '../../src/cli/vocabulary.js';
import { DEFAULT_DESIGN } from '../../src/design/options.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/layernas.js');
const COMMANDS = ['cost', 'zoo', 'profile', 'worker', 'verify', 'targets', 'search', 'benchmark', 'design', 'export', 'train'];

function run(args: string[], cmd = process.execPath): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, cmd === process.execPath ? [BIN, ...args] : args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const helps = new Map(COMMANDS.map((c) => [c, run([c, '--help']).stdout]));
const flagsOf = (help: string): string[] => [...help.matchAll(/^\s+(?:-\w, )?--([a-z0-9-]+)/gm)].map((m) => m[1] as string);

test('no command shows a retired spelling; an idea has one flag name across commands', () => {
  const problems: string[] = [];
  for (const [cmd, help] of helps) {
    const flags = new Set(flagsOf(help));
    assert.ok(flags.size > 0, `${cmd} --help lists its options`);
    for (const v of VOCABULARY) for (const r of v.retired) if (flags.has(r)) problems.push(`${cmd} shows --${r}; the vocabulary name of "${v.idea}" is --${v.flag}`);
  }
  assert.deepEqual(problems, []);
});

test('every --help has examples; --version prints the package version', () => {
  for (const [cmd, help] of helps) assert.match(help, /Examples:\n\s+layernas /, `${cmd} --help has examples`);
  const v = run(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
});

test('one trainer default in design, train and worker', () => {
  assert.equal(DEFAULT_DESIGN.trainer, DEFAULT_TRAINER);
  for (const cmd of ['train', 'worker']) assert.match(helps.get(cmd) as string, new RegExp(`--trainer\\s.*\\[default: "${DEFAULT_TRAINER}"\\]`), cmd);
  for (const cmd of ['design', 'train', 'worker']) assert.match(helps.get(cmd) as string, /--trainer-device/, cmd);
});

test('retired spellings still work, reported under the vocabulary name', () => {
  const r = run(['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--parallel: must be at least 1/);
});

test('npx layernas --help prints no npm warning', () => {
  const r = run(['layernas', '--help'], 'npx');
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /npm warn/i);
  assert.match(r.stdout, /layernas <command>/);
});
