/**
 * manifest.json of an export directory: what was exported, from which architecture and weights, the model files
 * with their interface (names, shapes, dtypes as the runtimes report them), quantization parameters, sha256,
 * and the parity check against the reference forward pass. Written last (atomically) by `exportNetwork`.
 */
import { z } from 'zod';
import { preprocessingSchema } from './deploy-info.js';

export const MANIFEST_FORMAT = 'layernas-export';
export const MANIFEST_VERSION = 1;

const tensorInfoSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  dtype: z.enum(['float32', 'int8', 'uint8', 'int32']),
});

const quantParamsSchema = z.object({
  scale: z.array(z.number()),
  zeroPoint: z.array(z.number().int()),
});

export const manifestFileSchema = z.object({
  format: z.enum(['tflite', 'onnx', 'tfjs']),
  precision: z.enum(['float32', 'int8']),
  /** model file (model.json for tfjs), relative to the export directory */
  path: z.string(),
  /** every file of this model (tfjs: model.json + shards) with size and sha256 */
  files: z.array(z.object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  /** interface as loaded in the runtime; null when the runtime was not run (--no-verify) */
  inputs: z.array(tensorInfoSchema).nullable(),
  outputs: z.array(tensorInfoSchema).nullable(),
  /** int8 models: affine parameters real = scale * (q - zeroPoint) of each input/output activation */
  quantization: z.object({ inputs: z.array(quantParamsSchema), outputs: z.array(quantParamsSchema), calibration: z.string() }).optional(),
  /** parity against the reference forward pass on one seeded input (max |Δ| relative to output scale) */
  parity: z.object({ relDiff: z.number(), maxAbsDiff: z.number(), argmaxAgrees: z.boolean(), tolerance: z.number().nullable() }).nullable(),
  notes: z.array(z.string()),
});

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  /** canonical network string (formatNetwork): `layernas export <arch>` reproduces the files */
  arch: z.string().min(1),
  name: z.string().nullable(),
  madds: z.number().int().nonnegative(),
  params: z.number().int().nonnegative(),
  /** the input every format takes: NHWC float32 in [0, 1] for dataset-trained weights */
  input: z.object({ name: z.string(), shape: z.array(z.number().int()), layout: z.literal('NHWC') }),
  output: z.object({ name: z.string(), shape: z.array(z.number().int()), softmax: z.boolean() }),
  /** how to turn an image into the input (resize method and sizes, channel order, mean/std); absent in older manifests */
  preprocessing: preprocessingSchema.optional(),
  /** class names in output order and the labels file beside the models (null: not known) */
  labels: z.object({ file: z.string(), classes: z.array(z.string()) }).nullable().optional(),
  description: z.string().optional(),
  weights: z.object({ source: z.string(), files: z.array(z.string()) }),
  models: z.array(manifestFileSchema),
  createdBy: z.string(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestModel = z.infer<typeof manifestFileSchema>;
