/**
 * Latency tables (`latency-tables/*.json`): per-block latencies keyed by the canonical op-and-shape string
 * (LayerShape.key = formatLayer(layer) + '@' + HxWxC from src/arch), plus fixed parts that belong to no layer
 * (per-invocation overhead, or an FBNet-style base), and metadata saying where the numbers come from.
 *
 * Errors: TABLE_INVALID (unreadable, schema, negative latency, duplicate key; details: file, path),
 * TABLE_MISMATCH (table measured for another runtime version / thread count / precision than the target).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LayernasError } from '../core/errors.js';
import { findDuplicateKey } from '../core/json.js';
import type { Target } from '../targets/schema.js';
import { describeZodIssues, formatIssues } from '../targets/validation.js';

export const TABLE_FORMAT = 'layernas-latency-table/1';

const latencyMs = z.number().finite().nonnegative({ message: 'latency must not be negative' });

export const SpreadSchema = z
  .object({ kind: z.enum(['iqr', 'std']), ms: latencyMs })
  .strict();

/** One measured (or derived) latency. `median_ms` is what the predictor sums. */
export const LatencyStatSchema = z
  .object({
    median_ms: latencyMs,
    mean_ms: latencyMs.nullable(),
    p90_ms: latencyMs.nullable(),
    spread: SpreadSchema.nullable(),
    /** number of timed runs behind the figure; null when the source does not say (derived values) */
    samples: z.number().int().nonnegative().nullable(),
    note: z.string().optional(),
  })
  .strict();

export const TableEntrySchema = LatencyStatSchema.extend({ key: z.string().regex(/^\S+@\d+x\d+x\d+$/, 'expected <block>@HxWxC') }).strict();
export const FixedPartSchema = LatencyStatSchema.extend({ name: z.string().min(1) }).strict();

export const TableMetadataSchema = z
  .object({
    device: z.string().min(1),
    runtime: z.object({ name: z.enum(['tflite', 'onnxruntime']), version: z.string().min(1) }).strict(),
    /** thread count used to measure, or 'unreported' when the source does not say */
    threads: z.union([z.number().int().positive(), z.literal('unreported')]),
    precision: z.enum(['float32', 'int8']),
    input: z.object({ height: z.number().int().positive(), width: z.number().int().positive(), channels: z.number().int().positive() }).strict(),
    /** ISO date of the measurement (or of the source's publication) */
    date: z.string().min(4),
    /** how the numbers were obtained (tool, warm-up, repeats, statistic) */
    method: z.string().min(1),
    machine: z.string().optional(),
    source: z.object({ citation: z.string().min(1), files: z.array(z.string()).default([]), license: z.string().optional() }).strict(),
    /**
     * speed anchor: a fixed network timed in every measuring batch; every figure was scaled to the anchor's median
     * over the session (`median_ms`), so the table describes the machine at one speed. `verify` times the anchor
     * again beside the model to tell how fast the machine runs now.
     */
    anchor: z.object({ arch: z.string().min(1), median_ms: z.number().positive(), batches: z.number().int().positive(), spread_ratio: z.number().nonnegative() }).strict().optional(),
    /** per-operator-kind scales fitted on whole networks (src/profile/calibration.ts); entries already include them */
    calibration: z
      .object({
        networks: z.number().int().nonnegative(),
        scales: z.record(z.number().positive()),
        intercept_ms: z.number().nonnegative(),
        /** cost of streaming a layer's weights inside a network, per million weights (absent in tables before it) */
        ms_per_million_weights: z.number().nonnegative().optional(),
        fit_within10_before: z.number().min(0).max(1),
        fit_within10_after: z.number().min(0).max(1),
      })
      .strict()
      .optional(),
    /** a few-shot table (src/profile/fewshot-table.ts): N measured networks fitted onto source tables */
    fewshot: z
      .object({
        networks: z.number().int().positive(),
        sources: z.array(z.string()),
        base: z.string(),
        /** ridge weight of the corrections chosen by leave-one-out; null = none (intercept + non-negative source mix only) */
        lambda: z.number().nonnegative().nullable(),
        intercept_ms: z.number(),
        source_weights: z.record(z.number()),
        count_weights: z.record(z.number()),
        /** per-stage corrections of a source's weight (stage = the layers' output shape); tables before these had none */
        part_weights: z.array(z.object({ source: z.string(), stage: z.string(), weight: z.number() }).strict()).default([]),
        loo_rms_error: z.number().nonnegative(),
        loo_within10: z.number().min(0).max(1),
        loo_errors: z.array(z.number()),
        seed: z.number().int(),
        measured: z.array(z.object({ arch: z.string(), ms: z.number().positive() }).strict()),
        /** how many of `measured` (the last ones) a design added: candidates of its search measured on the device (src/profile/fewshot-refine.ts) */
        refined_with: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
    /** measurement noise summary, e.g. median relative IQR over entries */
    noise: z.record(z.number()).optional(),
    notes: z.array(z.string()).default([]),
  })
  .strict();

export const LatencyTableSchema = z
  .object({
    format: z.literal(TABLE_FORMAT),
    metadata: TableMetadataSchema,
    fixed: z.array(FixedPartSchema),
    entries: z.array(TableEntrySchema),
  })
  .strict();

export type LatencyStat = z.infer<typeof LatencyStatSchema>;
export type TableEntry = z.infer<typeof TableEntrySchema>;
export type FixedPart = z.infer<typeof FixedPartSchema>;
export type TableMetadata = z.infer<typeof TableMetadataSchema>;
export type LatencyTableData = z.infer<typeof LatencyTableSchema>;

/** A validated table with a key index. */
export interface LatencyTable {
  readonly file: string;
  readonly data: LatencyTableData;
  readonly byKey: ReadonlyMap<string, TableEntry>;
  readonly fixedTotalMs: number;
}

export function indexTable(data: LatencyTableData, file: string): LatencyTable {
  const byKey = new Map<string, TableEntry>();
  for (const [i, e] of data.entries.entries()) {
    if (byKey.has(e.key)) {
      throw new LayernasError('TABLE_INVALID', `latency table ${file}: duplicate key "${e.key}" at entries[${i}]`, {
        file,
        path: `entries[${i}].key`,
        key: e.key,
      });
    }
    byKey.set(e.key, e);
  }
  const fixedTotalMs = data.fixed.reduce((s, f) => s + f.median_ms, 0);
  // a table whose every figure is zero prices every architecture at 0 ms: any budget would pass unmeasured
  if (data.entries.length > 0 && data.entries.every((e) => e.median_ms === 0) && fixedTotalMs === 0) {
    throw new LayernasError('TABLE_INVALID', `latency table ${file}: all ${data.entries.length} entries and fixed parts are 0 ms (no measurement in it)`, { file, path: 'entries' });
  }
  return { file, data, byKey, fixedTotalMs };
}

/** Validate an in-memory table (e.g. freshly converted or profiled). */
export function parseTable(raw: unknown, file: string): LatencyTable {
  const parsed = LatencyTableSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = describeZodIssues(parsed.error);
    throw new LayernasError('TABLE_INVALID', `latency table ${file} is invalid: ${formatIssues(issues)}`, { file, issues });
  }
  return indexTable(parsed.data, file);
}

export function loadTable(file: string): LatencyTable {
  const abs = resolve(file);
  let raw: unknown;
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
    raw = JSON.parse(text);
  } catch (e) {
    throw new LayernasError('TABLE_INVALID', `latency table ${abs} is not readable JSON: ${(e as Error).message}`, { file: abs }, { cause: e });
  }
  const dup = findDuplicateKey(text);
  if (dup) {
    throw new LayernasError('TABLE_INVALID', `latency table ${abs}: key "${dup.key}" appears twice ${dup.path ? `in ${dup.path}` : 'at the top level'} (offset ${dup.offset})`, {
      file: abs, path: dup.path ? `${dup.path}.${dup.key}` : dup.key,
    });
  }
  return parseTable(raw, abs);
}

export interface TableMatch {
  /** differences that are allowed but worth saying (e.g. the source does not report its thread count) */
  readonly warnings: readonly string[];
}

/**
 * Check that a table belongs to a target: same runtime family and version, precision, threads.
 * (A target may carry one table per network input size; the predictor picks the table by input size.)
 */
export function checkTableMatchesTarget(table: LatencyTable, target: Target): TableMatch {
  const m = table.data.metadata;
  const problems: string[] = [];
  const warnings: string[] = [];
  if (m.runtime.name !== target.runtime.name) problems.push(`runtime ${m.runtime.name} (table) vs ${target.runtime.name} (target)`);
  if (m.runtime.version !== target.runtime.version) problems.push(`runtime version "${m.runtime.version}" (table) vs "${target.runtime.version}" (target)`);
  if (m.precision !== target.precision) problems.push(`precision ${m.precision} (table) vs ${target.precision} (target)`);
  if (m.threads === 'unreported') warnings.push(`table ${table.file} does not report its thread count (target uses ${target.threads})`);
  else if (m.threads !== target.threads) problems.push(`threads ${m.threads} (table) vs ${target.threads} (target)`);
  if (problems.length > 0) {
    throw new LayernasError('TABLE_MISMATCH', `latency table ${table.file} does not belong to target "${target.id}": ${problems.join('; ')}`, {
      file: table.file,
      target: target.id,
      problems,
    });
  }
  return { warnings };
}

/** Load all tables of a target and check each belongs to it. */
export function loadTargetTables(tableFiles: readonly string[], target: Target): { tables: LatencyTable[]; warnings: string[] } {
  const tables = tableFiles.map(loadTable);
  const warnings = tables.flatMap((t) => checkTableMatchesTarget(t, target).warnings);
  return { tables, warnings };
}
