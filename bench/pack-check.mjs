#!/usr/bin/env node
// Pack check (issue 20): `npm pack` -> install the tarball into an empty folder -> `npx layernas design --help` and the
// docs/api.md example run from the installed package (compiled JS, no tsx). Prints the package size and each step.
// Usage: node bench/pack-check.mjs [workdir]   (deps come from the npm registry / cache; ~1 min)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = process.argv[2] ? resolve(process.argv[2]) : mkdtempSync(join(tmpdir(), 'layernas-pack-'));
mkdirSync(work, { recursive: true });
const sh = (cmd, args, cwd, env = {}) => execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

const t0 = Date.now();
const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], root));
const info = packed[0];
console.log(`npm pack: ${info.filename}, ${info.entryCount} files, tarball ${(info.size / 1e6).toFixed(2)} MB, unpacked ${(info.unpackedSize / 1e6).toFixed(2)} MB`);
const bad = info.files.filter((f) => /^(results|bench|test|src)\//.test(f.path));
console.log(`files from results/, bench/, test/, src/ in the package: ${bad.length}`);

const app = join(work, 'app');
mkdirSync(app, { recursive: true });
writeFileSync(join(app, '.npmrc'), 'fund=false\naudit=false\n');
// ONNX Runtime's install script only fetches optional CUDA files: not run (allowScripts), so no npm config warning
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'layernas-pack-check', private: true, type: 'module', allowScripts: { 'onnxruntime-node': false } }, null, 1));
sh('npm', ['install', '--prefer-offline', join(work, info.filename)], app);
console.log(`npm install <tarball> into ${app}: ok (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`);
console.log(`tsx installed in the app: ${existsSync(join(app, 'node_modules', 'tsx'))}`);
console.log(`TFLite runner addon (XNNPack) built on install: ${existsSync(join(app, 'node_modules', 'layernas', 'native', 'tflite-runner', 'build', 'layernas_tflite.node'))}`);

const help = sh('npx', ['layernas', 'design', '--help'], app);
console.log(`npx layernas design --help: ${help.split('\n')[0]} ... (${help.split('\n').length} lines)`);

const doc = readFileSync(join(root, 'docs', 'api.md'), 'utf8');
const example = /```js example\n([\s\S]*?)```/.exec(doc)?.[1];
if (!example) throw new Error('docs/api.md has no ```js example block');
writeFileSync(join(app, 'example.mjs'), example);
const shared = process.env.LAYERNAS_DATA_DIR ?? resolve(root, '..', 'shared', 'data');
const out = sh(process.execPath, ['example.mjs'], app, { LAYERNAS_DATA_DIR: shared });
console.log(`docs/api.md example (node example.mjs, LAYERNAS_DATA_DIR=${shared}):\n${out.trimEnd().replace(/^/gm, '  ')}`);
console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
