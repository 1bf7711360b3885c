/**
 * Prepared statements kept per connection, so a repository function called once per row (an
 * embedding looked up, a row inserted in a loop) prepares its SQL once, as a statement held in
 * a class field would, while staying a plain function of the store.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.ts';

const cache = new WeakMap<Db, Map<string, Database.Statement>>();

/** `db.prepare(sql)`, prepared once per connection and SQL text. */
export function statement(db: Db, sql: string): Database.Statement {
  let byText = cache.get(db);
  if (!byText) cache.set(db, (byText = new Map()));
  let stmt = byText.get(sql);
  if (!stmt) byText.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}
