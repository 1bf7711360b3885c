import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { APP_VERSION } from '../paths.ts';
import { verifyAuditChain } from './audit.ts';
import { signingKeys } from './audit-signatures.ts';
import { fingerprintOf } from './installation-key.ts';
import { DB_FILE, toStoreError } from './database.ts';
import { assertSupportedVersion, schemaVersion } from './migrate.ts';
import { assertKnownSchema } from './schema.ts';
import { hashFile, ioError } from './objects.ts';
import { OBJECTS_DIR, openStore, type Store } from './store.ts';
import type { AuditHead, Client } from './types.ts';
import { checkJson, parseJsonText } from '../util/json-file.ts';
import { readTar, TarWriter } from '../util/tar.ts';

export const BACKUP_FORMAT = 'countersign-backup';
export const BACKUP_FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';
/** A manifest is a few hundred bytes; anything near this is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
const OBJECT_ENTRY = /^objects\/([0-9a-f]{2})\/([0-9a-f]{62})$/;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  createdAt: string;
  appVersion: string;
  actor: string;
  schemaVersion: number;
  database: { file: string; size: number; sha256: string };
  objects: { count: number; bytes: number };
  audit: { rows: number; head: AuditHead | null; verified: boolean };
}

export interface BackupSummary {
  file: string;
  size: number;
  sha256: string;
  manifest: BackupManifest;
}

export interface RestoreSummary {
  dataDir: string;
  manifest: BackupManifest;
  objects: number;
  auditRows: number;
  head: AuditHead | null;
  /** False only when the chain was already broken when the backup was made (restored as it was). */
  auditVerified: boolean;
  /** The installation keys that signed the restored chain (adopted by the backup.restore row). */
  signedBy: { publicKey: string; fingerprint: string }[];
}

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lower-case hex');

/** manifest.json as this version writes it (every field since format 1). */
const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int().positive(),
  createdAt: z.string(),
  appVersion: z.string(),
  actor: z.string(),
  schemaVersion: z.number().int().nonnegative(),
  database: z.object({ file: z.string(), size: count, sha256 }),
  objects: z.object({ count, bytes: count }),
  audit: z.object({ rows: count, head: z.object({ seq: count, hash: z.string() }).nullable(), verified: z.boolean() }),
});

/** The manifest, every field checked before any is used; a bad one names the field. */
function parseManifest(bytes: Buffer, file: string): BackupManifest {
  const where = `${file}: ${MANIFEST}`;
  const m = parseJsonText(bytes.toString('utf8'), where) as { format?: unknown; formatVersion?: unknown; appVersion?: unknown } | null;
  if (!m || typeof m !== 'object' || m.format !== BACKUP_FORMAT) throw new AppError('INTEGRITY', `${file}: not a Countersign backup`);
  if (typeof m.formatVersion === 'number' && m.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new AppError(
      'VERSION',
      `${file}: backup format ${m.formatVersion} was written by Countersign ${String(m.appVersion)}; this Countersign ${APP_VERSION} reads format ${BACKUP_FORMAT_VERSION}`,
    );
  }
  return checkJson(manifestSchema, m, where);
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await fsp.open(dir, 'r');
    await fh.sync().finally(() => fh.close());
  } catch {
    /* not supported on every platform */
  }
}

/**
 * Writes a consistent online backup into one ustar file: manifest.json, the database (a
 * SQLite online-backup snapshot, so the app may keep writing meanwhile) and every object,
 * re-verified on the way. The archive is written beside its destination and renamed into
 * place; an existing file is never replaced. The backup is recorded in the audit log.
 */
export async function backupStore(store: Store, file: string): Promise<BackupSummary> {
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new AppError('CONFLICT', `${file}: already exists; a backup never replaces a file`);
  const dir = path.dirname(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const snapshot = path.join(dir, `.${path.basename(target)}.${tag}.db`);
  const partial = path.join(dir, `.${path.basename(target)}.${tag}.partial`);
  let writer: TarWriter | undefined;
  try {
    // Objects are stored before the rows that name them and never deleted, so listing them
    // after the snapshot finds every object the snapshot refers to.
    try {
      // Made owner-only before SQLite writes the snapshot into it.
      await (await fsp.open(snapshot, 'wx', 0o600)).close();
      await store.db.backup(snapshot);
    } catch (err) {
      throw ioError(toStoreError(err, snapshot), snapshot);
    }
    const snap = new Database(snapshot);
    let info: { schemaVersion: number; rows: number; head: AuditHead | null; verified: boolean };
    try {
      snap.pragma('journal_mode = DELETE'); // one self-contained file in the archive
      const check = verifyAuditChain(snap);
      info = {
        schemaVersion: schemaVersion(snap),
        rows: check.rows,
        head: check.ok ? check.head : null,
        verified: check.ok,
      };
    } finally {
      snap.close();
    }
    const objects = [...store.objects.list()];
    let bytes = 0;
    for (const sha of objects) bytes += fs.statSync(store.objects.path(sha)).size;
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      appVersion: APP_VERSION,
      actor: store.actor,
      schemaVersion: info.schemaVersion,
      database: { file: DB_FILE, size: fs.statSync(snapshot).size, sha256: hashFile(snapshot) },
      objects: { count: objects.length, bytes },
      audit: { rows: info.rows, head: info.head, verified: info.verified },
    };

    writer = await TarWriter.create(partial);
    await writer.addBuffer(MANIFEST, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    await writer.addFile(DB_FILE, snapshot);
    for (const sha of objects) {
      const hash = createHash('sha256');
      await writer.addFile(`${OBJECTS_DIR}/${sha.slice(0, 2)}/${sha.slice(2)}`, store.objects.path(sha), {
        mode: 0o400,
        onChunk: (c) => hash.update(c),
      });
      const actual = hash.digest('hex');
      if (actual !== sha) throw new AppError('INTEGRITY', `object ${sha} is corrupt (its content hashes to ${actual}); backup abandoned`);
    }
    const { size, sha256 } = await writer.finish();
    writer = undefined;
    // link() refuses to replace a file that appeared meanwhile.
    await fsp.link(partial, target);
    await fsyncDir(dir);
    store.audit.append({
      action: 'backup.create',
      details: { file: target, size, sha256, schemaVersion: manifest.schemaVersion, objects: objects.length, auditHead: manifest.audit.head },
    });
    return { file: target, size, sha256, manifest };
  } catch (err) {
    await writer?.abort();
    throw ioError(err, target);
  } finally {
    await fsp.rm(partial, { force: true });
    for (const f of [snapshot, `${snapshot}-wal`, `${snapshot}-shm`, `${snapshot}-journal`]) await fsp.rm(f, { force: true });
  }
}

async function writeEntry(dest: string, data: AsyncIterable<Buffer>, mode: number): Promise<string> {
  const hash = createHash('sha256');
  const fh = await fsp.open(dest, 'wx', mode);
  try {
    for await (const chunk of data) {
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

function isEmptyDir(dir: string): boolean {
  const st = fs.statSync(dir);
  if (!st.isDirectory()) throw new AppError('CONFLICT', `--data-dir ${dir}: exists and is not a directory`);
  return fs.readdirSync(dir).length === 0;
}

/** Checks an extracted, not yet migrated data directory: database, audit chain, references. */
function checkRestoredDatabase(staging: string, manifest: BackupManifest, file: string): { rows: number; head: AuditHead | null; verified: boolean } {
  const dbPath = path.join(staging, DB_FILE);
  const db = new Database(dbPath);
  try {
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).filter((m) => m !== 'ok');
    if (problems.length) throw new AppError('INTEGRITY', `${file}: the database in the backup fails its integrity check: ${problems.slice(0, 3).join('; ')}`);
    assertSupportedVersion(db, file);
    // Before anything reads the rows: a trigger or view the migrations did not make could
    // rewrite every later result (a missing trigger is re-created when the store opens).
    assertKnownSchema(db, schemaVersion(db), `${file} (backup database)`, { allowMissing: true });
    const check = verifyAuditChain(db, manifest.audit.head ? { anchor: manifest.audit.head } : {});
    if (!check.ok && manifest.audit.verified) {
      throw new AppError('INTEGRITY', `${file}: the audit chain in the backup is broken at row ${check.brokenAt}: ${check.reason}`, {
        brokenAt: check.brokenAt,
      });
    }
    const referenced = db
      .prepare(
        `SELECT sha256 AS sha FROM documents
         UNION SELECT crop_sha256 FROM signatures WHERE crop_sha256 IS NOT NULL
         UNION SELECT normalised_sha256 FROM signatures WHERE normalised_sha256 IS NOT NULL`,
      )
      .pluck()
      .all() as string[];
    for (const sha of referenced) {
      if (!fs.existsSync(path.join(staging, OBJECTS_DIR, sha.slice(0, 2), sha.slice(2)))) {
        throw new AppError('INTEGRITY', `${file}: object ${sha}, referenced by the database, is missing from the backup`);
      }
    }
    return check.ok ? { rows: check.rows, head: check.head, verified: true } : { rows: check.rows, head: null, verified: false };
  } finally {
    db.close();
  }
}

/**
 * Restores a backup into a new or empty data directory. Everything is extracted into a
 * hidden sibling directory and checked there (every object's hash, the database's hash and
 * integrity, the audit chain against the head recorded at backup time, every referenced
 * object present); only then is it renamed into place, so a failed restore leaves nothing.
 * The restored store is then opened (migrating an older schema) and the restore audited.
 */
export async function restoreBackup(file: string, dataDir: string, opts: { client?: Client } = {}): Promise<RestoreSummary> {
  const source = path.resolve(file);
  const target = path.resolve(dataDir);
  if (!fs.existsSync(source)) throw new AppError('NOT_FOUND', `${file}: no such backup file`);
  const targetExists = fs.existsSync(target);
  if (targetExists && !isEmptyDir(target)) {
    throw new AppError('CONFLICT', `--data-dir ${target}: the directory is not empty; restore only into a new or empty directory`);
  }
  const staging = path.join(path.dirname(target), `.${path.basename(target)}.restore-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await fsp.mkdir(staging, { mode: 0o700 });
    await fsp.mkdir(path.join(staging, OBJECTS_DIR), { recursive: true, mode: 0o700 });
    let manifest: BackupManifest | undefined;
    let objects = 0;
    let sawDb = false;
    let objectBytes = 0;
    // Sizes are checked from each header before its data is read: a hostile archive (a sparse
    // file, a manifest of hundreds of megabytes) is refused at once, in bounded memory.
    await readTar(
      source,
      async (entry, data) => {
        if (!manifest) {
          if (entry.name !== MANIFEST) throw new AppError('INTEGRITY', `${file}: not a Countersign backup (first entry is ${entry.name})`);
          if (entry.size > MAX_MANIFEST_BYTES) {
            throw new AppError(
              'INTEGRITY',
              `${file}: ${MANIFEST} is ${entry.size} bytes; a backup manifest is at most ${MAX_MANIFEST_BYTES}; nothing was read`,
            );
          }
          const chunks: Buffer[] = [];
          for await (const c of data) chunks.push(c);
          manifest = parseManifest(Buffer.concat(chunks), file);
          return;
        }
        if (entry.name === DB_FILE && !sawDb) {
          sawDb = true;
          if (entry.size !== manifest.database.size) {
            throw new AppError(
              'INTEGRITY',
              `${file}: the database entry is ${entry.size} bytes, the manifest records ${manifest.database.size}; nothing was read`,
            );
          }
          const sha = await writeEntry(path.join(staging, DB_FILE), data, 0o600);
          if (sha !== manifest.database.sha256)
            throw new AppError('INTEGRITY', `${file}: the database in the backup is corrupt (hash ${sha}, recorded ${manifest.database.sha256})`);
          return;
        }
        const m = OBJECT_ENTRY.exec(entry.name);
        if (!m) throw new AppError('INTEGRITY', `${file}: unexpected entry ${entry.name}`);
        objectBytes += entry.size;
        if (objects + 1 > manifest.objects.count || objectBytes > manifest.objects.bytes) {
          throw new AppError(
            'INTEGRITY',
            `${file}: the archive holds more objects than its manifest records (${manifest.objects.count} objects, ${manifest.objects.bytes} bytes); nothing more was read`,
          );
        }
        const sha = `${m[1]}${m[2]}`;
        const dir = path.join(staging, OBJECTS_DIR, m[1] as string);
        await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
        const actual = await writeEntry(path.join(dir, m[2] as string), data, 0o400);
        if (actual !== sha) throw new AppError('INTEGRITY', `${file}: object ${sha} in the backup is corrupt (its content hashes to ${actual})`);
        objects++;
      },
      { what: 'backup' },
    );
    if (!manifest) throw new AppError('INTEGRITY', `${file}: empty archive`);
    if (!sawDb) throw new AppError('INTEGRITY', `${file}: the backup holds no database`);
    if (objects !== manifest.objects.count) {
      throw new AppError('INTEGRITY', `${file}: the backup is incomplete: ${objects} of ${manifest.objects.count} objects`);
    }
    const checked = checkRestoredDatabase(staging, manifest, file);
    if (targetExists) await fsp.rmdir(target);
    await fsp.rename(staging, target);
    await fsyncDir(path.dirname(target));

    const store = openStore(target, { client: opts.client, deferKeyAdoption: true });
    let keys: string[];
    try {
      // The restored rows were signed by the key of the installation that made the backup
      // (a key never travels in a backup); this row, signed with the new directory's key,
      // adopts them. Compare their fingerprints with the ones that installation shows.
      keys = signingKeys(store.db);
      store.audit.append({
        action: 'backup.restore',
        details: {
          file: source,
          createdAt: manifest.createdAt,
          appVersion: manifest.appVersion,
          auditHead: checked.head,
          objects,
          signingKeys: keys,
          signingFingerprints: keys.map(fingerprintOf),
        },
      });
    } finally {
      store.close();
    }
    return {
      dataDir: target,
      manifest,
      objects,
      auditRows: checked.rows,
      head: checked.head,
      auditVerified: checked.verified,
      signedBy: keys.map((k) => ({ publicKey: k, fingerprint: fingerprintOf(k) })),
    };
  } catch (err) {
    await fsp.rm(staging, { recursive: true, force: true });
    if (err instanceof SyntaxError) throw new AppError('INTEGRITY', `${file}: the backup manifest is not valid JSON`);
    throw ioError(err, source);
  }
}
