#!/usr/bin/env node
// Entry point of the `layernas` command: runs the TypeScript sources through tsx's ESM loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
