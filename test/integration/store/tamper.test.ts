// `countersign audit verify` on a data directory edited with a plain SQLite connection.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { auditRowHash } from '../../../src-main/core/store/audit.ts';
import { ROOT, tempDir } from './helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: Json }> {
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
        resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr, json });
      },
    );
  });
}

test('audit verify names a case whose threshold was edited in place, and a row appended without the installation key', async () => {
  const dir = path.join(tempDir(), 'data');
  assert.equal((await cli(dir, 'case', 'create', 'Smith v. Jones', '--threshold', '0.42')).code, 0);
  const clean = await cli(dir, 'audit', 'verify', '--json');
  assert.equal(clean.code, 0, clean.stdout);
  assert.deepEqual(clean.json.problems, []);

  let raw = new Database(path.join(dir, 'countersign.db'));
  raw.prepare('UPDATE cases SET threshold = 2.5').run();
  raw.close();
  const edited = await cli(dir, 'audit', 'verify');
  assert.equal(edited.code, 1);
  assert.match(edited.stdout, /Audit log chain intact/);
  assert.match(edited.stdout, /case 1 \(case 1\): changed after audit row #2 recorded it/);

  raw = new Database(path.join(dir, 'countersign.db'));
  const head = raw.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
  const row = {
    seq: head.seq + 1,
    at: new Date().toISOString(),
    actor: 'x@y (cli)',
    action: 'case.archive',
    case_id: 1,
    entity: 'case:1',
    details: '{}',
    prev_hash: head.hash,
  };
  raw
    .prepare('INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(row.seq, row.at, row.actor, row.action, row.case_id, row.entity, row.details, row.prev_hash, auditRowHash(row));
  raw.close();
  const forged = await cli(dir, 'audit', 'verify', '--json');
  assert.equal(forged.code, 1);
  assert.equal(forged.json.brokenAt, undefined, 'the chain itself is intact');
  assert.ok(
    forged.json.problems.includes(`audit row ${row.seq}: rows ${row.seq}..${row.seq} are not signed by any key: they were added outside Countersign`),
    forged.stdout,
  );
  const refused = await cli(dir, 'case', 'create', 'Next');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /the audit log was changed outside Countersign: its last row #\d+ is not signed/);
});
