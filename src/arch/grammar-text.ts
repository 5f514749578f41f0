/**
 * Text helpers of the block-string grammar: positioned parts, parse errors with a caret line, numbers.
 * Positions are 0-based character offsets into the whole string the user gave.
 */
import { LayernasError } from '../core/errors.js';

/** A piece of the input with its absolute position. */
export interface Piece {
  readonly text: string;
  readonly pos: number;
}

/** Shows the input with carets under the offending characters (control characters shown as '?'). */
export function caretLines(input: string, position: number, length: number): string {
  const shown = input.replace(/[\u0000-\u001f\u007f]/g, '?');
  const clipped = Math.min(Math.max(position, 0), shown.length);
  const width = Math.max(1, Math.min(length, Math.max(1, shown.length - clipped)));
  return `  ${shown}\n  ${' '.repeat(clipped)}${'^'.repeat(width)}`;
}

function describe(input: string, position: number, token: string, cause: string): string {
  const where = token.length > 0 ? `at position ${position} ('${token}')` : `at position ${position} (end of input)`;
  return `${cause} ${where}\n${caretLines(input, position, token.length)}`;
}

/** SPEC_PARSE: the text is not a well-formed block / network string. */
export function parseError(input: string, piece: Piece, cause: string): LayernasError {
  return new LayernasError('SPEC_PARSE', describe(input, piece.pos, piece.text, cause), {
    input, position: piece.pos, token: piece.text, cause,
  });
}

/** SPEC_INVALID: well-formed, but the value is impossible (zero channels, kernel 4, stride 3...). */
export function invalidError(input: string, piece: Piece, cause: string): LayernasError {
  return new LayernasError('SPEC_INVALID', describe(input, piece.pos, piece.text, cause), {
    input, position: piece.pos, token: piece.text, cause,
  });
}

/** Splits `piece` at every `sep` that is not inside [...] brackets; keeps empty parts (callers reject them). */
export function splitTopLevel(piece: Piece, sep: string): Piece[] {
  const out: Piece[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < piece.text.length; i++) {
    const ch = piece.text[i];
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === sep && depth === 0) {
      out.push({ text: piece.text.slice(start, i), pos: piece.pos + start });
      start = i + 1;
    }
  }
  out.push({ text: piece.text.slice(start), pos: piece.pos + start });
  return out;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Parses a number written as digits with an optional sign and fraction (no exponents, no hex). */
export function parseDecimal(text: string): number | null {
  return DECIMAL.test(text) ? Number(text) : null;
}

/** Canonical number text: the shortest decimal that parses back to the same number. */
export function formatDecimal(value: number, what: string): string {
  const text = String(value);
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new LayernasError('SPEC_INVALID', `${what} ${text} cannot be written in a block string (needs a plain non-negative decimal)`, { value, what });
  }
  return text;
}
