/**
 * lowerNetwork: architecture spec + weights → the inference graph IR (src/graph/ir.ts).
 * BN folded into convs, TF SAME padding, relu/relu6 fused into the producing op; one shape walk (walkShapes)
 * drives the whole lowering, and every produced tensor shape is checked against it.
 */
import { classifierOf } from '../arch/kinds/index.js';
import { LayernasError } from '../core/errors.js';
import { walkShapes } from '../arch/shapes.js';
import type { NetworkSpec } from '../arch/spec.js';
import { validateWeights, type WeightMap } from '../arch/weights.js';
import { GraphBuilder } from './builder.js';
import type { Graph } from './ir.js';
import { lowerLayer } from './lower-layers.js';

export interface LowerOptions {
  /** append a softmax after the classifier (output named 'probabilities' instead of 'logits') */
  readonly softmax?: boolean;
  readonly name?: string;
}

export const INPUT_NAME = 'input';

export function lowerNetwork(spec: NetworkSpec, weights: WeightMap, options: LowerOptions = {}): Graph {
  const rows = walkShapes(spec);
  validateWeights(spec, weights);
  const g = new GraphBuilder(options.name ?? spec.name ?? 'layernas');
  let x = g.input(INPUT_NAME, [1, spec.input.height, spec.input.width, spec.input.channels]);
  for (const row of rows) {
    x = lowerLayer({ g, weights, row, prefix: `l${row.index}` }, x);
    const got = g.shape(x);
    const want = got.length === 2 ? [1, row.output.h * row.output.w * row.output.c] : [1, row.output.h, row.output.w, row.output.c];
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      throw new LayernasError('SPEC_INVALID', `lowering l${row.index} (${row.key}) produced [${got}], the shape walk says [${want}]`, { layer: row.index });
    }
  }
  const last = rows[rows.length - 1];
  const isClassifier = classifierOf(spec) !== undefined;
  if (options.softmax) {
    if (!isClassifier) throw new LayernasError('USAGE', `softmax output needs a network ending in fc; ${spec.name ?? 'this network'} ends in ${last?.layer.op ?? 'nothing'}`);
    x = g.softmax('softmax', x);
  }
  g.output(x, options.softmax ? 'probabilities' : isClassifier ? 'logits' : 'output');
  return g.build();
}
