/**
 * Which writer-search libraries load on this machine: usearch (the HNSW writer index) and the
 * sqlite-vec extension. Apart from ann-index.ts and store/vector-index.ts (which use them) so that
 * `countersign doctor` and the settings can ask without loading the indexes, the store and
 * their schemas; everyone asks here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Usearch from 'usearch';
import { extensionPath, probeSqliteVec } from '../store/sqlite-vec.ts';

/** How a library identification searched: the HNSW index, the sqlite-vec index or the exact scan. */
export type SearchMethod = 'hnsw' | 'sqlite-vec' | 'exact';

export interface AnnAvailability {
  available: boolean;
  /** 'usearch 2.26.2' */
  library: string | null;
  /** Why the HNSW index is not used (sqlite-vec or the exact scan then). */
  reason: string | null;
}

type UsearchModule = typeof Usearch;
let loaded: { mod: UsearchModule; version: string } | { error: string } | undefined;

/** Loads usearch's prebuilt binary once per process; COUNTERSIGN_ANN=off turns the index off. */
export function annAvailability(): AnnAvailability {
  if (process.env.COUNTERSIGN_ANN === 'off') return { available: false, library: null, reason: 'turned off (COUNTERSIGN_ANN=off)' };
  if (!loaded) {
    try {
      const require = createRequire(import.meta.url);
      const mod = require('usearch') as UsearchModule;
      loaded = { mod, version: packageVersion(require.resolve('usearch')) };
    } catch (err) {
      loaded = {
        error: `usearch cannot be loaded on ${process.platform}-${process.arch} (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
      };
    }
  }
  return 'error' in loaded
    ? { available: false, library: null, reason: loaded.error }
    : { available: true, library: `usearch ${loaded.version}`, reason: null };
}

/** usearch's module where annAvailability() says it is used; undefined where it is not (turned off, or it does not load). */
export function loadedUsearch(): { mod: UsearchModule; version: string } | undefined {
  if (!annAvailability().available) return undefined;
  return loaded && !('error' in loaded) ? loaded : undefined;
}

/** The version in the package.json above a resolved entry file (usearch exports no ./package.json). */
function packageVersion(entry: string): string {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const f = path.join(dir, 'package.json');
    if (!existsSync(f)) continue;
    const p = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
    if (p.name === 'usearch' && p.version) return p.version;
  }
  return 'unknown';
}

export interface VecAvailability {
  available: boolean;
  version: string | null;
  /** Why vector search is not available (the exact scan is used instead). */
  reason: string | null;
}

const availability = new Map<string, VecAvailability>();

/** Whether the extension loads on this machine (checked once per process and path, on an in-memory database). */
export function vectorSearchAvailability(): VecAvailability {
  let where: string;
  try {
    where = extensionPath();
  } catch (err) {
    return {
      available: false,
      version: null,
      reason: `the sqlite-vec extension is not installed for this platform (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  const known = availability.get(where);
  if (known) return known;
  // The probe (loading the extension into an in-memory database and asking its version)
  // lives with the other SQL in core/store (store/sqlite-vec.ts).
  let found: VecAvailability;
  try {
    found = { available: true, version: probeSqliteVec(), reason: null };
  } catch (err) {
    found = { available: false, version: null, reason: `the sqlite-vec extension cannot be loaded (${err instanceof Error ? err.message : String(err)})` };
  }
  availability.set(where, found);
  return found;
}

export interface WriterSearchInfo {
  /** What a library identification uses here: the first of HNSW, sqlite-vec, exact scan that loads. */
  engine: SearchMethod;
  hnsw: AnnAvailability;
  sqliteVec: VecAvailability;
}

/** Which search library identifications use on this machine, and why not the better ones (doctor, settings). */
export function writerSearchInfo(): WriterSearchInfo {
  const hnsw = annAvailability();
  const sqliteVec = vectorSearchAvailability();
  return { engine: hnsw.available ? 'hnsw' : sqliteVec.available ? 'sqlite-vec' : 'exact', hnsw, sqliteVec };
}
