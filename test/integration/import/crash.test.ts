// SIGKILL of a real `countersign import` in the middle of the work, then the same import
// again: it completes, nothing is there twice, the audit chain and the database verify.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../../src-main/core/store/index.ts';
import { generateCase } from '../../../src-main/core/synth/index.ts';
import { BIN, ROOT, cli, lastJson } from '../../helpers/cli.ts';
import { tempDir } from '../store/helpers.ts';

test('an import killed with SIGKILL and run again completes with no duplicates and a valid audit chain', async () => {
  const root = tempDir('cs-import-kill-');
  const data = path.join(root, 'data');
  const folder = path.join(root, 'case');
  const summary = await generateCase(folder, { subjects: 3, known: 2, questioned: 4, seed: 61 });
  const files = summary.known + summary.questioned;
  assert.equal(cli(['--data-dir', data, 'case', 'create', 'Killed']).status, 0);

  // Without a terminal the command prints one line per file once its rows are committed.
  const child = spawn(process.execPath, [BIN, '--data-dir', data, 'import', folder, '--case', 'Killed'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let committed = 0;
  const killed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    committed = out.split('\n').filter((l) => l.startsWith('imported ')).length;
    if (committed >= 4 && child.exitCode === null) child.kill('SIGKILL');
  });
  assert.equal(await killed, 'SIGKILL', `killed mid-import (output: ${out})`);
  assert.ok(committed < files, 'killed before the end');

  const store = openStore(data);
  try {
    assert.deepEqual(store.integrityCheck(), { ok: true, problems: [] });
    assert.equal(store.audit.verify().ok, true);
    const docs = store.db.prepare('SELECT count(*) FROM documents').pluck().get() as number;
    assert.ok(docs >= committed && docs < files, `${docs} documents after the kill (${committed} reported)`);
  } finally {
    store.close();
  }

  const again = cli(['--data-dir', data, 'import', folder, '--case', 'Killed', '--json']);
  assert.equal(again.status, 0, again.stderr);
  const r = lastJson<{ totals: { files: number; imported: number; skipped: number; failed: number } }>(again);
  assert.equal(r.totals.files, files);
  assert.equal(r.totals.failed, 0);
  assert.equal(r.totals.imported + r.totals.skipped, files);
  assert.ok(r.totals.skipped >= committed);

  const verify = cli(['--data-dir', data, 'audit', 'verify', '--json']);
  assert.equal(verify.status, 0, verify.stdout);
  assert.equal(lastJson<{ ok: boolean }>(verify).ok, true);
  const check = openStore(data);
  try {
    assert.deepEqual(check.integrityCheck(), { ok: true, problems: [] });
    const q = (sql: string) => check.db.prepare(sql).pluck().get() as number;
    assert.equal(q('SELECT count(*) FROM documents'), files);
    assert.equal(q('SELECT count(DISTINCT sha256) FROM documents'), files, 'no original twice');
    assert.equal(q('SELECT count(*) FROM signatures'), files, 'one signature per document');
    assert.equal(q("SELECT count(*) FROM audit_log WHERE action = 'document.import'"), files);
    assert.equal(q("SELECT count(*) FROM audit_log WHERE action = 'import.start'"), 2);
    assert.equal(q("SELECT count(*) FROM audit_log WHERE action = 'import.finish'"), 1, 'the killed run never finished');
  } finally {
    check.close();
  }
});
