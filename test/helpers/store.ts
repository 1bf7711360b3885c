import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { after } from 'node:test';
import { AuditLog } from '../../src-main/core/store/audit.ts';
import { migrate } from '../../src-main/core/store/migrate.ts';
import type { Db } from '../../src-main/core/store/index.ts';

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(prefix = 'cs-store-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A migrated :memory: database with an audit log over it. */
export function memoryDb(): { db: Db; audit: AuditLog; write: <T>(fn: () => T) => T } {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, ':memory:');
  const write = <T>(fn: () => T): T => db.transaction(fn).immediate();
  return { db, audit: new AuditLog(db, 'tester@host (cli)', write, ':memory:'), write };
}

/** Asserts fn throws an AppError with this code whose message contains every fragment. */
export function throwsCode(fn: () => unknown, code: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  checkCaught(caught, code, fragments);
}

/** Asserts the promise rejects with an AppError with this code whose message contains every fragment. */
export async function rejectsCode(p: Promise<unknown>, code: string, ...fragments: string[]): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  checkCaught(caught, code, fragments);
}

function checkCaught(caught: unknown, code: string, fragments: string[]): void {
  if (!caught) throw new Error(`expected an AppError ${code}, nothing was thrown`);
  const e = caught as { code?: string; message?: string; name?: string };
  if (e.name !== 'AppError' || e.code !== code) throw new Error(`expected AppError ${code}, got ${e.name} ${e.code}: ${e.message}`);
  for (const f of fragments) {
    if (!e.message?.includes(f)) throw new Error(`expected the message to contain '${f}': ${e.message}`);
  }
}
