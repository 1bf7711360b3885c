/**
 * A case's verification as every front-end shows it: the settings it is verified with, one
 * questioned document compared (recorded), and the newest result of every questioned
 * document or why it has none. Batch verification is core/verify/verify-case.ts, run as a job.
 */
import type { Store } from '../store/index.ts';
import type { Box, CaseStatus } from '../store/types.ts';
import { caseSignatures, type CaseSignature } from '../verify/case-data.ts';
import { caseVerificationSettings, type CaseVerificationSettings } from '../verify/case-settings.ts';
import { modelThreshold } from '../scoring/threshold.ts';
import { ComparisonRepository, type StoredComparison } from '../store/comparison-store.ts';
import { shortVerbal, verbalEquivalent, type VerbalEquivalent } from '../verify/verbal.ts';
import { compareDocument } from '../verify/verify-case.ts';

/** The figures a case is verified with now (the case's threshold, else the model's EER point). */
export interface VerifySettingsView {
  caseId: number;
  caseName: string;
  /** An archived case accepts no threshold change and no new comparison. */
  caseStatus: CaseStatus;
  threshold: number;
  thresholdSource: 'case' | 'model';
  /** The model's validation EER threshold (what "model default" means), when it has one. */
  modelThreshold: number | null;
  band: number;
  minReferences: number;
  model: { id: string; name: string; sha256: string; architecture: string; calibrated: boolean; eer: number | null };
}

export interface SignatureRef {
  signatureId: number;
  documentId: number;
  /** Original file, relative to the imported folder. */
  path: string;
  cropSha256: string | null;
  normalisedSha256: string | null;
  /** The signature box, pixels of the original page. */
  box: Box;
  /** The original file (the whole document, for context). */
  originalSha256: string;
  /**
   * The page the signature is on: size in pixels (null when unknown), its resolution in dpi
   * (null: unknown) and where that came from ('file', or 'entered' by the examiner on import),
   * and the page of a multi-page file.
   */
  page: { width: number | null; height: number | null; dpi: number | null; dpiSource: 'file' | 'entered' | null; index: number };
}

export interface CompareView {
  settings: VerifySettingsView;
  questioned: SignatureRef;
  subject: { id: number; name: string };
  /** The subject's known signatures, each with its distance to the questioned one. */
  references: (SignatureRef & { distance: number })[];
  /** The recorded comparison (reused when nothing it depends on changed). */
  comparison: StoredComparison;
  /** The ENFSI band of the recorded log10 LR (null when the model is uncalibrated), and a few words for it. */
  support: { short: string; scale: Pick<VerbalEquivalent, 'level' | 'favours' | 'phrase' | 'lrRange'> | null };
}

/** One questioned document in the batch table: its newest comparison, or why there is none. */
export interface ResultRow {
  documentId: number;
  path: string;
  signatureId: number | null;
  cropSha256: string | null;
  subject: { id: number; name: string } | null;
  comparison: StoredComparison | null;
  /** A few words for the recorded LR ('moderate support for genuine'), null without a comparison. */
  support: string | null;
  /** Why the document has no comparison yet (not verified, failed import, no claimed subject...). */
  pending: string | null;
}

export interface VerifyResults {
  settings: VerifySettingsView;
  rows: ResultRow[];
}

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

function signatureRef(x: CaseSignature): SignatureRef {
  return {
    signatureId: x.signatureId,
    documentId: x.documentId,
    path: x.documentPath,
    cropSha256: x.cropSha256,
    normalisedSha256: x.normalisedSha256,
    box: x.box,
    originalSha256: x.documentSha256,
    page: x.page,
  };
}

/** What the case is verified with now; nothing is pinned or recorded. */
export function verifySettings(store: Store, caseId: number): VerifySettingsView {
  return settingsView(caseVerificationSettings(store, caseId, { pin: false }));
}

/** One questioned document against its claimed subject's known signatures, recorded (or the recorded one reused). */
export async function compareView(store: Store, caseId: number, documentId: number): Promise<CompareView> {
  const item = await compareDocument(store, caseId, documentId);
  const settings = settingsView(caseVerificationSettings(store, caseId, { pin: false }));
  const q = caseSignatures(store, caseId).find((x) => x.signatureId === item.signatureId)!;
  const distance = new Map(item.comparison.distances.perReference.map((d) => [d.signatureId, d.distance]));
  return {
    settings,
    questioned: signatureRef(q),
    subject: { id: item.subjectId, name: item.subjectName },
    references: item.references.map((r) => ({ ...signatureRef(r), distance: distance.get(r.signatureId)! })),
    comparison: item.comparison,
    support: supportOf(item.comparison.llr),
  };
}

/** Every questioned document of the case (failed imports too) with its newest comparison, or why it has none. */
export function verificationResults(store: Store, caseId: number): VerifyResults {
  const settings = caseVerificationSettings(store, caseId, { pin: false });
  const latest = new Map(new ComparisonRepository(store).latestForCase(settings.case.id).map((c) => [c.questionedSignatureId, c]));
  const sigs = new Map(
    caseSignatures(store, settings.case.id)
      .filter((x) => x.role === 'questioned')
      .map((x) => [x.documentId, x]),
  );
  const rows: ResultRow[] = store.documents.questionedDocumentsOfCase(settings.case.id).map((d) => {
    const sig = sigs.get(d.id);
    const comparison = sig ? (latest.get(sig.signatureId) ?? null) : null;
    const pending =
      d.status === 'failed'
        ? `import failed: ${d.failureReason}`
        : !sig
          ? 'no signature found on the document'
          : sig.subjectId === null
            ? 'no claimed subject'
            : comparison
              ? null
              : 'not verified yet';
    return {
      documentId: d.id,
      path: d.originalPath,
      signatureId: sig?.signatureId ?? null,
      cropSha256: sig?.cropSha256 ?? null,
      // A document without a usable signature (a failed import) still has the subject it claims.
      subject:
        sig && sig.subjectId !== null
          ? { id: sig.subjectId, name: sig.subjectName ?? `subject #${sig.subjectId}` }
          : d.claimedSubjectId !== null
            ? { id: d.claimedSubjectId, name: d.claimedSubjectName ?? `subject #${d.claimedSubjectId}` }
            : null,
      comparison,
      support: comparison ? shortVerbal(comparison.llr) : null,
      pending,
    };
  });
  return { settings: settingsView(settings), rows };
}
