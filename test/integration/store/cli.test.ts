import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../../src-main/core/store/index.ts';
import { ROOT, tempDir } from './helpers.ts';

// Parsed --json output, navigated freely in assertions (a wrong shape fails the assertion).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Runs the real CLI in a child process (async, so independent calls run side by side). */
function cli(dataDir: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; json: Json }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/countersign.js'), '--data-dir', dataDir, ...args],
      { cwd: ROOT, encoding: 'utf8' },
      (err, stdout, stderr) => {
        let json: Json;
        try {
          json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
        } catch {
          json = undefined;
        }
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr, json });
      },
    );
  });
}

function hasSqliteShell(): boolean {
  return spawnSync('sqlite3', ['-version'], { encoding: 'utf8' }).status === 0;
}

test('case create --threshold 0.42 then case list shows it; audit verify is ok until a row is edited', async () => {
  const dir = path.join(tempDir(), 'data');
  const created = await cli(dir, 'case', 'create', 'Case 1', '--threshold', '0.42', '--examiner', 'A. Examiner', '--json');
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.json.name, 'Case 1');
  assert.equal(created.json.threshold, 0.42);

  const [list, ok] = await Promise.all([cli(dir, 'case', 'list', '--json'), cli(dir, 'audit', 'verify', '--json')]);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(
    list.json.map((c: { name: string; threshold: number }) => [c.name, c.threshold]),
    [['Case 1', 0.42]],
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json.ok, true);
  assert.equal(ok.json.rows, 2);

  // Tamper as someone with a raw connection would: drop the guard, edit the threshold recorded.
  const raw = new Database(path.join(dir, 'countersign.db'));
  raw.exec('DROP TRIGGER audit_log_no_update');
  raw.prepare(`UPDATE audit_log SET details = json_set(details, '$.threshold', 0.9) WHERE action = 'case.create'`).run();
  raw.close();

  const [broken, human] = await Promise.all([cli(dir, 'audit', 'verify', '--json'), cli(dir, 'audit', 'verify', '--case', 'Case 1')]);
  assert.equal(broken.code, 1);
  assert.equal(broken.json.ok, false);
  assert.equal(broken.json.brokenAt, 2);
  assert.equal(broken.json.row.seq, 2);
  assert.equal(broken.json.row.details.threshold, 0.9);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /BROKEN at row 2/);
});

test('commands opening a store with a dropped trigger at the same moment re-create it once, and none fails', async () => {
  const dir = path.join(tempDir(), 'data');
  const store = openStore(dir);
  store.cases.create({ name: 'Race case' });
  store.close();
  const raw = new Database(path.join(dir, 'countersign.db'));
  raw.exec('DROP TRIGGER audit_log_no_update');
  raw.close();

  const runs = await Promise.all(Array.from({ length: 4 }, () => cli(dir, 'audit', 'verify', '--no-objects', '--json')));
  for (const r of runs) {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.ok, true);
  }
  const check = new Database(path.join(dir, 'countersign.db'), { readonly: true });
  const protects = check.prepare(`SELECT details FROM audit_log WHERE action = 'store.protect'`).all() as { details: string }[];
  const trigger = check.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_log_no_update'`).get();
  check.close();
  assert.ok(trigger, 'the trigger is back');
  assert.equal(protects.length, 1, 'one store.protect row, written by whichever command came first');
  assert.deepEqual(JSON.parse(protects[0]!.details).missingTriggers, ['audit_log_no_update']);
});

test('audit verify catches an edit made with the sqlite3 shell', async (t) => {
  if (!hasSqliteShell()) return t.skip('no sqlite3 shell on this machine');
  const dir = path.join(tempDir(), 'data');
  const store = openStore(dir);
  store.cases.create({ name: 'Shell case' });
  store.close();
  const db = path.join(dir, 'countersign.db');
  const sh = spawnSync('sqlite3', [db, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1;"], { encoding: 'utf8' });
  assert.equal(sh.status, 0, sh.stderr);
  const r = await cli(dir, 'audit', 'verify', '--json');
  assert.equal(r.code, 1);
  assert.deepEqual([r.json.ok, r.json.brokenAt, r.json.row.actor], [false, 1, 'someone-else']);
});

test('bad input through the real CLI: a JSON error naming the field (exit 1, or 2 for a malformed option), nothing written', async () => {
  const dir = path.join(tempDir(), 'data');
  const store = openStore(dir);
  store.cases.create({ name: 'Case 1', threshold: 0.42 });
  store.close();
  const [dup, notNumber] = await Promise.all([
    cli(dir, 'case', 'create', 'CASE 1', '--json'),
    cli(dir, 'case', 'create', 'Case 2', '--threshold', 'abc', '--json'),
  ]);
  assert.equal(dup.code, 1);
  assert.deepEqual(dup.json.error, { code: 'CONFLICT', message: "name: a case named 'Case 1' already exists (case 1)" });
  assert.equal(notNumber.code, 2);
  assert.equal(notNumber.json.error.code, 'INVALID_ARGUMENT');
  assert.match(notNumber.json.error.message, /^--threshold:/);
  const after = openStore(dir);
  try {
    assert.deepEqual(
      after.cases.list({ includeArchived: true }).map((c) => c.name),
      ['Case 1'],
    );
    assert.equal(after.audit.list().length, 2);
  } finally {
    after.close();
  }
});

test('case create takes minimum references and band from the settings, as the UI does', async () => {
  const dir = path.join(tempDir(), 'data');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ minReferences: 6, inconclusiveBand: 0.1 }));
  const created = await cli(dir, 'case', 'create', 'Defaults', '--json');
  assert.equal(created.code, 0, created.stderr);
  assert.deepEqual([created.json.minReferences, created.json.inconclusiveBand], [6, 0.1]);
});
