import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, openStore } from '../../../src-main/core/store/index.ts';
import { startFixture, tempDir } from './helpers.ts';

test('two processes writing one brand-new data directory at once: both succeed (or get BUSY), nothing is lost or corrupted', async () => {
  const root = tempDir();
  const dir = path.join(root, 'data');
  const go = path.join(root, 'go');
  const count = 40;
  const writers = ['a', 'b'].map((tag) => startFixture('concurrent-writer.ts', [dir, tag, String(count), go]));
  await Promise.all(writers.map((w) => w.waitFor((l) => l === 'ready')));
  fs.writeFileSync(go, '');
  const results = await Promise.all(writers.map((w) => w.exited));
  results.forEach((r, i) => assert.equal(r.code, 0, writers[i]?.stderr()));
  const summaries = writers.map((w) => JSON.parse(w.lines.at(-1) as string) as { created: string[]; busy: number; message?: string });
  for (const s of summaries) if (s.message) assert.match(s.message, /busy/);

  const store = openStore(dir);
  try {
    assert.deepEqual(store.integrityCheck(), { ok: true, problems: [] });
    assert.equal(store.schemaVersion(), LATEST_SCHEMA_VERSION);
    assert.equal(store.db.prepare(`SELECT count(*) FROM audit_log WHERE action = 'store.create'`).pluck().get(), 1, 'migrated once');
    const names = new Set(store.cases.list().map((c) => c.name));
    const created = summaries.flatMap((s) => s.created);
    for (const n of created) assert.ok(names.has(n), `${n} present`);
    const busy = summaries.reduce((n, s) => n + s.busy, 0);
    assert.equal(created.length + busy, 2 * count - summaries.filter((s) => s.message).length * (count - 1), 'every attempt either succeeded or reported BUSY');
    // A process that could not even open the store (BUSY past the timeout, said clearly) wrote nothing;
    // otherwise both wrote.
    const opened = summaries.filter((s) => !s.message).length;
    assert.ok(opened >= 1, 'at least one process opened the store');
    assert.ok(created.length > (opened - 1) * count, 'every process that opened the store wrote');
    const chain = store.audit.verify();
    assert.equal(chain.ok, true, JSON.stringify(chain));
    const actors = new Set(store.audit.list().map((r) => r.actor.replace(/^.*\(/, '(')));
    assert.deepEqual(actors, new Set(summaries.flatMap((s, i) => (s.message ? [] : [i === 0 ? '(app)' : '(cli)']))));
    assert.equal([...store.objects.list()].length, 5);
  } finally {
    store.close();
  }
});

test('a writer blocked past the busy timeout gets BUSY naming the database, and nothing is written', () => {
  const dir = tempDir();
  const store = openStore(dir, { busyTimeoutMs: 150 });
  const holder = new Database(store.dbPath);
  try {
    holder.exec('BEGIN IMMEDIATE');
    const before = store.db.prepare('SELECT count(*) FROM audit_log').pluck().get();
    assert.throws(
      () => store.cases.create({ name: 'Blocked' }),
      (err: { code?: string; message?: string }) => err.code === 'BUSY' && !!err.message?.includes(store.dbPath) && /another process/.test(err.message ?? ''),
    );
    holder.exec('ROLLBACK');
    assert.equal(store.db.prepare('SELECT count(*) FROM audit_log').pluck().get(), before);
    assert.equal(store.cases.find('Blocked'), undefined);
    assert.equal(store.cases.create({ name: 'Blocked' }).name, 'Blocked', 'works once the other writer is done');
  } finally {
    holder.close();
    store.close();
  }
});
