/**
 * ipc/contract/shared.ts is the only module under src-main/ the renderer loads at run time (the
 * lint rule in eslint.config.js holds the renderer to it; test/unit/renderer/import-boundary.test.ts
 * shows the rule). Everything it reaches ends up in the UI bundle, which runs sandboxed or in a
 * plain browser, so its run-time import graph must hold only the project's own modules: no
 * package, no node: module. `import type` (erased) is not followed; anything else is, including
 * `import { type X }`, which verbatimModuleSyntax keeps as an import.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const contractDir = path.join(root, 'src-main/ipc/contract');

/** The specifiers `file` imports or re-exports at run time. */
function runtimeSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) out.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) out.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) out.push(node.arguments[0]?.getText(source) ?? '?');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every module `entry` reaches at run time, and the specifiers that are not the project's own files. */
function runtimeGraph(entry: string): { modules: string[]; foreign: string[] } {
  const seen = new Set<string>();
  const foreign: string[] = [];
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of runtimeSpecifiers(file)) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) foreign.push(`${path.relative(root, file)}: ${spec}`);
      else walk(path.resolve(path.dirname(file), spec));
    }
  };
  walk(entry);
  return { modules: [...seen].map((f) => path.relative(root, f)).sort(), foreign };
}

describe('ipc/contract/shared.ts: what the renderer runs from src-main', () => {
  it('reaches no package and no node: module at run time', () => {
    const { modules, foreign } = runtimeGraph(path.join(contractDir, 'shared.ts'));
    assert.deepEqual(foreign, []);
    // what it does reach: itself and the pure modules it re-exports (a new one belongs in this list only if it is pure too)
    assert.deepEqual(modules, [
      'src-main/core/imaging/dpi.ts',
      'src-main/core/model/figures.ts',
      'src-main/core/verify/story.ts',
      'src-main/ipc/contract/shared.ts',
    ]);
  });

  it('contract/types.ts exports types only (nothing of it exists at run time)', () => {
    assert.deepEqual(runtimeSpecifiers(path.join(contractDir, 'types.ts')), []);
  });

  it('the walk catches what it must: node: modules, packages, and skips only `import type`', () => {
    const jobs = runtimeGraph(path.join(root, 'src-main/core/jobs/manager.ts')).foreign;
    assert.ok(jobs.includes('src-main/core/jobs/manager.ts: node:crypto'), jobs.join('\n'));
    // contract.ts: `import type { z } from 'zod'` is erased, but the method tables it imports load zod
    assert.ok(!runtimeSpecifiers(path.join(root, 'src-main/ipc/contract.ts')).includes('zod'));
    const contract = runtimeGraph(path.join(root, 'src-main/ipc/contract.ts')).foreign;
    assert.ok(contract.includes('src-main/ipc/methods/jobs.ts: zod'), contract.join('\n'));
  });
});
