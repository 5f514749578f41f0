#!/usr/bin/env node
// Entry point of the `layernas` command.
// Installed package: runs the compiled JavaScript in dist/ (built by `npm run build`, which `prepare` runs on
// `npm install` in a checkout and before `npm pack`); no TypeScript at run time.
// Checkout (src/ beside this folder): runs the TypeScript sources through tsx, so an edit needs no rebuild.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
let entry = compiled;
if (existsSync(sources) && process.env.LAYERNAS_USE_DIST !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  entry = sources;
} else if (!existsSync(compiled)) {
  process.stderr.write('layernas: dist/ is missing; run `npm run build` in the layernas folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
