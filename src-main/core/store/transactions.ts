/**
 * Read transactions for use cases that must see one snapshot across several repository calls
 * (identify/search.ts: the embedding log, the index catch-up and every exemplar read). Writes
 * go through `store.write` instead, which takes the write lock up front and signs the head.
 */
import type { Store } from './store.ts';

/** Runs fn in one (deferred) transaction on the store's connection; nested calls are savepoints. fn must be synchronous. */
export function inReadTransaction<T>(store: Pick<Store, 'db'>, fn: () => T): T {
  return store.db.transaction(fn)();
}

/** Whether the store's connection is inside a transaction now. */
export function isInTransaction(store: Pick<Store, 'db'>): boolean {
  return store.db.inTransaction;
}
