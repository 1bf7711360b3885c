/** verify.*: adapters over core/app/verify.ts, core/verify (series) and the batch as a job. */
import { compareView, verificationResults, verifySettings } from '../../core/app/verify.ts';
import { linkSeries } from '../../core/verify/series.ts';
import { verifyJson } from '../../core/verify/summary.ts';
import { verifyCase } from '../../core/verify/verify-case.ts';
import type { verifyMethods } from '../methods/verify.ts';
import type { HandlersFor, Services } from './types.ts';

export function verifyHandlers(s: Services): HandlersFor<typeof verifyMethods> {
  const store = () => s.app.store;
  return {
    'verify.settings': ({ caseId }) => verifySettings(store(), caseId),
    'verify.compare': ({ caseId, documentId }) => compareView(store(), caseId, documentId),
    'verify.series': ({ caseId, cut }) => linkSeries(store(), caseId, cut !== undefined ? { cut } : {}),
    'verify.batch': ({ caseId, documentIds }) => {
      const c = store().cases.requireWritable(caseId);
      return s.jobs.start('verify', `Verify case "${c.name}"`, async (ctl) => {
        const r = await verifyCase(store(), c.id, {
          ...(documentIds ? { documentIds } : {}),
          signal: ctl.signal,
          onProgress: (p) => ctl.progress(p.done, p.total, p.message ?? (p.stage === 'embed' ? 'embedding signatures' : 'comparing'), { stage: p.stage }),
        });
        return verifyJson(r);
      });
    },
    'verify.results': ({ caseId }) => verificationResults(store(), caseId),
  };
}
