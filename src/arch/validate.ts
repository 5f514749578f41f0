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
import { isKindLayer, kindOf } from './kinds/index.js';
import { checkAct, checkChannels, checkExpansion, checkGroups, checkKernel, checkSeRatio, checkStride, irMidChannels } from './rules.js';

export {
  LIMITS, ACTIVATIONS, checkChannels, checkStride, checkKernel, checkGroups, checkExpansion, checkSeRatio, checkSpatial, checkRepeat,
  checkAct, irMidChannels, checkBlockKernel,
} from './rules.js';

/** All channel-independent problems of one layer (empty when the layer is valid). */
export function layerProblems(layer: LayerSpec): string[] {
  if (isKindLayer(layer)) return kindOf(layer).problems(layer).filter((p): p is string => p !== null);
  const out: (string | null)[] = [];
  switch (layer.op) {
    case 'ir':
      out.push(checkKernel('ir', layer.kernel), checkStride(layer.stride), checkExpansion(layer.expansion), checkChannels(layer.out),
        checkSeRatio(layer.se), checkGroups(layer.groups), checkAct(layer.act),
        layer.seGate === 'sigmoid' || layer.seGate === 'hsigmoid' ? null : `unknown squeeze-excite gate ${String(layer.seGate)}`);
      break;
    case 'resblock':
      out.push(checkStride(layer.stride), checkChannels(layer.out));
      break;
    case 'natscell':
      out.push(checkChannels(layer.out));
      break;
    case 'nb201cell':
      if (layer.edges.length !== 6) out.push(`an nb201 cell has 6 edges, got ${layer.edges.length}`);
      break;
    case 'gap':
      break;
    default: {
      const never: never = layer;
      out.push(`unknown layer op ${JSON.stringify((never as { op?: unknown }).op)}`);
    }
  }
  return out.filter((p): p is string => p !== null);
}

/** Rules that need the layer's input: groups dividing channels, fc on a 1x1 map. */
export function channelProblems(layer: LayerSpec, input: TensorShape): string[] {
  if (isKindLayer(layer)) return kindOf(layer).channelProblems?.(layer, input) ?? [];
  const p: string[] = [];
  if (layer.op === 'ir' && layer.groups > 1) {
    const mid = irMidChannels(input.c, layer.expansion);
    for (const [what, c] of [['input', input.c], ['expanded', mid], ['output', layer.out]] as const) {
      if (c % layer.groups !== 0) p.push(`groups ${layer.groups} do not divide the ${c} ${what} channels`);
    }
  }
  return p;
}

/** Throws SPEC_INVALID naming the layer index if the layer is impossible (on its own or on this input). */
export function validateLayerAt(layer: LayerSpec, index: number, input?: TensorShape): void {
  const problems = [...layerProblems(layer), ...(input ? channelProblems(layer, input) : [])];
  if (problems.length > 0) {
    throw new LayernasError('SPEC_INVALID', `layer ${index} (${layer.op}): ${problems.join('; ')}`, { layerIndex: index, problems });
  }
}
