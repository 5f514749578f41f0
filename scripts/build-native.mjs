#!/usr/bin/env node
// Builds native/tflite-runner/tflite_runner.c (our Node-API TFLite runner with the XNNPack delegate) into
// native/tflite-runner/build/layernas_tflite.node, linked against the libtensorflowlite_c.so that
// tfjs-tflite-node ships (TFLite 2.9, XNNPack compiled in), compiled against Node's own headers (node_api.h).
// Runs from package.json "prepare" (npm install / npm ci). Never fails the install: on any problem it prints
// what is wrong and that layernas will fall back to the plain TFLite interpreter (slower, same results).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sources = ['tflite_runner.c', 'int8_delegate.c', 'int8_pointwise.c'].map((f) => join(root, 'native', 'tflite-runner', f));
const outDir = join(root, 'native', 'tflite-runner', 'build');
const output = join(outDir, 'layernas_tflite.node');

function fallback(reason) {
  console.warn(`layernas: TFLite runner addon (XNNPack) not built: ${reason}\n` +
    '  TFLite models will run on the plain TFLite interpreter (correct, but several times slower).\n' +
    '  Fix: install gcc (apt-get install gcc) and re-run `node scripts/build-native.mjs`.');
  process.exit(0);
}

const libDirs = { 'linux-x64': 'linux_amd64', 'linux-arm64': 'linux_arm64' };
const platformDir = libDirs[`${process.platform}-${process.arch}`];
if (!platformDir) fallback(`platform ${process.platform}-${process.arch} is not supported by the plugin build`);

let tfliteRoot;
try {
  tfliteRoot = dirname(createRequire(join(root, 'package.json')).resolve('tfjs-tflite-node/package.json'));
} catch {
  fallback('tfjs-tflite-node is not installed');
}
const libDir = join(tfliteRoot, 'cc_deps', platformDir);
if (!existsSync(join(libDir, 'libtensorflowlite_c.so'))) fallback(`no libtensorflowlite_c.so in ${libDir}`);

const nodeIncludes = [join(dirname(dirname(process.execPath)), 'include', 'node'), '/usr/include/node'];
const nodeInclude = nodeIncludes.find((d) => existsSync(join(d, 'node_api.h')));
if (!nodeInclude) fallback(`Node's C headers (node_api.h) are not in ${nodeIncludes.join(' or ')}`);

const cc = process.env.CC ?? 'gcc';
mkdirSync(outDir, { recursive: true });
const tmp = `${output}.tmp-${process.pid}`;
try {
  execFileSync(cc, ['-O2', '-shared', '-fPIC', '-fvisibility=hidden', '-Wall', '-Werror', '-o', tmp, ...sources, '-pthread',
    '-DNODE_GYP_MODULE_NAME=layernas_tflite', `-I${nodeInclude}`, `-I${join(tfliteRoot, 'cc_deps', 'include')}`, `-L${libDir}`, '-ltensorflowlite_c', `-Wl,-rpath,${libDir}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, output);
} catch (e) {
  fallback(`${cc} failed: ${e.message}`);
}
console.log(`layernas: built TFLite runner addon (XNNPack) ${output}`);
