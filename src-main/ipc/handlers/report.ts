import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../core/errors.ts';
import { createCaseReport } from '../../core/report/case-report.ts';
import type { reportMethods } from '../methods/report.ts';
import type { HandlersFor, Services } from './types.ts';

/** Only report PDFs are handed out through these methods, never other objects. */
function reportPdf(s: Services, sha256: string): Buffer {
  const st = s.app.store;
  const logged = st.db.prepare("SELECT 1 FROM audit_log WHERE action = 'report.create' AND json_extract(details, '$.sha256') = ?").get(sha256);
  if (!logged) throw new AppError('NOT_FOUND', `report ${sha256}: no report with this SHA-256 was created in this data directory`);
  return st.objects.get(sha256);
}

export function reportHandlers(s: Services): HandlersFor<typeof reportMethods> {
  return {
    'report.create': ({ caseId, laboratory }) => createCaseReport(s.app.store, caseId, laboratory ? { laboratory } : {}),
    'report.get': ({ sha256, fileName }) => {
      const pdf = reportPdf(s, sha256);
      return { fileName, bytes: pdf.length, dataUrl: `data:application/pdf;base64,${pdf.toString('base64')}` };
    },
    'report.saveAs': async ({ sha256, fileName }) => {
      if (!s.dialogs) throw new AppError('UNSUPPORTED', 'save dialogs exist only in the desktop app; download the report instead');
      const pdf = reportPdf(s, sha256);
      const file = await s.dialogs.chooseSavePath('Save the report', fileName);
      if (!file) return { path: null };
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(tmp, pdf);
        renameSync(tmp, file);
      } catch (err) {
        throw new AppError('IO', `${file}: cannot write the report (${(err as Error).message})`);
      }
      s.app.store.write(() => s.app.store.audit.append({ action: 'report.save', entity: `report:${sha256}`, details: { sha256, path: file } }));
      return { path: file };
    },
  };
}
