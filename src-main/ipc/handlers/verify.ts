import { caseSignatures } from '../../core/verify/case-data.ts';
import { caseVerificationSettings, modelThreshold, type CaseVerificationSettings } from '../../core/verify/case-settings.ts';
import { ComparisonRepository } from '../../core/verify/comparisons.ts';
import { linkSeries } from '../../core/verify/series.ts';
import { verifyJson } from '../../core/verify/summary.ts';
import { shortVerbal, verbalEquivalent } from '../../core/verify/verbal.ts';
import { compareDocument, verifyCase } from '../../core/verify/verify-case.ts';
import type { CompareView, ResultRow, VerifySettingsView, verifyMethods } from '../methods/verify.ts';
import type { HandlersFor, Services } from './types.ts';

function settingsView(s: CaseVerificationSettings): VerifySettingsView {
  return {
    caseId: s.case.id,
    caseName: s.case.name,
    caseStatus: s.case.status,
    threshold: s.threshold,
    thresholdSource: s.thresholdSource,
    modelThreshold: modelThreshold(s.model),
    band: s.band,
    minReferences: s.minReferences,
    model: {
      id: s.model.id,
      name: s.model.name,
      sha256: s.model.sha256,
      architecture: s.model.architecture,
      calibrated: s.calibration !== null,
      eer: typeof s.model.metrics.eer === 'number' ? s.model.metrics.eer : null,
    },
  };
}

/** The recorded LR's place on the ENFSI scale, from the core's one definition of it. */
function supportOf(llr: number | null): CompareView['support'] {
  if (llr === null) return { short: shortVerbal(null), scale: null };
  const v = verbalEquivalent(llr);
  return { short: shortVerbal(llr), scale: { level: v.level, favours: v.favours, phrase: v.phrase, lrRange: v.lrRange } };
}

interface QuestionedDoc {
  id: number;
  original_path: string;
  status: string;
  failure_reason: string | null;
  claimed_subject_id: number | null;
  claimed_subject_name: string | null;
}

export function verifyHandlers(s: Services): HandlersFor<typeof verifyMethods> {
  const store = () => s.app.store;
  return {
    'verify.settings': ({ caseId }) => settingsView(caseVerificationSettings(store(), caseId, { pin: false })),
    'verify.compare': async ({ caseId, documentId }) => {
      const st = store();
      const item = await compareDocument(st, caseId, documentId);
      const settings = settingsView(caseVerificationSettings(st, caseId, { pin: false }));
      const q = caseSignatures(st, caseId).find((x) => x.signatureId === item.signatureId)!;
      const distance = new Map(item.comparison.distances.perReference.map((d) => [d.signatureId, d.distance]));
      const ref = (x: typeof q) => ({
        signatureId: x.signatureId,
        documentId: x.documentId,
        path: x.documentPath,
        cropSha256: x.cropSha256,
        normalisedSha256: x.normalisedSha256,
        box: x.box,
        originalSha256: x.documentSha256,
        page: x.page,
      });
      return {
        settings,
        questioned: ref(q),
        subject: { id: item.subjectId, name: item.subjectName },
        references: item.references.map((r) => ({ ...ref(r), distance: distance.get(r.signatureId)! })),
        comparison: item.comparison,
        support: supportOf(item.comparison.llr),
      };
    },
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
    'verify.results': ({ caseId }) => {
      const st = store();
      const settings = caseVerificationSettings(st, caseId, { pin: false });
      const latest = new Map(new ComparisonRepository(st).latestForCase(settings.case.id).map((c) => [c.questionedSignatureId, c]));
      const sigs = new Map(caseSignatures(st, settings.case.id).filter((x) => x.role === 'questioned').map((x) => [x.documentId, x]));
      const docs = st.db
        .prepare(
          `SELECT d.id, d.original_path, d.status, d.failure_reason, d.claimed_subject_id, s.name AS claimed_subject_name
           FROM documents d LEFT JOIN subjects s ON s.id = d.claimed_subject_id
           WHERE d.case_id = ? AND d.role = 'questioned' ORDER BY d.original_path, d.page_index`,
        )
        .all(settings.case.id) as QuestionedDoc[];
      const rows: ResultRow[] = docs.map((d) => {
        const sig = sigs.get(d.id);
        const comparison = sig ? (latest.get(sig.signatureId) ?? null) : null;
        const pending =
          d.status === 'failed'
            ? `import failed: ${d.failure_reason}`
            : !sig
              ? 'no signature found on the document'
              : sig.subjectId === null
                ? 'no claimed subject'
                : comparison
                  ? null
                  : 'not verified yet';
        return {
          documentId: d.id,
          path: d.original_path,
          signatureId: sig?.signatureId ?? null,
          cropSha256: sig?.cropSha256 ?? null,
          // A document without a usable signature (a failed import) still has the subject it claims.
          subject:
            sig && sig.subjectId !== null
              ? { id: sig.subjectId, name: sig.subjectName ?? `subject #${sig.subjectId}` }
              : d.claimed_subject_id !== null
                ? { id: d.claimed_subject_id, name: d.claimed_subject_name ?? `subject #${d.claimed_subject_id}` }
                : null,
          comparison,
          support: comparison ? shortVerbal(comparison.llr) : null,
          pending,
        };
      });
      return { settings: settingsView(settings), rows };
    },
  };
}
