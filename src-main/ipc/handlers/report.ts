/** report.*: adapters over core/report (making a report) and core/app/report.ts (stored ones). */
import { saveReportAs, storedReportPdf } from '../../core/app/report.ts';
import { AppError } from '../../core/errors.ts';
import { createCaseReport } from '../../core/report/case-report.ts';
import type { reportMethods } from '../methods/report.ts';
import type { HandlersFor, Services } from './types.ts';

export function reportHandlers(s: Services): HandlersFor<typeof reportMethods> {
  return {
    'report.create': ({ caseId, laboratory }) => createCaseReport(s.app.store, caseId, laboratory ? { laboratory } : {}),
    'report.get': ({ sha256, fileName }) => {
      const pdf = storedReportPdf(s.app.store, sha256);
      return { fileName, bytes: pdf.length, dataUrl: `data:application/pdf;base64,${pdf.toString('base64')}` };
    },
    'report.saveAs': ({ sha256, fileName }) => {
      const dialogs = s.dialogs;
      if (!dialogs) throw new AppError('UNSUPPORTED', 'save dialogs exist only in the desktop app; download the report instead');
      return saveReportAs(s.app.store, sha256, () => dialogs.chooseSavePath('Save the report', fileName));
    },
  };
}
