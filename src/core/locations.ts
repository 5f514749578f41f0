/**
 * Where layernas finds its data: the one object every reader of shipped or shared files asks (no other module builds
 * paths relative to the checkout).
 *
 * - shipped with the package (beside `src/` in a checkout, beside `dist/` in an installed package): targets/,
 *   latency-tables/, spaces/, trainers/, native/
 * - shared benchmark data (NAS-Bench-201, FBNet, ...): `$LAYERNAS_DATA_DIR`, else `../shared/data` beside the package
 * - user overrides: an explicit `overrides` object wins over the environment, which wins over the defaults
 *   (`$LAYERNAS_DATA_DIR`, `$LAYERNAS_TARGETS_DIR`, `$LAYERNAS_SPACES_DIR`)
 *
 * The package root is found from this file's own location: src/core/locations.ts and dist/core/locations.js are both
 * two folders below it, so the same code works from the sources (tsx) and from the compiled package.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DataLocations {
  /** the folder holding package.json (the checkout or node_modules/layernas) */
  readonly packageRoot: string;
  /** shipped target descriptions (`<id>.json`) */
  readonly targets: string;
  /** shipped measured latency tables */
  readonly latencyTables: string;
  /** built-in search spaces (`<name>.json`) */
  readonly spaces: string;
  /** shared benchmark data (NAS-Bench-201, NATS, FBNet, ...) */
  readonly sharedData: string;
  /** reference external trainers (trainers/pytorch/train.py) */
  readonly trainers: string;
  /** native sources and build outputs (XNNPack plugin, wasm kernels) */
  readonly native: string;
}

/** Environment variables that override a location (documented in docs/api.md). */
export const LOCATION_ENV: Readonly<Partial<Record<keyof DataLocations, string>>> = {
  sharedData: 'LAYERNAS_DATA_DIR',
  targets: 'LAYERNAS_TARGETS_DIR',
  spaces: 'LAYERNAS_SPACES_DIR',
};

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Resolve every location once: explicit overrides, then environment, then the package defaults. */
export function dataLocations(overrides: Partial<DataLocations> = {}, env: NodeJS.ProcessEnv = process.env): DataLocations {
  const root = overrides.packageRoot ?? PACKAGE_ROOT;
  const defaults: DataLocations = {
    packageRoot: root,
    targets: resolve(root, 'targets'),
    latencyTables: resolve(root, 'latency-tables'),
    spaces: resolve(root, 'spaces'),
    sharedData: resolve(root, '..', 'shared', 'data'),
    trainers: resolve(root, 'trainers'),
    native: resolve(root, 'native'),
  };
  const out: Record<string, string> = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof DataLocations)[]) {
    const envName = LOCATION_ENV[key];
    const fromEnv = envName !== undefined ? env[envName] : undefined;
    const chosen = overrides[key] ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
    if (chosen !== undefined) out[key] = resolve(chosen);
  }
  return out as unknown as DataLocations;
}

/**
 * A module of this package that has a sibling worker entry: `./x-worker.ts` under tsx, `./x-worker.js` once compiled.
 * `from` is the caller's import.meta.url.
 */
export function siblingModule(from: string, baseName: string): string {
  const ext = from.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./${baseName}${ext}`, from));
}

/** True when running from TypeScript sources (tsx), false in the compiled package. */
export function runningFromSources(from: string): boolean {
  return from.endsWith('.ts');
}
