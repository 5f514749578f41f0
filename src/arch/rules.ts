/**
 * Value rules of the architecture language (leaf module): every check returns `null` when fine, or a human sentence
 * saying what is wrong. The block-string parser applies them per token (errors point at the characters), validate.ts
 * applies them to specs built in code, and each layer-kind module (kinds/) uses them for its own parts.
 */
import { makeDivisible, type Activation } from './spec.js';

/** Part kinds of a block string; numeric ones carry a prefix letter(s) followed by a decimal. */
export type PartKind = 'k' | 's' | 'e' | 'c' | 'g' | 'se' | 'r' | 'nobn' | 'noskip' | 'hsig' | 'nobias' | 'act';

export const ACT_TOKENS: Readonly<Record<string, Activation>> = { relu: 'relu', relu6: 'relu6', hs: 'hswish', hswish: 'hswish', noact: 'none' };
export const ACT_CANONICAL: Readonly<Record<Activation, string>> = { relu: 'relu', relu6: 'relu6', hswish: 'hs', none: 'noact' };

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

/** MBConv-style blocks (inverted residual, fused MBConv): kernel 3, 5 or 7. */
export function checkBlockKernel(what: string, value: number): string | null {
  return value === 3 || value === 5 || value === 7 ? null : `${what} kernel must be 3, 5 or 7, got ${value}`;
}

/** Plain conv kernels: odd, 1..7. */
export function checkKernel(value: number): string | null {
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

export function checkAct(act: Activation): string | null {
  return ACTIVATIONS.includes(act) ? null : `unknown activation ${String(act)}`;
}

/** Expanded (middle) channels of an inverted-residual block. */
export function irMidChannels(inChannels: number, expansion: number): number {
  return expansion === 1 ? inChannels : makeDivisible(inChannels * expansion, 8);
}

