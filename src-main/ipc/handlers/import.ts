import { AppError } from '../../core/errors.ts';
import { importCaseFolder } from '../../core/imaging/import.ts';
import { planImport } from '../../core/imaging/case-folder.ts';
import type { importMethods } from '../methods/import.ts';
import type { HandlersFor, Services } from './types.ts';

export function importHandlers(s: Services): HandlersFor<typeof importMethods> {
  // One import per case at a time from this process: a second would only find the first's files.
  const running = new Map<number, string>();
  return {
    'import.start': async ({ caseId, folder, dpi }) => {
      const store = s.app.store;
      const c = store.cases.find(caseId);
      if (!c) throw new AppError('NOT_FOUND', `caseId: no case ${caseId}`);
      store.cases.requireWritable(c.id);
      const other = running.get(c.id);
      if (other) throw new AppError('BUSY', `case '${c.name}' is already being imported (job ${other}); wait for it to finish or cancel it`);
      // Walked before the job starts, so a wrong folder is refused here with the layout explained.
      const plan = await planImport(folder);
      const job = s.jobs.start('import', `Import ${plan.folder} into '${c.name}'`, async (ctl) => {
        try {
          return await importCaseFolder(store, {
            caseRef: c.id,
            folder: plan.folder,
            plan,
            ...(dpi !== undefined ? { assumedDpi: dpi } : {}),
            signal: ctl.signal,
            onProgress: (p) =>
              ctl.progress(p.done, p.total, p.current, { imported: p.imported, skipped: p.skipped, failed: p.failed, started: p.started ?? false }),
          });
        } finally {
          running.delete(c.id);
        }
      });
      running.set(c.id, job.jobId);
      return job;
    },
  };
}
