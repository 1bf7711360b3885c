/** library.*: the reference library (enrolment jobs, drawing writers into a case, withdrawal). */
import { AppError } from '../../core/errors.ts';
import { vectorSearchAvailability } from '../../core/identify/availability.ts';
import { drawFromLibrary, enrolFromCase, withdrawLibrarySubject } from '../../core/library/copy.ts';
import { enrolFiles } from '../../core/library/enrol.ts';
import { planEnrolWriters, type EnrolWritersSource } from '../../core/library/enrol-writers.ts';
import { LibraryRepository } from '../../core/store/library.ts';
import { getActiveModel } from '../../core/model/registry/registry.ts';
import type { libraryMethods } from '../methods/library.ts';
import type { HandlersFor, Services } from './types.ts';

export function libraryHandlers(s: Services): HandlersFor<typeof libraryMethods> {
  const store = () => s.app.store;
  // One enrolment per writer name at a time from this process.
  const enrolling = new Set<string>();
  // One enrolment of many writers at a time (a folder or a case's subjects).
  let enrollingWriters: string | null = null;
  const startWriters = (source: EnrolWritersSource, label: string) => {
    if (enrollingWriters) throw new AppError('BUSY', `writers are already being enrolled (${enrollingWriters}); wait for that job to finish or cancel it`);
    // A bad folder, manifest or case is refused at once, before a job is started.
    const plan = planEnrolWriters(store(), source);
    enrollingWriters = label;
    try {
      return s.jobs.start('library.enrolWriters', label, async (ctl) => {
        try {
          return await plan.run({ signal: ctl.signal, onProgress: (p) => ctl.progress(p.done, p.total, p.message, { ...p }) });
        } finally {
          enrollingWriters = null;
        }
      });
    } catch (err) {
      enrollingWriters = null;
      throw err;
    }
  };
  return {
    'library.list': ({ includeWithdrawn }) => {
      const model = getActiveModel(s.app.dataDir)?.id ?? null;
      return { model, subjects: new LibraryRepository(store()).list({ includeWithdrawn, modelId: model }), vectorSearch: vectorSearchAvailability() };
    },
    'library.enrol': ({ name, paths, notes }) => {
      const key = name.trim().toLowerCase();
      if (enrolling.has(key)) throw new AppError('BUSY', `'${name}' is already being enrolled; wait for that job to finish`);
      enrolling.add(key);
      try {
        return s.jobs.start('library.enrol', `Enrol '${name}' into the library`, async (ctl) => {
          try {
            return await enrolFiles(store(), { name, paths, notes: notes ?? null, signal: ctl.signal, onProgress: (d, t, f) => ctl.progress(d, t, f) });
          } finally {
            enrolling.delete(key);
          }
        });
      } catch (err) {
        enrolling.delete(key);
        throw err;
      }
    },
    'library.enrolFolder': ({ folder, name }) => startWriters({ kind: 'folder', path: folder, ...(name ? { name } : {}) }, `Enrol writers from ${folder}`),
    'library.enrolCase': ({ caseId, subjects }) => {
      const c = store().cases.get(caseId);
      return startWriters({ kind: 'case', caseRef: caseId, ...(subjects ? { subjects } : {}) }, `Enrol the subjects of '${c.name}'`);
    },
    'library.enrolFromCase': ({ caseId, subject, name }) => enrolFromCase(store(), { caseRef: caseId, subject, ...(name ? { name } : {}) }),
    'library.draw': ({ caseId, subjectId, name }) => drawFromLibrary(store(), { caseRef: caseId, subject: subjectId, ...(name ? { name } : {}) }),
    'library.remove': ({ subjectId, reason }) => withdrawLibrarySubject(store(), subjectId, reason),
  };
}
