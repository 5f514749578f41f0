/**
 * Target descriptions (`targets/*.json`): which device, runtime (and its version), precision and thread count a
 * latency budget refers to, how to measure on it, and which latency table(s) predict it.
 * Validated with zod at the edge (src/targets/load.ts); the rest of layernas trusts the `Target` type.
 */
import { z } from 'zod';

export const TARGET_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

const positiveInt = z.number().int().positive();

export const RuntimeSchema = z
  .object({
    /** runtime family the models run in */
    name: z.enum(['tflite', 'onnxruntime']),
    /** exact version string; a table measured with another version is rejected (TABLE_MISMATCH) */
    version: z.string().min(1),
  })
  .strict();

export const InputSizeSchema = z
  .object({ height: positiveInt, width: positiveInt, channels: positiveInt })
  .strict();

/** Measure in this process with tfjs-tflite-node (TFLite + XNNPack delegate when available). */
const HostTfliteMeasure = z
  .object({
    method: z.literal('host-tflite'),
    /** 'xnnpack' = XNNPack delegate plugin (fails loudly when it cannot load), 'builtin' = TFLite's own kernels */
    delegate: z.enum(['xnnpack', 'builtin']).default('xnnpack'),
    /** int8 pointwise convolutions at 1 thread: 'layernas' = our AVX-512 VNNI kernels where the CPU has VNNI
     *  (TFLite 2.9's XNNPack has none), 'xnnpack' = XNNPack only (what a stock TFLite 2.9 runs) */
    int8Kernels: z.enum(['layernas', 'xnnpack']).default('layernas'),
  })
  .strict();

/** Measure in this process with onnxruntime-node (CPU execution provider). */
const HostOnnxMeasure = z.object({ method: z.literal('host-onnxruntime') }).strict();

/** Push the model and TFLite's `benchmark_model` to an Android device with adb, run it there, parse its output. */
const AndroidAdbMeasure = z
  .object({
    method: z.literal('android-adb'),
    /** adb executable on this machine (a PATH name or a path) */
    adb: z.string().min(1).default('adb'),
    /** device serial (`adb devices`); always passed as `-s <serial>` */
    serial: z.string().min(1),
    /** TFLite `benchmark_model` binary for the device's ABI, on this machine; pushed once */
    benchmarkModel: z.string().min(1),
    /** working directory on the device */
    deviceDir: z.string().startsWith('/').default('/data/local/tmp/layernas'),
    warmupRuns: positiveInt.default(10),
    runs: positiveInt.default(50),
    /** extra benchmark_model flags, e.g. ["--use_xnnpack=true"]; each one array element, never a shell string */
    extraArgs: z.array(z.string().regex(/^--[a-z0-9_]+=[^\s;&|`$]*$/, 'expected --flag=value without shell characters')).default([]),
  })
  .strict();

export const MeasureSchema = z.discriminatedUnion('method', [HostTfliteMeasure, HostOnnxMeasure, AndroidAdbMeasure]);

export const TargetSchema = z
  .object({
    id: z.string().regex(TARGET_ID_PATTERN, 'lower-case letters, digits, ".", "_" and "-"'),
    device: z.string().min(1),
    description: z.string().optional(),
    runtime: RuntimeSchema,
    precision: z.enum(['float32', 'int8']),
    threads: positiveInt.max(64),
    input: InputSizeSchema,
    measure: MeasureSchema,
    /** latency table files, relative to the target file's directory's sibling `latency-tables/` or absolute */
    latencyTables: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type TargetFile = z.input<typeof TargetSchema>;
export type Target = z.output<typeof TargetSchema>;
export type MeasureMethod = Target['measure'];
export type AndroidAdbMeasure = z.output<typeof AndroidAdbMeasure>;
export type Precision = Target['precision'];

/** A target with where it came from (for messages and for resolving its table paths). */
export interface LoadedTarget {
  readonly target: Target;
  readonly file: string;
  /** absolute paths of its latency tables */
  readonly tableFiles: readonly string[];
}
