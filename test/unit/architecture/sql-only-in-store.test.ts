// Every SQL statement lives in a core/store repository (issue 18): the domains (identify,
// library, model, report, verify, bench, synth...) call typed functions of core/store and keep
// their logic; only core/store holds statements, pragmas, transactions on the connection,
// the connection itself and the sqlite-vec extension's loading. Reads the files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../../..');
const STORE = 'src-main/core/store/';

/** What reaches a database: a statement, a pragma, SQL run with exec, a transaction or its state, the store's connection, loading an extension, the driver. */
const DATABASE: [string, RegExp][] = [
  ['statement', /\.prepare\s*\(/],
  ['pragma', /\.pragma\s*\(/],
  ['exec of SQL text', /\.exec\s*\(\s*[`'"]/],
  ['transaction', /\.transaction\s*\(/],
  ['transaction state', /\.inTransaction\b/],
  ['the store connection', /\bstore(?:\(\))?\.db\b/],
  ['extension loading', /\.loadExtension\s*\(/],
  ['the driver', /from\s+'better-sqlite3'|import\(\s*'better-sqlite3'\s*\)/],
];

/**
 * Files outside core/store allowed to match, each with its reason. Keep it empty unless a
 * statement truly cannot move; a stale entry fails the test below.
 */
const EXCEPTIONS: Record<string, string> = {};

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function databaseUses(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const [what, re] of DATABASE) if (re.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
      });
  }
  return found;
}

test('no SQL, transaction or database connection anywhere in src-main outside core/store', () => {
  const outside = sources('src-main').filter((f) => !f.startsWith(STORE) && !(f in EXCEPTIONS));
  assert.ok(outside.length > 100, `the scan sees src-main's files (${outside.length})`);
  assert.deepEqual(databaseUses(outside), [], 'move the statement into a core/store repository and call it');
});

test('every exception still needs its entry', () => {
  for (const [file, reason] of Object.entries(EXCEPTIONS)) {
    assert.ok(reason.length > 20, `${file}: give the reason`);
    assert.notDeepEqual(databaseUses([file]), [], `${file} no longer touches the database: remove its exception`);
  }
});

test('the patterns catch each form, and find the statements where they belong (core/store)', () => {
  const samples = [
    "store.db.prepare('SELECT 1')",
    "db.pragma('data_version', { simple: true })",
    'db.exec(`CREATE TABLE t (x)`)',
    'store.db.transaction(() => 1)()',
    'if (store.db.inTransaction) return',
    'const db = ctx.store.db;',
    'db.loadExtension(path)',
    "import Database from 'better-sqlite3';",
  ];
  for (const [i, [what, re]] of DATABASE.entries()) assert.ok(re.test(samples[i]!), `${what}: ${samples[i]}`);
  assert.equal(
    DATABASE.some(([, re]) => re.test('const m = /^(\\d+)$/.exec(raw.trim());')),
    false,
    'a regular expression exec is not SQL',
  );
  const inStore = databaseUses(sources('src-main/core/store'));
  for (const file of ['cases.ts', 'library.ts', 'exemplars.ts', 'vector-index.ts', 'bench-rows.ts', 'model-rows.ts']) {
    assert.ok(
      inStore.some((l) => l.startsWith(`${STORE}${file}:`)),
      `${STORE}${file}: the scan finds its statements`,
    );
  }
});
