/**
 * The trainer protocol (docs/training.md): layernas writes a JSON request file, runs a trainer, reads a JSON result
 * file. Both the in-process tfjs trainer and external commands (trainers/pytorch/train.py) speak it.
 */
import { z } from 'zod';
import { trainSettingsSchema } from './settings.js';

const splitPart = z.object({ images: z.string().min(1), labels: z.string().min(1), count: z.number().int().nonnegative() });

export const trainRequestSchema = z.object({
  protocol: z.literal('layernas-train/1'),
  /** canonical architecture string (formatNetwork) */
  arch: z.string().min(1),
  /** the same architecture as a NetworkSpec (src/arch/spec.ts), for trainers that do not parse strings */
  spec: z.record(z.unknown()),
  /** IDX files of the fixed splits (uint8, native size); trainers resize bilinearly (half-pixel) to spec.input */
  dataset: z.object({
    name: z.string(),
    numClasses: z.number().int().min(2),
    train: splitPart,
    validation: splitPart,
    test: splitPart,
  }),
  settings: trainSettingsSchema,
  evaluateTest: z.boolean(),
  /** where the trainer writes weights (weights.json + weights.bin in outputDir/weights) and its result */
  outputDir: z.string().min(1),
  resultFile: z.string().min(1),
});
export type TrainRequest = z.infer<typeof trainRequestSchema>;

export const trainResultSchema = z.object({
  protocol: z.literal('layernas-train/1'),
  trainer: z.object({ name: z.string(), backend: z.string(), version: z.string().optional() }),
  metrics: z.object({
    valAccuracy: z.number().min(0).max(1),
    testAccuracy: z.number().min(0).max(1).optional(),
    trainLoss: z.number(),
    epochs: z.number().int(),
    trainImages: z.number().int(),
    imagesPerSecond: z.number().nonnegative(),
    wallSeconds: z.number().nonnegative(),
    params: z.number().int().nonnegative(),
  }),
  /** directory holding weights.json + weights.bin (docs/weights-format.md) */
  weightsDir: z.string().min(1),
});
export type TrainResult = z.infer<typeof trainResultSchema>;
