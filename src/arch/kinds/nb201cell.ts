/**
 * NAS-Bench-201 cell (src/arch/kinds/cell.ts): six edge ops, channels in = out.
 *
 *   nb201cell[nor_conv_3x3,none,skip_connect,avg_pool_3x3,nor_conv_1x1,skip_connect]   edges comma-separated in
 *   NB201 string order, or the NB201 string itself: nb201cell[|op~0|+|op~0|op~1|+|op~0|op~1|op~2|];  optional r<n>
 *
 * Weights: l<i>.e<j> for each conv edge j.
 */
import { parseError, splitTopLevel, type Piece } from '../grammar-text.js';
import { NB201_OPS, type LayerSpec, type Nb201CellLayer, type Nb201Op } from '../spec.js';
import { cellBody, cellExtraOps, cellPrimitives } from './cell.js';
import type { ArchKind } from './types.js';

type Edges = Nb201CellLayer['edges'];

function parseEdges(input: string, piece: Piece): Edges {
  const inner = piece.text;
  let names: Piece[];
  if (inner.startsWith('|')) {
    // NB201 string: |op~0|+|op~0|op~1|+|op~0|op~1|op~2|
    const m = /^\|([a-z0-9_]+)~0\|\+\|([a-z0-9_]+)~0\|([a-z0-9_]+)~1\|\+\|([a-z0-9_]+)~0\|([a-z0-9_]+)~1\|([a-z0-9_]+)~2\|$/.exec(inner);
    if (!m) throw parseError(input, piece, "malformed NB201 cell string (expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|)");
    names = m.slice(1).map((name) => ({ text: name ?? '', pos: piece.pos + inner.indexOf(`${name}~`) }));
  } else {
    names = splitTopLevel(piece, ',');
    if (names.length !== 6) throw parseError(input, piece, `an nb201 cell needs 6 comma-separated edge ops, got ${names.length}`);
  }
  return names.map((n) => {
    if (!(NB201_OPS as readonly string[]).includes(n.text)) {
      throw parseError(input, n, `unknown NB201 op '${n.text}' (allowed: ${NB201_OPS.join(', ')})`);
    }
    return n.text as Nb201Op;
  }) as unknown as Edges;
}

export const nb201Cell: ArchKind<Nb201CellLayer> = {
  op: 'nb201cell',
  grammar: { required: [], optional: ['r'], bracket: { help: 'nb201cell[op,op,op,op,op,op]', list: 'edge list', parse: parseEdges } },
  build: (p) => ({ op: 'nb201cell', edges: p.bracket() as Edges }),
  format: (l) => `nb201cell[${l.edges.join(',')}]`,
  problems: (l) => [l.edges.length !== 6 ? `an nb201 cell has 6 edges, got ${l.edges.length}` : null],
  outputShape: (_l, input) => ({ ...input }),
  primitives: (l, input) => cellPrimitives(l.edges, input.c, input.c, input),
  residual: () => false,
  body: (l, input, prims) => cellBody(l.edges, prims, input.c),
  extraOps: (l, _input, output) => cellExtraOps(l.edges, output),
};

/** The edge ops of an NB201 cell layer (undefined for every other layer). */
export function nb201CellEdges(layer: LayerSpec): Edges | undefined {
  return layer.op === 'nb201cell' ? layer.edges : undefined;
}
