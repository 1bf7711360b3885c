/**
 * Reports already made: handed out again and saved elsewhere. Only PDFs this data directory
 * recorded as reports (a 'report.create' audit row with their SHA-256) are handed out, never
 * other objects of the object store. Making a report is core/report/case-report.ts.
 */
import { AppError } from '../errors.ts';
import { writeAtomically } from '../report/case-report.ts';
import type { Store } from '../store/index.ts';

/** The bytes of a report created in this data directory; NOT_FOUND for any other SHA-256. */
export function storedReportPdf(store: Store, sha256: string): Buffer {
  if (!store.audit.recordsSha256('report.create', sha256)) {
    throw new AppError('NOT_FOUND', `report ${sha256}: no report with this SHA-256 was created in this data directory`);
  }
  return store.objects.get(sha256);
}

/**
 * Saves a copy of a stored report where `choosePath` says (asked only once the report is known
 * to exist; null: the examiner cancelled, nothing written) and audit-logs it as 'report.save'.
 */
export async function saveReportAs(store: Store, sha256: string, choosePath: () => Promise<string | null>): Promise<{ path: string | null }> {
  const pdf = storedReportPdf(store, sha256);
  const file = await choosePath();
  if (!file) return { path: null };
  writeAtomically(file, pdf);
  store.write(() => store.audit.append({ action: 'report.save', entity: `report:${sha256}`, details: { sha256, path: file } }));
  return { path: file };
}
