/**
 * What the Batch view remembers per case while the examiner moves around the app: the
 * verification job started from it, the table's filters and sort, and the last report made.
 */
import type { CaseReportResult, Decision } from '../../../src-main/ipc/contract.ts';

export type DecisionFilter = 'all' | Decision | 'unverified';
export type SortKey = 'document' | 'subject' | 'distance' | 'llr' | 'decision' | 'warnings';

export interface BatchCaseState {
  jobId: string | null;
  filter: DecisionFilter;
  warningsOnly: boolean;
  search: string;
  sort: { key: SortKey; dir: 1 | -1 };
  report: (CaseReportResult & { savedTo?: string | null; downloadUrl?: string }) | null;
}

// A plain map of reactive objects: looking one up (even creating it) never writes to state a view reads.
const states = new Map<number, BatchCaseState>();

export function batchState(caseId: number): BatchCaseState {
  let s = states.get(caseId);
  if (!s) {
    const fresh = $state<BatchCaseState>({ jobId: null, filter: 'all', warningsOnly: false, search: '', sort: { key: 'document', dir: 1 }, report: null });
    s = fresh;
    states.set(caseId, s);
  }
  return s;
}
