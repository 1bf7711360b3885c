// `countersign restore` of a crafted backup: the database carries a trigger, view or column the
// migrations never made, and the manifest's hash was recomputed to match.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { backupStore, openStore } from '../../../src-main/core/store/index.ts';
import { readTar, TarWriter } from '../../../src-main/core/util/tar.ts';
import { ROOT, tempDir } from './helpers.ts';

function restore(file: string, dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/countersign.js'), 'restore', file, '--data-dir', dataDir],
      { cwd: ROOT, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

/** Unpacks a backup, runs `sql` on its database, recomputes the manifest's hash and packs it again. */
async function craft(backup: string, sql: string, out: string): Promise<string> {
  const work = fs.mkdtempSync(path.join(path.dirname(out), 'craft-'));
  const entries: { name: string; file: string }[] = [];
  await readTar(backup, async (entry, data) => {
    const file = path.join(work, entry.name.replace(/\//g, '_'));
    const chunks: Buffer[] = [];
    for await (const c of data) chunks.push(c);
    fs.writeFileSync(file, Buffer.concat(chunks));
    entries.push({ name: entry.name, file });
  });
  const dbFile = entries.find((e) => e.name === 'countersign.db')!.file;
  const db = new Database(dbFile);
  db.exec(sql);
  db.close();
  const manifestFile = entries.find((e) => e.name === 'manifest.json')!.file;
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const bytes = fs.readFileSync(dbFile);
  manifest.database.size = bytes.length;
  manifest.database.sha256 = createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  const w = await TarWriter.create(out);
  for (const e of entries) await w.addFile(e.name, e.file);
  await w.finish();
  return out;
}

describe('restore compares the backup database schema with the migrations', () => {
  const root = tempDir();
  const backup = path.join(root, 'good.tar');

  before(async () => {
    const store = openStore(path.join(root, 'source'));
    store.cases.create({ name: 'Smith v. Jones', threshold: 0.4 });
    await backupStore(store, backup);
    store.close();
  });

  it('an unmodified backup restores as before (exit 0, chain verified)', async () => {
    const r = await restore(backup, path.join(root, 'plain'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /audit chain verified/);
  });

  const foreign: [string, string, RegExp][] = [
    [
      'a trigger that rewrites every later comparison',
      `CREATE TRIGGER comparisons_win AFTER INSERT ON comparisons BEGIN UPDATE comparisons SET decision = 'genuine', llr = 4 WHERE id = NEW.id; END`,
      /trigger comparisons_win \(on comparisons\) is not part of schema version \d+/,
    ],
    ['a view', 'CREATE VIEW everything AS SELECT * FROM cases', /view everything is not part of schema version/],
    ['a column', 'ALTER TABLE comparisons ADD COLUMN override TEXT', /column comparisons\.override is not part of schema version/],
  ];
  for (const [what, sql, message] of foreign) {
    it(`refuses a backup whose database has ${what}, naming it, and leaves no data directory`, async () => {
      const name = what.replace(/\W+/g, '-');
      const crafted = await craft(backup, sql, path.join(root, `${name}.tar`));
      const target = path.join(root, `restored-${name}`);
      const r = await restore(crafted, target);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /altered outside Countersign/);
      assert.equal(fs.existsSync(target), false);
    });
  }
});
