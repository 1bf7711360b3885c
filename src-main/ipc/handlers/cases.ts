/** cases.*: adapters over core/app/cases.ts and the store's case repository. */
import { caseAudit, caseById, caseDetail, createCase, listCases } from '../../core/app/cases.ts';
import type { casesMethods } from '../methods/cases.ts';
import type { HandlersFor, Services } from './types.ts';

export function casesHandlers(s: Services): HandlersFor<typeof casesMethods> {
  return {
    'cases.list': ({ search, includeArchived }) => listCases(s.app.store, { search, includeArchived }),
    'cases.create': (input) => createCase(s.app, input),
    'cases.get': ({ caseId }) => caseDetail(s.app.store, caseId),
    // The case id as a number reference (never read as a name), after checking it exists.
    'cases.setThreshold': ({ caseId, threshold, reason }) => s.app.store.cases.setThreshold(caseById(s.app.store, caseId).id, threshold, reason),
    'cases.archive': ({ caseId }) => s.app.store.cases.archive(caseById(s.app.store, caseId).id),
    'cases.audit': ({ caseId }) => caseAudit(s.app.store, caseId),
  };
}
