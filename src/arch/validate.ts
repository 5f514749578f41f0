/**
 * Value rules of the architecture language, in one place. The block-string parser (grammar.ts) applies
 * them per token so errors point at the offending characters; `validateLayer` applies them to specs built
 * in code (zoo, search spaces); `checkLayerChannels` applies the rules that need the input channels
 * (groups dividing channels, fc on a 1x1 map) during the shape walk.
 *
 * Every check returns `null` when fine, or a human sentence saying what is wrong.
 */
import { LayernasError } from '../core/errors.js';
import type { LayerSpec, TensorShape } from './spec.js';
import { isKindOp, kindOf } from './kinds/index.js';

export {
  LIMITS, ACTIVATIONS, checkChannels, checkStride, checkKernel, checkGroups, checkExpansion, checkSeRatio, checkSpatial, checkRepeat,
  checkAct, irMidChannels, checkBlockKernel,
} from './rules.js';

/** All channel-independent problems of one layer (empty when the layer is valid). */
export function layerProblems(layer: LayerSpec): string[] {
  if (!isKindOp(layer.op)) return [`unknown layer op ${JSON.stringify((layer as { op?: unknown }).op)}`];
  return kindOf(layer).problems(layer).filter((p): p is string => p !== null);
}

/** Rules that need the layer's input: groups dividing channels, fc on a 1x1 map. */
export function channelProblems(layer: LayerSpec, input: TensorShape): string[] {
  return kindOf(layer).channelProblems?.(layer, input) ?? [];
}

/** Throws SPEC_INVALID naming the layer index if the layer is impossible (on its own or on this input). */
export function validateLayerAt(layer: LayerSpec, index: number, input?: TensorShape): void {
  const problems = [...layerProblems(layer), ...(input ? channelProblems(layer, input) : [])];
  if (problems.length > 0) {
    throw new LayernasError('SPEC_INVALID', `layer ${index} (${layer.op}): ${problems.join('; ')}`, { layerIndex: index, problems });
  }
}
