/**
 * What a model argument on the command line names (`cost`, `verify`, `export` take the same things):
 * - a network string or zoo name (no files),
 * - an export folder (manifest.json with `arch`, model files beside it),
 * - a design run folder (summary.json: the winner; its exported files are in <run>/model),
 * - a model file (.tflite / .onnx): the architecture comes from the layernas metadata inside a .tflite we wrote,
 *   or from a manifest.json beside it; an external file (e.g. Google's official MobileNets) has none (spec null).
 * Paths in saved files are resolved relative to the folder that holds them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseNetwork } from '../arch/grammar.js';
import type { NetworkSpec } from '../arch/spec.js';
import { LayernasError } from '../core/errors.js';
import { readTfliteLayernasArch } from './tflite/metadata-read.js';
import { isModelFile } from './formats.js';

export type ModelSourceKind = 'network' | 'export-dir' | 'design-run' | 'model-file';

export interface ModelSource {
  readonly kind: ModelSourceKind;
  /** the argument as given */
  readonly ref: string;
  /** architecture, when known (external model files have none) */
  readonly spec: NetworkSpec | null;
  /** where the architecture came from, for messages */
  readonly archFrom: string | null;
  /** folder holding the model files (null for a network string) */
  readonly dir: string | null;
  /** model files (.tflite / .onnx) this source offers; one for a model file */
  readonly files: readonly string[];
  /** weights folder (weights.json + weights.bin), when there is one */
  readonly weightsDir: string | null;
  /** a design run: what its verification judged with (summary.json), so `verify <run>` judges the same way */
  readonly design?: DesignRunVerification;
}

export interface DesignRunVerification {
  /** the target's id, or the run's own copy of a target given as a file (RUN_TARGET_FILE) */
  readonly target: string;
  readonly budgetMs: number;
  /** absent in summaries older than the `verification` block */
  readonly tolerancePct?: number;
  /** the latency table the design priced with (absolute path inside the run) */
  readonly table?: string;
  /** dataset reference and number of test images of the test-agreement checks */
  readonly dataset?: string;
  readonly agreementImages?: number;
}

const manifestArch = z.object({ arch: z.string().min(1) }).passthrough();
const summaryWinner = z.object({
  winner: z.object({ arch: z.string().min(1) }).passthrough(),
  target: z.string().min(1).optional(),
  budget: z.object({ latencyMs: z.number().positive() }).passthrough().optional(),
  verification: z.object({ table: z.string().min(1), dataset: z.string().min(1), agreementImages: z.number().int().positive(), tolerancePct: z.number().positive() }).optional(),
}).passthrough();

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LayernasError('MODEL_INVALID', `${file} is not readable JSON: ${(e as Error).message}`, { file });
  }
}

function modelFilesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSorted(dir).filter(isModelFile).map((f) => join(dir, f)) : [];
}

function readdirSorted(dir: string): string[] {
  return readdirSync(dir).sort();
}

function hasWeights(dir: string): boolean {
  return existsSync(join(dir, 'weights.json')) && existsSync(join(dir, 'weights.bin'));
}

function fromExportDir(dir: string, ref: string): ModelSource {
  const file = join(dir, 'manifest.json');
  const m = manifestArch.safeParse(readJson(file));
  if (!m.success) throw new LayernasError('MODEL_INVALID', `${file}: needs "arch" (the network string)`, { file });
  return { kind: 'export-dir', ref, spec: parseNetwork(m.data.arch), archFrom: file, dir, files: modelFilesIn(dir), weightsDir: hasWeights(dir) ? dir : null };
}

/** a design run's copy of its target when the target was given as a file (a new phone's): verify resolves it there */
export const RUN_TARGET_FILE = 'target.json';

function fromDesignRun(dir: string, ref: string): ModelSource {
  const file = join(dir, 'summary.json');
  const s = summaryWinner.safeParse(readJson(file));
  if (!s.success) throw new LayernasError('MODEL_INVALID', `${file}: not a design summary (needs winner.arch)`, { file });
  const model = join(dir, 'model');
  const { target, budget, verification: v } = s.data;
  const own = join(dir, RUN_TARGET_FILE);
  const design: DesignRunVerification | undefined = target && budget ? {
    target: existsSync(own) ? own : target, budgetMs: budget.latencyMs,
    ...(v ? { tolerancePct: v.tolerancePct, table: resolve(dir, v.table), dataset: v.dataset, agreementImages: v.agreementImages } : {}),
  } : undefined;
  return {
    kind: 'design-run', ref, spec: parseNetwork(s.data.winner.arch), archFrom: `${file} (winner)`, dir: model,
    files: modelFilesIn(model), weightsDir: hasWeights(model) ? model : null, ...(design ? { design } : {}),
  };
}

function fromModelFile(file: string, ref: string): ModelSource {
  const dir = dirname(file);
  let spec: NetworkSpec | null = null;
  let archFrom: string | null = null;
  {
    // the network string our TFLite writer embeds as metadata (null for any other file)
    const arch = readTfliteLayernasArch(readFileSync(file));
    if (arch) {
      spec = parseNetwork(arch);
      archFrom = `${basename(file)} (TFLite metadata)`;
    }
  }
  const manifest = join(dir, 'manifest.json');
  if (!spec && existsSync(manifest)) {
    const raw = readJson(manifest) as { arch?: unknown; models?: { path?: unknown }[]; files?: unknown[] };
    const listed = (raw.models ?? []).some((m) => m.path === basename(file)) || (raw.files ?? []).includes(basename(file));
    if (listed && typeof raw.arch === 'string') {
      spec = parseNetwork(raw.arch);
      archFrom = manifest;
    }
  }
  return { kind: 'model-file', ref, spec, archFrom, dir, files: [file], weightsDir: spec && hasWeights(dir) ? dir : null };
}

/** Resolve a model argument that names something on disk; null when `ref` is not a path (then it is a network string or zoo name). */
export function resolveModelPath(ref: string): ModelSource | null {
  if (!existsSync(ref)) {
    if (/\.(json|tflite|onnx)$/.test(ref) || ref.endsWith('/') || ref.startsWith('.')) {
      throw new LayernasError('USAGE', `${ref} does not exist`, { path: ref });
    }
    return null;
  }
  if (statSync(ref).isDirectory()) {
    if (existsSync(join(ref, 'summary.json'))) return fromDesignRun(ref, ref);
    if (existsSync(join(ref, 'manifest.json'))) return fromExportDir(ref, ref);
    const files = modelFilesIn(ref);
    if (files.length === 0) throw new LayernasError('USAGE', `${ref} holds no manifest.json, summary.json or model file (.tflite/.onnx)`, { path: ref });
    return { kind: 'export-dir', ref, spec: null, archFrom: null, dir: ref, files, weightsDir: null };
  }
  if (isModelFile(ref)) return fromModelFile(ref, ref);
  return null;
}
