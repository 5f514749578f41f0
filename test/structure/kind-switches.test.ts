/**
 * One module per layer kind (src/arch/kinds/): nothing else in src/ switches on a kind's name. The TypeScript type
 * checker finds every `===` / `!==` / `==` / `!=` comparison between a kind name ('ir', 'gap', ...) and a value whose
 * type holds only kind names (a layer's `op`, also when it may be undefined), and every `switch` on such a value with
 * a `case` of a kind name.
 * Values typed otherwise are not kind switches even when a literal looks like a kind name: primitive kinds
 * ('conv' | 'linear' | 'bn'), FBNet op names ('skip' | 'k3_e1' | ...), space options (string).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { sourceFiles } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const COMPARE = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

function program(extra: readonly string[] = []): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  assert.ok(config, 'tsconfig.json');
  return ts.createProgram([...sourceFiles(SRC), ...extra], { ...config.options, noEmit: true });
}

/** every layer kind name: the members of `LayerOp` (src/arch/spec.ts), as the type checker sees them */
function kindNames(p: ts.Program): Set<string> {
  const checker = p.getTypeChecker();
  const spec = p.getSourceFile(join(SRC, 'arch', 'spec.ts'));
  const alias = spec?.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'LayerOp');
  assert.ok(alias, 'src/arch/spec.ts declares LayerOp');
  const t = checker.getTypeAtLocation(alias.name);
  return new Set((t.isUnion() ? t.types : [t]).filter((x) => x.isStringLiteral()).map((x) => (x as ts.StringLiteralType).value));
}

/** `file:line: text` of every kind switch in the given files */
function kindSwitches(p: ts.Program, files: readonly string[]): string[] {
  const checker = p.getTypeChecker();
  const KIND_NAMES = kindNames(p);
  const onlyKinds = (node: ts.Node): boolean => {
    const t = checker.getNonNullableType(checker.getTypeAtLocation(node));
    const parts = t.isUnion() ? t.types : [t];
    return parts.every((x) => x.isStringLiteral() && KIND_NAMES.has(x.value));
  };
  const isKindName = (node: ts.Node): boolean => ts.isStringLiteralLike(node) && KIND_NAMES.has(node.text);
  const found: string[] = [];
  for (const file of files) {
    const sf = p.getSourceFile(file);
    assert.ok(sf, file);
    const hit = (node: ts.Node): void => {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      found.push(`${relative(SRC, file)}:${line + 1}: ${sf.text.split('\n')[line]?.trim()}`);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && COMPARE.has(node.operatorToken.kind)) {
        if ((isKindName(node.right) && onlyKinds(node.left)) || (isKindName(node.left) && onlyKinds(node.right))) hit(node);
      } else if (ts.isSwitchStatement(node) && onlyKinds(node.expression)) {
        for (const c of node.caseBlock.clauses) if (ts.isCaseClause(c) && isKindName(c.expression)) hit(c);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

const files = sourceFiles(SRC);
const main = program();
const all = kindSwitches(main, files);

test('the kind names are every layer op', () => {
  assert.deepEqual([...kindNames(main)].sort(), ['bnact', 'conv', 'fc', 'fmb', 'gap', 'ir', 'natscell', 'nb201cell', 'resblock', 'skip']);
});

test('no switch on a layer kind name outside src/arch/kinds', () => {
  assert.deepEqual(all.filter((l) => !l.startsWith('arch/kinds/')), []);
});

test('the search is not blind: it finds the kind modules\' own tests of a layer\'s kind, and each form of switch', () => {
  assert.ok(all.some((l) => l.startsWith('arch/kinds/index.ts') && l.includes("last?.op === 'fc'")), all.join('\n'));
  assert.ok(all.some((l) => l.startsWith('arch/kinds/nb201cell.ts') && l.includes("layer.op === 'nb201cell'")), all.join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'layernas-kind-switch-'));
  try {
    const sample = join(dir, 'sample.ts');
    const spec = JSON.stringify(join(SRC, 'arch', 'spec.js'));
    writeFileSync(sample, [
      `import type { LayerSpec, Nb201Op } from ${spec};`,
      'export function f(layer: LayerSpec, e: Nb201Op, s: string): number {',
      "  if (layer.op === 'ir') return 1;",
      "  if ('gap' !== layer.op) return 2;",
      "  if ([layer][0]?.op == 'fc') return 5;",
      '  switch (layer.op) {',
      "    case 'resblock': return 3;",
      '    default: break;',
      '  }',
      "  if (e === 'skip_connect' || s === 'skip') return 4;",
      '  return 0;',
      '}',
    ].join('\n'));
    const hits = kindSwitches(program([sample]), [sample]).map((l) => l.slice(l.indexOf(': ') + 2));
    assert.deepEqual(hits, ["if (layer.op === 'ir') return 1;", "if ('gap' !== layer.op) return 2;", "if ([layer][0]?.op == 'fc') return 5;", "case 'resblock': return 3;"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
