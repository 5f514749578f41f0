/**
 * Value rules of the architecture language, in one place. The block-string parser (grammar.ts) applies
 * them per token so errors point at the offending characters; `validateLayer` applies them to specs built
 * in code (zoo, search spaces); `checkLayerChannels` applies the rules that need the input channels
 * (groups dividing channels, fc on a 1x1 map) during the shape walk.
 *
 * Every check returns `null` when fine, or a human sentence saying what is wrong.
 */
import { LayernasError } from '../core/errors.js';
import { makeDivisible, type Activation, type LayerSpec, type TensorShape } from './spec.js';

/** Upper bounds keep fuzzed or mistyped numbers from producing absurd networks (and float overflow). */
export const LIMITS = { maxChannels: 65536, maxSpatial: 16384, maxRepeat: 64, maxExpansion: 64, maxGroups: 65536 } as const;

export const ACTIVATIONS: readonly Activation[] = ['relu', 'relu6', 'hswish', 'none'];

export function checkChannels(value: number, what = 'channels'): string | null {
  if (!Number.isInteger(value)) return `${what} must be a whole number, got ${value}`;
  if (value <= 0) return `${what} must be > 0, got ${value}`;
  if (value > LIMITS.maxChannels) return `${what} must be <= ${LIMITS.maxChannels}, got ${value}`;
  return null;
}

export function checkStride(value: number): string | null {
  return value === 1 || value === 2 ? null : `stride must be 1 or 2, got ${value}`;
}

export function checkKernel(op: LayerSpec['op'], value: number): string | null {
  if (op === 'ir') return value === 3 || value === 5 || value === 7 ? null : `inverted-residual kernel must be 3, 5 or 7, got ${value}`;
  if (!Number.isInteger(value) || value < 1 || value > 7 || value % 2 === 0) return `conv kernel must be odd, 1..7, got ${value}`;
  return null;
}

export function checkGroups(value: number): string | null {
  if (!Number.isInteger(value) || value < 1) return `groups must be a whole number >= 1, got ${value}`;
  if (value > LIMITS.maxGroups) return `groups must be <= ${LIMITS.maxGroups}, got ${value}`;
  return null;
}

export function checkExpansion(value: number): string | null {
  if (!Number.isFinite(value) || value <= 0) return `expansion must be > 0, got ${value}`;
  if (value > LIMITS.maxExpansion) return `expansion must be <= ${LIMITS.maxExpansion}, got ${value}`;
  return null;
}

export function checkSeRatio(value: number): string | null {
  return Number.isFinite(value) && value >= 0 && value <= 1 ? null : `squeeze-excite ratio must be in [0, 1], got ${value}`;
}

export function checkSpatial(value: number, what: string): string | null {
  if (!Number.isInteger(value) || value <= 0) return `${what} must be a whole number > 0, got ${value}`;
  if (value > LIMITS.maxSpatial) return `${what} must be <= ${LIMITS.maxSpatial}, got ${value}`;
  return null;
}

export function checkRepeat(value: number): string | null {
  if (!Number.isInteger(value) || value < 1) return `repeat must be a whole number >= 1, got ${value}`;
  if (value > LIMITS.maxRepeat) return `repeat must be <= ${LIMITS.maxRepeat}, got ${value}`;
  return null;
}

/** All channel-independent problems of one layer (empty when the layer is valid). */
export function layerProblems(layer: LayerSpec): string[] {
  const out: (string | null)[] = [];
  switch (layer.op) {
    case 'conv':
      out.push(checkKernel('conv', layer.kernel), checkStride(layer.stride), checkChannels(layer.out), checkGroups(layer.groups), checkAct(layer.act));
      break;
    case 'ir':
      out.push(checkKernel('ir', layer.kernel), checkStride(layer.stride), checkExpansion(layer.expansion), checkChannels(layer.out),
        checkSeRatio(layer.se), checkGroups(layer.groups), checkAct(layer.act),
        layer.seGate === 'sigmoid' || layer.seGate === 'hsigmoid' ? null : `unknown squeeze-excite gate ${String(layer.seGate)}`);
      break;
    case 'skip':
    case 'resblock':
      out.push(checkStride(layer.stride), checkChannels(layer.out));
      break;
    case 'natscell':
      out.push(checkChannels(layer.out));
      break;
    case 'nb201cell':
      if (layer.edges.length !== 6) out.push(`an nb201 cell has 6 edges, got ${layer.edges.length}`);
      break;
    case 'bnact':
      out.push(checkAct(layer.act));
      break;
    case 'gap':
      break;
    case 'fc':
      out.push(checkChannels(layer.out), checkAct(layer.act));
      break;
    default: {
      const never: never = layer;
      out.push(`unknown layer op ${JSON.stringify((never as { op?: unknown }).op)}`);
    }
  }
  return out.filter((p): p is string => p !== null);
}

function checkAct(act: Activation): string | null {
  return ACTIVATIONS.includes(act) ? null : `unknown activation ${String(act)}`;
}

/** Expanded (middle) channels of an inverted-residual block. */
export function irMidChannels(inChannels: number, expansion: number): number {
  return expansion === 1 ? inChannels : makeDivisible(inChannels * expansion, 8);
}

/** Rules that need the layer's input: groups dividing channels, fc on a 1x1 map. */
export function channelProblems(layer: LayerSpec, input: TensorShape): string[] {
  const p: string[] = [];
  if (layer.op === 'conv' && layer.groups > 1) {
    if (input.c % layer.groups !== 0) p.push(`groups ${layer.groups} do not divide the ${input.c} input channels`);
    if (layer.out % layer.groups !== 0) p.push(`groups ${layer.groups} do not divide the ${layer.out} output channels`);
  }
  if (layer.op === 'ir' && layer.groups > 1) {
    const mid = irMidChannels(input.c, layer.expansion);
    for (const [what, c] of [['input', input.c], ['expanded', mid], ['output', layer.out]] as const) {
      if (c % layer.groups !== 0) p.push(`groups ${layer.groups} do not divide the ${c} ${what} channels`);
    }
  }
  if (layer.op === 'fc' && (input.h !== 1 || input.w !== 1)) {
    p.push(`fc needs a 1x1 input map, got ${input.h}x${input.w} (add 'gap' before it)`);
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
