/**
 * The sqlite-vec extension in a SQLite connection: where its binary is, loading it, and the
 * probe identify/availability.ts runs to say whether it loads on this machine (doctor,
 * settings). Imports neither the store nor its schema, so asking costs only the extension.
 */
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';

/**
 * Where the loadable extension is: COUNTERSIGN_SQLITE_VEC overrides the npm package's prebuilt
 * binary. In a packaged app the binary is unpacked beside the asar archive (electron-builder
 * asarUnpack), because SQLite loads extensions from real files only.
 */
export function extensionPath(): string {
  return process.env.COUNTERSIGN_SQLITE_VEC || sqliteVec.getLoadablePath().replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

/** Loads the sqlite-vec extension into a database; its version. */
export function loadInto(db: Database.Database): string {
  db.loadExtension(extensionPath());
  return db.prepare('SELECT vec_version()').pluck().get() as string;
}

/** Loads the extension into a throwaway in-memory database: its version, or the loader's error thrown. */
export function probeSqliteVec(): string {
  const db = new Database(':memory:');
  try {
    return loadInto(db);
  } finally {
    db.close();
  }
}
