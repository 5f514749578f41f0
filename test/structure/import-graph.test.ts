/**
 * The folder import graph of src/ follows the data flow (docs/TEAM.md): a folder imports only folders listed before
 * it in LAYERS, so the folder graph is acyclic; files import each other without value cycles. A new folder must be
 * placed in LAYERS (and in docs/TEAM.md's table) before it can be imported.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { adjacency, cycles, folderOf, importsOf, readImportGraph, type ImportEdge } from './import-graph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * Lowest first: spec -> shapes -> cost -> search -> evaluate -> export -> runtime -> verify, then the jobs and the CLI.
 * targets (device descriptions) sit low because cost tables are validated against them; graph (the inference IR)
 * sits right below export, which lowers specs to it; platform (the registry resolving a target to the thing that
 * loads, times and profiles its files) sits on top of runtime and device; '.' (files directly in src/: the library
 * entry) is the top.
 */
export const LAYERS = [
  'core', 'targets', 'arch', 'data', 'space', 'cost', 'search', 'train', 'eval', 'dispatch', 'study', 'worker',
  'graph', 'export', 'runtime', 'device', 'platform', 'profile', 'verify', 'design', 'cli', '.',
] as const;

/** imports that run against LAYERS: `importer -> imported` folder pairs with file:line of each */
function backEdges(edges: readonly ImportEdge[], layers: readonly string[]): string[] {
  const rank = new Map(layers.map((l, i) => [l, i]));
  const bad: string[] = [];
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    const ra = rank.get(a);
    const rb = rank.get(b);
    if (ra === undefined || rb === undefined) bad.push(`${e.from}:${e.line} -> ${e.to}: folder '${ra === undefined ? a : b}' is not in LAYERS`);
    else if (rb > ra) bad.push(`${e.from}:${e.line} -> ${e.to}: '${a}' (layer ${ra}) imports '${b}' (layer ${rb}), which comes later in the data flow`);
  }
  return bad;
}

const edges = readImportGraph(SRC);

test('the source scan finds the imports (the checks below cannot pass vacuously)', () => {
  assert.ok(edges.length > 500, `only ${edges.length} imports found`);
  const folders = new Set(edges.map((e) => folderOf(e.from)));
  for (const f of ['core', 'arch', 'export', 'design', 'cli']) assert.ok(folders.has(f), `no imports read from src/${f}`);
  // the parser sees every import form
  const sample = importsOf('a/x.ts', [
    "import { p } from '../b/p.js';",
    "import type { T } from '../c/t.js';",
    "export { q } from '../d/q.js';",
    'import {\n  r,\n  s,\n} from "../e/r.js";',
    "const m = await import('../f/m.js');",
  ].join('\n'));
  assert.deepEqual(sample.map((e) => [e.to, e.typeOnly]), [['b/p.ts', false], ['c/t.ts', true], ['d/q.ts', false], ['e/r.ts', false], ['f/m.ts', false]]);
});

test('every import between folders runs down the declared layer order (folder graph acyclic)', () => {
  assert.deepEqual(backEdges(edges, LAYERS), []);
  const folderEdges = adjacency(edges.map((e) => [folderOf(e.from), folderOf(e.to)] as const).filter(([a, b]) => a !== b));
  assert.deepEqual(cycles([...folderEdges.keys()], folderEdges), []);
});

test('the checker fails on an import that runs back up, and names it', () => {
  const up: ImportEdge[] = [{ from: 'arch/weights.ts', to: 'export/write-atomic.ts', line: 12, typeOnly: false }];
  const bad = backEdges(up, LAYERS);
  assert.equal(bad.length, 1);
  assert.match(bad[0] as string, /arch\/weights\.ts:12 -> export\/write-atomic\.ts: 'arch' .* imports 'export'/);
  assert.match(backEdges([{ from: 'newfolder/a.ts', to: 'core/errors.ts', line: 1, typeOnly: false }], LAYERS)[0] as string, /'newfolder' is not in LAYERS/);
  const loop = adjacency([['eval', 'worker'], ['worker', 'dispatch'], ['dispatch', 'eval'], ['eval', 'core']]);
  assert.deepEqual(cycles([...loop.keys()], loop), [['dispatch', 'eval', 'worker']]);
});

test('no value-import cycles between files', () => {
  const valueEdges = adjacency(edges.filter((e) => !e.typeOnly).map((e) => [e.from, e.to] as const));
  assert.deepEqual(cycles([...valueEdges.keys()], valueEdges), []);
});

test('docs/TEAM.md lists the folders of src/ in the layer order', () => {
  const team = readFileSync(new URL('../../docs/TEAM.md', import.meta.url), 'utf8');
  const listed = [...team.matchAll(/^\| `src\/([a-z-]+)\/` \|/gm)].map((m) => m[1] as string);
  const present = new Set(edges.map((e) => folderOf(e.from)).filter((f) => f !== '.'));
  assert.deepEqual(listed, LAYERS.filter((l) => present.has(l)));
});
