/**
 * report.*: adapters over core/report (making a report) and core/app/report.ts (stored ones).
 * A stored report is handed out as the URL the front-end serves it at (ipc/object-requests.ts).
 */
import { saveReportAs, storedReportPdf } from '../../core/app/report.ts';
import { AppError } from '../../core/errors.ts';
import { createCaseReport } from '../../core/report/case-report.ts';
import type { reportMethods } from '../methods/report.ts';
import { objectUrl } from '../object-requests.ts';
import type { HandlersFor, Services } from './types.ts';

export function reportHandlers(s: Services): HandlersFor<typeof reportMethods> {
  return {
    'report.create': ({ caseId, laboratory }) => createCaseReport(s.app.store, caseId, laboratory ? { laboratory } : {}),
    'report.get': ({ sha256, fileName }) => {
      // Read (and its hash checked) so that a missing or damaged report is an error here, not a failed download.
      const pdf = storedReportPdf(s.app.store, sha256);
      return { fileName, bytes: pdf.length, url: objectUrl(s.transport, { sha256 }) };
    },
    'report.saveAs': ({ sha256, fileName }) => {
      const dialogs = s.dialogs;
      if (!dialogs) throw new AppError('UNSUPPORTED', 'save dialogs exist only in the desktop app; download the report instead');
      return saveReportAs(s.app.store, sha256, () => dialogs.chooseSavePath('Save the report', fileName));
    },
  };
}
