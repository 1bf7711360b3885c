/**
 * Everything `countersign audit verify` checks, in one place: the hash chain, the installation
 * key's signatures of it, the rows that carry conclusions against the hashes the chain
 * recorded, and the bytes of every object against its name. Reports run the same checks on
 * the case they describe and refuse a case that fails them.
 */
import { AppError } from '../errors.ts';
import type { AuditVerifyOptions } from './audit.ts';
import { verifyAuditSignatures, type SignatureVerifyResult } from './audit-signatures.ts';
import type { Store } from './store.ts';
import type { AuditVerifyResult } from './types.ts';
import { describeBindingProblem, verifyRowBindings, type BindingVerifyResult } from './verify-bindings.ts';

export interface ObjectVerifyResult {
  checked: number;
  problems: string[];
}

export interface IntegrityReport {
  ok: boolean;
  chain: AuditVerifyResult;
  signatures: SignatureVerifyResult;
  rowBindings: BindingVerifyResult;
  objects: ObjectVerifyResult | null;
  /** Every failure, one line each, naming the row, signature or object. */
  problems: string[];
}

/** Objects the database refers to: all of them, or those of one case. */
function referencedObjects(store: Store, caseId?: number): string[] {
  const where = caseId === undefined ? '' : 'WHERE d.case_id = @c';
  const sql = `SELECT d.sha256 FROM documents d ${where}
    UNION SELECT s.crop_sha256 FROM signatures s JOIN documents d ON d.id = s.document_id ${where} ${where ? 'AND' : 'WHERE'} s.crop_sha256 IS NOT NULL
    UNION SELECT s.normalised_sha256 FROM signatures s JOIN documents d ON d.id = s.document_id ${where} ${where ? 'AND' : 'WHERE'} s.normalised_sha256 IS NOT NULL`;
  const stmt = store.db.prepare(sql).pluck();
  return (caseId === undefined ? stmt.all() : stmt.all({ c: caseId })) as string[];
}

/** Re-hashes every stored object (or a case's), and checks every object the database names is there. */
export function verifyObjects(store: Store, caseId?: number): ObjectVerifyResult {
  const referenced = referencedObjects(store, caseId);
  const shas = new Set(caseId === undefined ? [...store.objects.list(), ...referenced] : referenced);
  const problems: string[] = [];
  for (const sha of [...shas].sort()) {
    try {
      store.objects.verify(sha);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { checked: shas.size, problems };
}

export function verifyStore(store: Store, opts: AuditVerifyOptions & { objects?: boolean } = {}): IntegrityReport {
  const chain = store.audit.verify(opts);
  const signatures = verifyAuditSignatures(store.db, store.installationKey);
  const rowBindings = verifyRowBindings(store.db, opts.caseId === undefined ? {} : { caseId: opts.caseId });
  const objects = opts.objects === false ? null : verifyObjects(store, opts.caseId);
  const problems = [
    ...(chain.ok ? [] : [`audit row ${chain.brokenAt}: ${chain.reason}`]),
    ...signatures.problems.map((p) => `audit row ${p.seq}: ${p.reason}`),
    ...rowBindings.problems.map(describeBindingProblem),
    ...(objects?.problems ?? []),
  ];
  return { ok: problems.length === 0, chain, signatures, rowBindings, objects, problems };
}

/**
 * Refuses (INTEGRITY) a case whose recorded data does not match its audit chain, naming the
 * first row at fault: nothing that leaves the lab may rest on a row edited outside Countersign.
 */
export function assertCaseIntegrity(store: Store, caseId: number, caseName: string): void {
  const report = verifyStore(store, { caseId, objects: false });
  if (report.ok) return;
  const more = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more problem${report.problems.length > 2 ? 's' : ''})` : '';
  throw new AppError(
    'INTEGRITY',
    `case '${caseName}': its data does not match its audit chain: ${report.problems[0]}${more}. Nothing was produced; run \`countersign audit verify --case ${caseId}\``,
    { problems: report.problems },
  );
}
