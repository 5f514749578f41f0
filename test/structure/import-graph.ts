/**
 * The import graph of src/, read from the sources: every relative import (`import`, `import type`, `export ... from`,
 * dynamic `import()`), as file edges and as folder edges (a folder = the first path segment under src/; files
 * directly in src/ belong to the folder '.'). Used by import-graph.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportEdge {
  /** importing file, relative to src/ */
  readonly from: string;
  /** imported file, relative to src/ */
  readonly to: string;
  readonly line: number;
  readonly typeOnly: boolean;
}

const IMPORT_RE = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.\.?\/[^'"]+)['"]|import\(\s*['"](\.\.?\/[^'"]+)['"]\s*\)/g;

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/** relative imports of one file's text; `file` relative to src/ */
export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = (m[3] ?? m[4]) as string;
    const to = join(dirname(file), spec).replace(/\.js$/, '.ts');
    const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
    edges.push({ from: file, to, line, typeOnly: m[2] !== undefined });
  }
  return edges;
}

export function readImportGraph(srcDir: string): ImportEdge[] {
  const root = resolve(srcDir);
  return sourceFiles(root).flatMap((f) => importsOf(relative(root, f), readFileSync(f, 'utf8')));
}

export function folderOf(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts.length > 1 ? (parts[0] as string) : '.';
}

/** strongly connected components with more than one node (or a self loop): the cycles of the graph */
export function cycles(nodes: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || edges.get(v)?.has(v)) out.push(comp.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

export function adjacency(pairs: Iterable<readonly [string, string]>): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const [a, b] of pairs) {
    if (!m.has(a)) m.set(a, new Set());
    (m.get(a) as Set<string>).add(b);
  }
  return m;
}

export const SEP = sep;
