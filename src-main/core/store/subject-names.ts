/** Subjects' names by id, for the lists that show who a row is about (reports, identification results). */
import { statement } from './statements.ts';
import type { Store } from './store.ts';

/** A subject's name (undefined when there is no such subject). */
export function subjectName(store: Pick<Store, 'db'>, subjectId: number): string | undefined {
  return statement(store.db, 'SELECT name FROM subjects WHERE id = ?').pluck().get(subjectId) as string | undefined;
}
