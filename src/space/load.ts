/** Loading search spaces from JSON files (user-written or the built-in ones under spaces/). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LayernasError } from '../core/errors.js';
import { dataLocations } from '../core/locations.js';
import { searchSpaceSchema, spaceFromData, type SearchSpace } from './types.js';

export const BUILTIN_SPACES = ['nb201', 'nats_sss', 'fbnet', 'mobilenetv2'] as const;
export type BuiltinSpaceName = (typeof BUILTIN_SPACES)[number];

/** The package root (the checkout, or node_modules/layernas): see core/locations.ts. */
export function repoRoot(): string {
  return dataLocations().packageRoot;
}

export function parseSpaceJson(text: string, source: string): SearchSpace {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new LayernasError('SPACE_INVALID', `search space ${source} is not valid JSON: ${(e as Error).message}`, { file: source });
  }
  const parsed = searchSpaceSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new LayernasError('SPACE_INVALID', `search space ${source}: ${where ? where + ': ' : ''}${issue?.message ?? 'invalid'}`, {
      file: source,
      path: where,
    });
  }
  for (const [i, layer] of parsed.data.layers.entries()) {
    if (new Set(layer.options).size !== layer.options.length) {
      throw new LayernasError('SPACE_INVALID', `search space ${source}: layer ${i} (${layer.name}) has duplicate options`, { file: source, layer: i });
    }
  }
  return spaceFromData(parsed.data);
}

export function loadSpaceFile(file: string): SearchSpace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LayernasError('SPACE_INVALID', `cannot read search space file ${file}: ${(e as Error).message}`, { file });
  }
  return parseSpaceJson(text, file);
}

export function isBuiltinSpace(name: string): name is BuiltinSpaceName {
  return (BUILTIN_SPACES as readonly string[]).includes(name);
}

/** names of every space shipped in spaces/*.json (the built-in ones first) */
export function shippedSpaceNames(): string[] {
  const dir = dataLocations().spaces;
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)) : [];
  return [...BUILTIN_SPACES, ...files.filter((f) => !isBuiltinSpace(f)).sort()];
}

/**
 * A space by name (any spaces/<name>.json shipped with layernas: nb201, nats_sss, fbnet, mobilenetv2, mobile32, ...)
 * or a JSON file path. Every command that takes --space resolves it here, so they all accept the same names.
 */
export function loadSpace(nameOrFile: string): SearchSpace {
  if (nameOrFile.endsWith('.json')) return loadSpaceFile(nameOrFile);
  const shipped = path.join(dataLocations().spaces, `${nameOrFile}.json`);
  if (/^[A-Za-z0-9_-]+$/.test(nameOrFile) && existsSync(shipped)) return loadSpaceFile(shipped);
  throw new LayernasError('SPACE_INVALID', `unknown search space "${nameOrFile}": use one of ${shippedSpaceNames().join(', ')} or a .json file`, {
    space: nameOrFile,
  });
}
