/**
 * Loading targets: `targets/<id>.json` files validated with TargetSchema.
 * Errors: TARGET_INVALID (unreadable JSON or schema violation; details name the file and the JSON path),
 * TARGET_UNKNOWN (no such id; details list the known ids).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LayernasError } from '../core/errors.js';
import { findDuplicateKey } from '../core/json.js';
import { dataLocations } from '../core/locations.js';
import { TargetSchema, type LoadedTarget } from './schema.js';
import { describeZodIssues, formatIssues } from './validation.js';

/** The `targets/` folder shipped with layernas (repo root). */
export function shippedTargetsDir(): string {
  return dataLocations().targets;
}

export function loadTargetFile(file: string): LoadedTarget {
  const abs = resolve(file);
  let raw: unknown;
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
    raw = JSON.parse(text);
  } catch (e) {
    throw new LayernasError('TARGET_INVALID', `target file ${abs} is not readable JSON: ${(e as Error).message}`, { file: abs }, { cause: e });
  }
  const dup = findDuplicateKey(text);
  if (dup) {
    const where = dup.path === '' ? 'at the top level' : `in ${dup.path}`;
    throw new LayernasError('TARGET_INVALID', `target file ${abs}: key "${dup.key}" appears twice ${where} (offset ${dup.offset}); which one is meant?`, {
      file: abs, issues: [{ path: dup.path ? `${dup.path}.${dup.key}` : dup.key, message: 'duplicate key' }],
    });
  }
  const parsed = TargetSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = describeZodIssues(parsed.error);
    throw new LayernasError('TARGET_INVALID', `target file ${abs} is invalid: ${formatIssues(issues)}`, { file: abs, issues });
  }
  const target = parsed.data;
  const tableFiles = target.latencyTables.map((t) => (isAbsolute(t) ? t : resolve(dirname(abs), t)));
  for (const [i, t] of tableFiles.entries()) {
    if (!existsSync(t)) {
      throw new LayernasError('TARGET_INVALID', `target file ${abs}: latencyTables[${i}] points to ${t}, which does not exist`, {
        file: abs,
        issues: [{ path: `latencyTables[${i}]`, message: `file not found: ${t}` }],
      });
    }
  }
  return { target, file: abs, tableFiles };
}

/** Ids of the targets in a folder (file names without .json), sorted. */
export function listTargetIds(dir: string = shippedTargetsDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadAllTargets(dir: string = shippedTargetsDir()): LoadedTarget[] {
  return listTargetIds(dir).map((id) => loadTargetFile(join(dir, `${id}.json`)));
}

/**
 * Resolve `--target <id|path>`: a path to a .json file, or an id looked up in `dir`.
 * The file's `id` must equal its file name (so ids stay unique).
 */
/** a --target value that names a target file (else it is a shipped target's id) */
export const isTargetPath = (idOrPath: string): boolean => idOrPath.endsWith('.json') || idOrPath.includes('/');

export function resolveTarget(idOrPath: string, dir: string = shippedTargetsDir()): LoadedTarget {
  if (isTargetPath(idOrPath)) return loadTargetFile(idOrPath);
  const file = join(dir, `${idOrPath}.json`);
  if (!existsSync(file)) {
    const known = listTargetIds(dir);
    throw new LayernasError('TARGET_UNKNOWN', `unknown target "${idOrPath}"; known targets: ${known.join(', ') || '(none)'} (in ${dir})`, {
      target: idOrPath,
      known,
      dir,
    });
  }
  const loaded = loadTargetFile(file);
  if (loaded.target.id !== idOrPath) {
    throw new LayernasError('TARGET_INVALID', `target file ${file} has id "${loaded.target.id}" but its file name says "${idOrPath}"`, {
      file,
      issues: [{ path: 'id', message: `expected "${idOrPath}"` }],
    });
  }
  return loaded;
}
