/**
 * Block strings: the compact text form of layers and networks (timm style). Full reference: docs/arch-strings.md.
 *
 *   layer    := op ('_' part)*            e.g. ir_k5_s2_e6_c40_se0.25_hsig_hs
 *   network  := 'in'H'x'W'x'C ('/' layer)*   e.g. in224x224x3/conv_k3_s2_c32/ir_k3_s1_e1_c16/gap/fc_c1000
 *
 * `formatLayer`/`formatNetwork` are canonical: parts in a fixed order, defaults omitted, one token per layer
 * (no repeats), so parse -> format -> parse gives an identical spec and one spec has exactly one string.
 */
import type { Activation, InputSpec, LayerSpec, NetworkSpec, TensorShape } from './spec.js';
import { layerOutputShape } from './shape-step.js';
import { invalidError, parseDecimal, parseError, splitTopLevel, type Piece } from './grammar-text.js';
import { checkChannels, checkRepeat, checkSpatial, checkStride, ACT_TOKENS, type PartKind } from './rules.js';
import { channelProblems } from './validate.js';
import { LayernasError } from '../core/errors.js';
import { KINDS, isKindOp, kindOf, type ArchKind, type KindLayer, type PartReader } from './kinds/index.js';

type Op = LayerSpec['op'];
/** every layer op the grammar knows: the kinds of src/arch/kinds/ */
export const LAYER_OPS: readonly Op[] = Object.keys(KINDS) as KindLayer['op'][];
const OPS = LAYER_OPS;
const NUMERIC: readonly { kind: PartKind; prefix: string }[] = [
  { kind: 'se', prefix: 'se' }, { kind: 'k', prefix: 'k' }, { kind: 's', prefix: 's' }, { kind: 'e', prefix: 'e' },
  { kind: 'c', prefix: 'c' }, { kind: 'g', prefix: 'g' }, { kind: 'r', prefix: 'r' },
];
const FLAGS: readonly PartKind[] = ['nobn', 'noskip', 'hsig', 'nobias'];

const grammarOf = (op: Op): ArchKind<KindLayer>['grammar'] => KINDS[op].grammar;

const PART_HELP: Readonly<Record<PartKind, string>> = {
  k: 'k<kernel>', s: 's<stride>', e: 'e<expansion>', c: 'c<channels>', g: 'g<groups>', se: 'se<ratio>', r: 'r<repeat>',
  nobn: 'nobn', noskip: 'noskip', hsig: 'hsig', nobias: 'nobias', act: 'relu|relu6|hs|noact',
};

interface ParsedPart { readonly kind: PartKind; readonly value: number; readonly act?: Activation; readonly piece: Piece }

function classify(input: string, piece: Piece, op: Op): ParsedPart {
  const t = piece.text;
  if (t.length === 0) throw parseError(input, piece, `empty part in '${op}' (two '_' in a row or a trailing '_')`);
  const act = ACT_TOKENS[t];
  if (act !== undefined && Object.hasOwn(ACT_TOKENS, t)) return { kind: 'act', value: 0, act, piece };
  if ((FLAGS as readonly string[]).includes(t)) return { kind: t as PartKind, value: 1, piece };
  for (const { kind, prefix } of NUMERIC) {
    if (t.startsWith(prefix)) {
      const value = parseDecimal(t.slice(prefix.length));
      if (value !== null) return { kind, value, piece };
    }
  }
  const g = grammarOf(op);
  const allowed = [...g.required, ...g.optional].map((k) => PART_HELP[k]).join(', ');
  throw parseError(input, piece, `unknown part '${t}' in '${op}' (allowed: ${allowed || 'nothing'})`);
}

/** Checks a numeric rule and turns its complaint into a positioned SPEC_INVALID. */
function must(input: string, piece: Piece, problem: string | null): void {
  if (problem !== null) throw invalidError(input, piece, problem);
}

/** Parses one layer token, expanding `r<n>` into n layers (stride only on the first). */
export function parseLayerToken(input: string, piece: Piece): LayerSpec[] {
  const text = piece.text;
  const headMatch = /^[a-z0-9]+/.exec(text);
  const head = headMatch ? headMatch[0] : '';
  if (!(OPS as readonly string[]).includes(head)) {
    const bad = { text: head.length > 0 ? head : text.slice(0, 1), pos: piece.pos };
    if (text.length === 0) throw parseError(input, piece, 'empty layer (two separators in a row or a trailing separator)');
    throw parseError(input, bad, `unknown op '${head || text.slice(0, 1)}' (known: ${OPS.join(', ')})`);
  }
  const op = head as Op;
  let rest: Piece = { text: text.slice(head.length), pos: piece.pos + head.length };
  let bracketed: unknown;
  const bracket = grammarOf(op).bracket;
  if (bracket) {
    if (!rest.text.startsWith('[')) throw parseError(input, { text: rest.text.slice(0, 1), pos: rest.pos }, `${op} needs its edges in brackets: ${bracket.help}`);
    const close = rest.text.indexOf(']');
    if (close < 0) throw parseError(input, { text: '', pos: rest.pos + rest.text.length }, `missing ']' closing the ${op} ${bracket.list}`);
    bracketed = bracket.parse(input, { text: rest.text.slice(1, close), pos: rest.pos + 1 });
    rest = { text: rest.text.slice(close + 1), pos: rest.pos + close + 1 };
  }
  if (rest.text.length > 0 && !rest.text.startsWith('_')) {
    throw parseError(input, { text: rest.text.slice(0, 1), pos: rest.pos }, `expected '_' after '${op}'`);
  }
  const parts = rest.text.length === 0 ? [] : splitTopLevel({ text: rest.text.slice(1), pos: rest.pos + 1 }, '_').map((p) => classify(input, p, op));
  const g = grammarOf(op);
  const byKind = new Map<PartKind, ParsedPart>();
  for (const p of parts) {
    if (!g.required.includes(p.kind) && !g.optional.includes(p.kind)) {
      const allowed = [...g.required, ...g.optional].map((k) => PART_HELP[k]).join(', ');
      throw parseError(input, p.piece, `'${p.piece.text}' does not apply to '${op}' (allowed: ${allowed || 'nothing'})`);
    }
    const prev = byKind.get(p.kind);
    if (prev) throw parseError(input, p.piece, `'${p.piece.text}' repeats '${prev.piece.text}'`);
    byKind.set(p.kind, p);
  }
  for (const k of g.required) {
    if (!byKind.has(k)) throw parseError(input, { text: '', pos: piece.pos + text.length }, `'${op}' needs ${PART_HELP[k]}`);
  }
  const num = (k: PartKind, check: (v: number) => string | null, dflt: number): number => {
    const p = byKind.get(k);
    if (!p) return dflt;
    must(input, p.piece, check(p.value));
    return p.value;
  };
  const act = (dflt: Activation): Activation => byKind.get('act')?.act ?? dflt;
  const flag = (k: PartKind): boolean => byKind.has(k);
  const repeat = num('r', checkRepeat, 1);
  const build = (first: boolean): LayerSpec => {
    const stride = (): 1 | 2 => (first ? (num('s', checkStride, 1) as 1 | 2) : 1);
    const reader: PartReader = { num, act, flag, stride, bracket: () => bracketed };
    return KINDS[op].build(reader);
  };
  const layers: LayerSpec[] = [];
  for (let i = 0; i < repeat; i++) layers.push(build(i === 0));
  return layers;
}

/** Parses one layer string (no repeat > 1: use `parseLayers` for `r<n>`). */
export function parseLayer(text: string): LayerSpec {
  const layers = parseLayerToken(text, { text, pos: 0 });
  if (layers.length !== 1) {
    const at = /_r\d+/.exec(text);
    throw parseError(text, { text: at ? at[0].slice(1) : text, pos: at ? at.index + 1 : 0 }, 'a repeat (r<n>) makes several layers: use parseLayers');
  }
  return layers[0] as LayerSpec;
}

/** Parses one layer string, expanding `r<n>`. */
export function parseLayers(text: string): LayerSpec[] {
  return parseLayerToken(text, { text, pos: 0 });
}

/** Canonical block string of one layer. */
export function formatLayer(layer: LayerSpec): string {
  if (!isKindOp(layer.op)) throw new LayernasError('SPEC_INVALID', `unknown layer op ${JSON.stringify(layer.op)}`, { op: layer.op });
  return kindOf(layer).format(layer);
}

export function formatInput(input: InputSpec): string {
  return `in${input.height}x${input.width}x${input.channels}`;
}

/** Canonical network string: input token, then one token per layer, joined by '/'. */
export function formatNetwork(spec: NetworkSpec): string {
  return [formatInput(spec.input), ...spec.layers.map(formatLayer)].join('/');
}

export interface ParseNetworkOptions {
  /** used when the string has no `in...` token */
  readonly defaultInput?: InputSpec;
  readonly name?: string;
}

/**
 * Parses a network string. Also checks the rules that need channels (groups dividing channels, fc after gap),
 * pointing at the offending layer token.
 */
export function parseNetwork(text: string, options: ParseNetworkOptions = {}): NetworkSpec {
  const lead = text.length - text.trimStart().length;
  const body: Piece = { text: text.trim(), pos: lead };
  if (body.text.length === 0) throw parseError(text, { text: '', pos: 0 }, 'empty network string');
  const tokens = splitTopLevel(body, '/');
  let input = options.defaultInput;
  let first = 0;
  const head = tokens[0] as Piece;
  if (head.text.startsWith('in')) {
    const m = /^in(-?\d+)x(-?\d+)x(-?\d+)$/.exec(head.text);
    if (!m) throw parseError(text, head, "malformed input token (expected in<H>x<W>x<C>, e.g. in224x224x3)");
    const [h, w, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
    must(text, head, checkSpatial(h, 'input height') ?? checkSpatial(w, 'input width') ?? checkChannels(c, 'input channels'));
    input = { height: h, width: w, channels: c };
    first = 1;
  }
  if (!input) throw parseError(text, head, "a network string starts with its input, e.g. in224x224x3/...");
  const layers: LayerSpec[] = [];
  let shape: TensorShape = { h: input.height, w: input.width, c: input.channels };
  for (const token of tokens.slice(first)) {
    for (const layer of parseLayerToken(text, token)) {
      const problems = channelProblems(layer, shape);
      if (problems.length > 0) throw invalidError(text, token, problems.join('; '));
      shape = layerOutputShape(layer, shape);
      layers.push(layer);
    }
  }
  return options.name !== undefined ? { name: options.name, input, layers } : { input, layers };
}
