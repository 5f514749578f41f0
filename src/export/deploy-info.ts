/**
 * What an app needs to feed the exported model and read its output, as data: the preprocessing the trained model
 * saw (src/data/batches.ts InputConverter: bilinear resize with half-pixel centres from the stored image size,
 * channel replication or luminance, pixel / 255) and the labels. The same facts go into manifest.json, the TFLite
 * metadata (normalization options, labels file, description) and the ONNX metadata_props, from this one place.
 */
import { z } from 'zod';
import type { NetworkSpec } from '../arch/spec.js';
import type { TfliteMetadataInfo } from './tflite/metadata.js';

export const preprocessingSchema = z.object({
  /** tensor layout of the model input */
  layout: z.literal('NHWC'),
  /** channel order of the model input */
  colorOrder: z.enum(['RGB', 'GRAY']),
  /** stored image size the model was trained from (null: not known, feed images of the input size) */
  source: z.object({ height: z.number().int().positive(), width: z.number().int().positive(), channels: z.number().int().positive() }).nullable(),
  /** resize from the source size to the input size */
  resize: z.object({ method: z.literal('bilinear'), halfPixelCenters: z.literal(true), from: z.tuple([z.number().int(), z.number().int()]).nullable(), to: z.tuple([z.number().int(), z.number().int()]) }),
  /** how source channels become input channels */
  channels: z.enum(['as-is', 'replicate-gray-to-rgb', 'luminance-rgb-to-gray']),
  /** model input = (pixel - mean) / std per channel, pixels 0..255 */
  mean: z.array(z.number()),
  std: z.array(z.number()),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

export interface DeployFacts {
  readonly preprocessing: Preprocessing;
  /** class names in output order (null when not known) */
  readonly labels: readonly string[] | null;
  /** e.g. "fashion-mnist" */
  readonly dataset: string | null;
  readonly description: string;
}

export const LABELS_FILE = 'labels.txt';

/** preprocessing for `spec` fed from images of `source` size (null: images already of the input size) */
export function preprocessingFor(spec: NetworkSpec, source: { height: number; width: number; channels: number } | null): Preprocessing {
  const c = spec.input.channels;
  const channels = !source || source.channels === c ? 'as-is' : source.channels === 1 ? 'replicate-gray-to-rgb' : 'luminance-rgb-to-gray';
  return {
    layout: 'NHWC',
    colorOrder: c === 1 ? 'GRAY' : 'RGB',
    source: source ? { ...source } : null,
    resize: { method: 'bilinear', halfPixelCenters: true, from: source ? [source.height, source.width] : null, to: [spec.input.height, spec.input.width] },
    channels,
    mean: Array.from({ length: c }, () => 0),
    std: Array.from({ length: c }, () => 255),
  };
}

export function deployFacts(spec: NetworkSpec, options: { source?: { height: number; width: number; channels: number } | null; labels?: readonly string[] | null; dataset?: string | null } = {}): DeployFacts {
  const p = preprocessingFor(spec, options.source ?? null);
  const resize = p.resize.from ? `resize ${p.resize.from[0]}x${p.resize.from[1]} -> ${p.resize.to[0]}x${p.resize.to[1]} bilinear (half-pixel centres)` : `input ${p.resize.to[0]}x${p.resize.to[1]}`;
  const description = `${spec.name ?? 'layernas network'}${options.dataset ? ` trained on ${options.dataset}` : ''}. Input: ${resize}, ${p.colorOrder} NHWC, (pixel - ${p.mean[0]}) / ${p.std[0]}` +
    `${p.channels !== 'as-is' ? `, ${p.channels}` : ''}. Output: one score per class${options.labels ? ` (${LABELS_FILE})` : ''}.`;
  return { preprocessing: p, labels: options.labels ?? null, dataset: options.dataset ?? null, description };
}

export function tfliteMetadataFor(spec: NetworkSpec, facts: DeployFacts, output: { name: string; softmax: boolean }, version: string): TfliteMetadataInfo {
  const p = facts.preprocessing;
  return {
    name: spec.name ?? 'layernas',
    description: facts.description,
    version,
    author: 'layernas',
    input: {
      name: 'image', description: `${p.colorOrder} image, ${p.resize.to[0]}x${p.resize.to[1]}, scaled to [0, 1]`,
      colorSpace: p.colorOrder === 'GRAY' ? 'GRAYSCALE' : 'RGB', width: p.resize.to[1], height: p.resize.to[0],
      mean: p.mean, std: p.std, min: 0, max: 1,
    },
    output: {
      name: output.softmax ? 'probability' : 'logits',
      description: output.softmax ? 'probability of each class' : 'score (logit) of each class; argmax is the prediction',
      ...(facts.labels ? { labelsFile: { name: LABELS_FILE, description: 'class names, one per line, in output order' } } : {}),
    },
  };
}

/** ONNX metadata_props: the same facts as string pairs */
export function onnxMetadataProps(spec: NetworkSpec, arch: string, facts: DeployFacts): [string, string][] {
  return [
    ['description', facts.description],
    ['layernas_arch', arch],
    ['preprocessing', JSON.stringify(facts.preprocessing)],
    ...(facts.labels ? [['labels', facts.labels.join('\n')] as [string, string]] : []),
    ...(facts.dataset ? [['dataset', facts.dataset] as [string, string]] : []),
    ['name', spec.name ?? 'layernas'],
  ];
}
