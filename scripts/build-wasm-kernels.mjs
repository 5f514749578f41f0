#!/usr/bin/env node
// Builds native/wasm-kernels/*.c into native/wasm-kernels/layernas-grad-kernels.wasm, a position-independent
// WebAssembly side module that imports the tfjs wasm backend's memory (zero-copy access to its tensors).
//
// The .wasm is committed to the repository, so `npm install` never needs clang; run this script after
// editing the C sources (needs Debian clang + lld >= 14: `apt-get install clang lld`).
//   node scripts/build-wasm-kernels.mjs            build and check the exports
//   node scripts/build-wasm-kernels.mjs --check    only verify the committed .wasm is up to date (exit 1 if not)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'native', 'wasm-kernels');
const output = join(srcDir, 'layernas-grad-kernels.wasm');
const expectedExports = [
  'conv2d_backprop_filter',
  'conv2d_backprop_input',
  'depthwise_backprop_filter',
  'depthwise_backprop_input',
  'reduce_leading',
  'batchnorm_grad',
  'relu6_grad',
  'broadcast_leading',
  'mul_scaled',
  'matmul_at_b',
  'matmul_a_bt',
  'batchnorm_forward',
];
// Imports the loader (src/train/wasm-kernels/module.ts) knows how to satisfy.
const allowedImports = new Set(['env.memory', 'env.__memory_base', 'env.__table_base', 'env.__stack_pointer',
  'env.__indirect_function_table']);

const clang = process.env.CLANG ?? 'clang';
const sources = readdirSync(srcDir).filter((f) => f.endsWith('.c')).sort().map((f) => join(srcDir, f));
const checkOnly = process.argv.includes('--check');

const work = mkdtempSync(join(tmpdir(), 'layernas-wasm-'));
const built = join(work, 'out.wasm');
try {
  execFileSync(clang, [
    '--target=wasm32', '-msimd128', '-O3', '-ffast-math', '-fno-builtin', '-fPIC', '-nostdlib',
    '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
    '-Wl,--no-entry', '-Wl,--export-dynamic', '-Wl,--experimental-pic', '-Wl,-shared', '-Wl,--strip-all',
    '-o', built, ...sources,
  ], { stdio: 'inherit' });
  const bytes = readFileSync(built);
  const mod = new WebAssembly.Module(bytes);
  const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
  for (const name of expectedExports) {
    if (!exports.includes(name)) throw new Error(`built module lacks export ${name} (has: ${exports.join(', ')})`);
  }
  for (const imp of WebAssembly.Module.imports(mod)) {
    const key = `${imp.module}.${imp.name}`;
    if (!allowedImports.has(key)) throw new Error(`built module has an import the loader cannot satisfy: ${key}`);
  }
  if (checkOnly) {
    const same = existsSync(output) && Buffer.compare(readFileSync(output), bytes) === 0;
    console.log(same ? `${output} is up to date` : `${output} is STALE: rebuild with node scripts/build-wasm-kernels.mjs`);
    process.exitCode = same ? 0 : 1;
  } else {
    renameSync(built, output);
    console.log(`built ${output} (${bytes.length} bytes; exports: ${expectedExports.join(', ')})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
