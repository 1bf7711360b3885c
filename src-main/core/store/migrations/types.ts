import type { Db } from '../database.ts';

/**
 * One schema step. `up` runs inside the single transaction that applies every pending
 * migration, with foreign keys on: a migration that rebuilds a table sets
 * `PRAGMA defer_foreign_keys = ON` first. Migrations are never edited once released;
 * a change is a new numbered file.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}
