/**
 * What `verify` reads from an export directory: the architecture (manifest.json `arch`, a network string, or
 * --arch) and the model files (*.tflite, *.onnx). For a TFLite target the file whose name says int8 (`int8` in
 * the name) is taken for int8 targets, the other one for float32 targets, unless manifest.json lists its models
 * with format and precision (as `layernas export` writes it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { isPlatformFile, resolvePlatform } from '../platform/registry.js';
import type { Target } from '../targets/schema.js';

/** the part of `layernas export`'s manifest.json (src/export/manifest.ts) verify reads */
const ManifestSubset = z
  .object({
    arch: z.string().min(1),
    models: z.array(z.object({ format: z.string(), precision: z.enum(['float32', 'int8']), path: z.string() }).passthrough()).optional(),
  })
  .passthrough();

export interface ExportDir {
  readonly dir: string;
  readonly spec: NetworkSpec;
  /** model files in the directory that a platform runs (src/platform/registry.ts) */
  readonly files: readonly string[];
  /** model files as the manifest lists them (absent without a manifest or for --arch) */
  readonly models?: readonly { readonly format: string; readonly precision: 'float32' | 'int8'; readonly file: string }[];
}

export function readExportDir(dir: string, archOverride?: string): ExportDir {
  if (!existsSync(dir)) throw new LayernasError('USAGE', `export directory ${dir} does not exist`, { dir });
  const files = readdirSync(dir).sort();
  let arch = archOverride;
  let models: ExportDir['models'];
  const manifestFile = join(dir, 'manifest.json');
  if (arch === undefined) {
    if (!existsSync(manifestFile)) throw new LayernasError('USAGE', `${dir} has no manifest.json; give the architecture with --arch <network string>`, { dir });
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(manifestFile, 'utf8'));
    } catch (e) {
      throw new LayernasError('MODEL_INVALID', `${manifestFile} is not readable JSON: ${(e as Error).message}`, { file: manifestFile });
    }
    const m = ManifestSubset.safeParse(raw);
    if (!m.success) throw new LayernasError('MODEL_INVALID', `${manifestFile}: needs "arch" (the network string); ${m.error.issues[0]?.message ?? ''}`, { file: manifestFile });
    arch = m.data.arch;
    models = m.data.models?.map((x) => ({ format: x.format, precision: x.precision, file: join(dir, x.path) }));
  }
  return {
    dir,
    spec: parseNetwork(arch),
    files: files.filter(isPlatformFile).map((f) => join(dir, f)),
    ...(models ? { models } : {}),
  };
}

/** a model file whose name says int8 */
export function isInt8Name(file: string): boolean {
  return /int8/i.test(file.slice(file.lastIndexOf('/') + 1));
}

/** The model file a target runs. */
export function modelFileForTarget(exp: ExportDir, target: Target): string {
  const platform = resolvePlatform(target);
  const listed = exp.models?.filter((m) => m.format === platform.format && m.precision === target.precision);
  if (listed && listed.length === 1) return (listed[0] as { file: string }).file;
  const pool = exp.files.filter((f) => platform.runsFile(f));
  const pick = pool.filter((f) => isInt8Name(f) === (target.precision === 'int8'));
  if (pick.length !== 1) {
    throw new LayernasError('USAGE', `${exp.dir}: expected exactly one ${target.precision} ${platform.extension} file for target ${target.id}, found ${pick.length} (${pool.map((f) => f.slice(f.lastIndexOf('/') + 1)).join(', ') || 'none'})`, { dir: exp.dir });
  }
  return pick[0] as string;
}
