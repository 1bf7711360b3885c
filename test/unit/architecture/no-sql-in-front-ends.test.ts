// The front-ends (IPC handlers, CLI commands, the bridge) are adapters: SQL lives in core/store
// repositories, which core/app use cases and the domains call (docs/architecture.md; the whole of
// src-main outside core/store is checked by sql-only-in-store.test.ts). Reads the files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../../..');

/** What reaches the database itself: a statement, a pragma, or the store's connection. */
const DATABASE = [/\.prepare\s*\(/, /\.pragma\s*\(/, /\bstore(?:\(\))?\.db\b/];

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

function databaseUses(dir: string): string[] {
  const found: string[] = [];
  for (const file of sources(dir)) {
    readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (DATABASE.some((re) => re.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

test('no SQL and no database connection in src-main/ipc, src-main/cli, src-main/server or src-main/host', () => {
  for (const dir of ['src-main/ipc', 'src-main/cli', 'src-main/server', 'src-main/host']) {
    assert.ok(sources(dir).length > 0, `${dir}: the scan sees its files`);
    assert.deepEqual(databaseUses(dir), [], `${dir} must call core/app or core/store instead`);
  }
});

test('the scan finds the statements where they belong (core/store)', () => {
  const inStore = databaseUses('src-main/core/store');
  assert.ok(
    inStore.some((l) => l.startsWith('src-main/core/store/cases.ts:')),
    inStore.slice(0, 3).join('\n'),
  );
});
