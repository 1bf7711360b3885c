// The installation key signs the audit chain's head at every write; a row appended with a
// correct hash by someone without the key is caught.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { auditRowHash } from '../../../src-main/core/store/audit.ts';
import { signedMessage, INSTALLATION_KEY_FILE } from '../../../src-main/core/store/installation-key.ts';
import { backupStore, openStore, restoreBackup, verifyStore } from '../../../src-main/core/store/index.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

/** Appends a row with a correctly chained hash through a plain connection, as a forger would. */
function forgeRow(dir: string, opts: { signWith?: ReturnType<typeof generateKeyPairSync> } = {}): number {
  const raw = new Database(path.join(dir, 'countersign.db'));
  const head = raw.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
  const row = {
    seq: head.seq + 1,
    at: new Date().toISOString(),
    actor: 'examiner@lab (cli)',
    action: 'case.threshold',
    case_id: 1,
    entity: 'case:1',
    details: '{"new":9,"old":0.4}',
    prev_hash: head.hash,
  };
  const hash = auditRowHash(row);
  raw
    .prepare('INSERT INTO audit_log (seq, at, actor, action, case_id, entity, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(row.seq, row.at, row.actor, row.action, row.case_id, row.entity, row.details, row.prev_hash, hash);
  if (opts.signWith) {
    const pub = opts.signWith.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
    const sig = sign(null, signedMessage(row.seq, hash), opts.signWith.privateKey).toString('base64');
    raw.prepare('INSERT INTO audit_signatures (seq, hash, public_key, signature, signed_at) VALUES (?, ?, ?, ?, ?)').run(row.seq, hash, pub, sig, row.at);
  }
  raw.close();
  return row.seq;
}

function storeWithCase(): string {
  const dir = tempDir();
  const store = openStore(dir);
  store.cases.create({ name: 'Case', threshold: 0.4 });
  store.close();
  return dir;
}

test('every write signs the head with an owner-only installation key; the chain verifies with it', () => {
  const dir = storeWithCase();
  assert.equal(fs.statSync(path.join(dir, INSTALLATION_KEY_FILE)).mode & 0o777, 0o600);
  const store = openStore(dir);
  try {
    store.cases.setThreshold('Case', 0.45, 'test');
    const r = verifyStore(store, { objects: false });
    assert.deepEqual(r.problems, []);
    assert.equal(r.signatures.headSigned, true);
    assert.equal(r.signatures.signatures, 3, 'store.create, case.create and case.threshold each ended a write');
    assert.deepEqual(
      r.signatures.keys.map((k) => [k.trust, k.fingerprint]),
      [['installation', store.installationKey.fingerprint]],
    );
    assert.match(store.installationKey.fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  } finally {
    store.close();
  }
});

test('a row appended with a correct hash but no signature is caught, and no write goes on top of it', () => {
  const dir = storeWithCase();
  const seq = forgeRow(dir);
  const store = openStore(dir);
  try {
    const r = verifyStore(store, { objects: false });
    assert.equal(r.chain.ok, true, 'the hash chain alone sees nothing');
    assert.equal(r.ok, false);
    assert.ok(
      r.problems.includes(`audit row ${seq}: rows ${seq}..${seq} are not signed by any key: they were added outside Countersign`),
      r.problems.join('\n'),
    );
    throwsCode(() => store.cases.create({ name: 'Next' }), 'INTEGRITY', `its last row #${seq} is not signed`);
    assert.equal(store.cases.find('Next'), undefined);
  } finally {
    store.close();
  }
});

test('a row signed with some other key is caught as signed by an unknown key', () => {
  const dir = storeWithCase();
  const seq = forgeRow(dir, { signWith: generateKeyPairSync('ed25519') });
  const store = openStore(dir);
  try {
    const r = verifyStore(store, { objects: false });
    assert.equal(r.ok, false);
    assert.match(
      r.problems.join('\n'),
      new RegExp(`audit row ${seq}: rows up to ${seq} were signed by key [0-9a-f ]+, which is neither this installation's nor one a trusted restore adopted`),
    );
  } finally {
    store.close();
  }
});

test('signatures removed with the trigger dropped leave the head unsigned: caught', () => {
  const dir = storeWithCase();
  const raw = new Database(path.join(dir, 'countersign.db'));
  raw.exec('DROP TRIGGER audit_signatures_no_delete; DELETE FROM audit_signatures;');
  raw.close();
  const store = openStore(dir);
  try {
    const r = verifyStore(store, { objects: false });
    assert.equal(r.ok, false);
    assert.match(r.problems.join('\n'), /rows 1\.\.2 are not signed by any key/);
    throwsCode(() => store.cases.create({ name: 'Next' }), 'INTEGRITY', 'the signatures were removed');
  } finally {
    store.close();
  }
});

test('a restored backup gets a new key that adopts the keys that signed it; a lost key file is replaced the same way', async () => {
  const root = tempDir();
  const source = openStore(path.join(root, 'source'));
  source.cases.create({ name: 'Case' });
  const original = source.installationKey;
  await backupStore(source, path.join(root, 'b.tar'));
  source.close();
  const r = await restoreBackup(path.join(root, 'b.tar'), path.join(root, 'restored'));
  assert.deepEqual(r.signedBy, [original]);
  const restored = openStore(path.join(root, 'restored'));
  try {
    assert.notEqual(restored.installationKey.publicKey, original.publicKey, 'a key never travels in a backup');
    const v = verifyStore(restored);
    assert.deepEqual(v.problems, []);
    assert.deepEqual(
      v.signatures.keys.map((k) => k.trust),
      ['adopted', 'installation'],
    );
    assert.deepEqual(restored.audit.list().at(-1)?.details.signingKeys, [original.publicKey]);
  } finally {
    restored.close();
  }
  fs.rmSync(path.join(root, 'restored', INSTALLATION_KEY_FILE));
  const again = openStore(path.join(root, 'restored'));
  try {
    assert.equal(again.audit.list().at(-1)?.action, 'store.key');
    assert.deepEqual(verifyStore(again).problems, []);
  } finally {
    again.close();
  }
});
