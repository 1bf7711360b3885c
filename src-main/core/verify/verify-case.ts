/**
 * Verification of a case's questioned signatures against the known signatures of the subject
 * each claims to be from: embeddings (computed once per signature and model, in worker
 * threads), the comparison (compare.ts), and a stored, audit-logged comparison row.
 *
 * `verifyCase` is the batch job (progress, cancel: comparisons finished before the cancel stay,
 * each in its own transaction); `compareDocument` is one questioned document for the compare
 * view, which reuses the newest stored comparison when nothing it depends on has changed.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { throwIfCancelled } from '../jobs/manager.ts';
import { ensureEmbeddings } from '../model/embedding/embeddings.ts';
import { APP_VERSION } from '../paths.ts';
import type { Store } from '../store/index.ts';
import { caseSignatures, type CaseSignature } from './case-data.ts';
import { caseVerificationSettings, type CaseVerificationSettings } from './case-settings.ts';
import { compareSignature, type SignatureInput } from './compare.ts';
import { ComparisonRepository, type StoredComparison } from '../store/comparison-store.ts';
import { defaultPropositions } from './verbal.ts';

export interface VerifiedItem {
  documentId: number;
  documentPath: string;
  signatureId: number;
  subjectId: number;
  subjectName: string;
  references: CaseSignature[];
  comparison: StoredComparison;
}

export interface SkippedItem {
  documentId: number;
  documentPath: string;
  reason: string;
}

export interface VerifyCaseResult {
  caseId: number;
  caseName: string;
  batchId: string;
  model: { id: string; name: string; sha256: string; calibrated: boolean };
  threshold: number;
  thresholdSource: 'case' | 'model';
  band: number;
  items: VerifiedItem[];
  skipped: SkippedItem[];
  cancelled: boolean;
}

export interface VerifyProgress {
  stage: 'embed' | 'compare';
  done: number;
  total: number;
  message?: string;
}

export interface VerifyCaseOptions {
  /** Only these questioned documents (default: every ready questioned document). */
  documentIds?: readonly number[];
  signal?: AbortSignal;
  onProgress?: (p: VerifyProgress) => void;
  /** Embedding workers (default: the pool's choice). */
  workers?: number;
}

interface Plan {
  settings: CaseVerificationSettings;
  work: { q: CaseSignature; refs: CaseSignature[] }[];
  skipped: SkippedItem[];
}

function plan(store: Store, caseRef: string | number, documentIds: readonly number[] | undefined): Plan {
  const settings = caseVerificationSettings(store, caseRef, { pin: true });
  const all = caseSignatures(store, settings.case.id);
  const known = new Map<number, CaseSignature[]>();
  for (const s of all) if (s.role === 'known' && s.subjectId !== null) known.set(s.subjectId, [...(known.get(s.subjectId) ?? []), s]);
  const wanted = documentIds ? new Set(documentIds) : null;
  const questioned = all.filter((s) => s.role === 'questioned' && (!wanted || wanted.has(s.documentId)));
  if (wanted) {
    for (const id of wanted) {
      if (!questioned.some((q) => q.documentId === id)) {
        throw new AppError('NOT_FOUND', `document #${id}: not a ready questioned document of case '${settings.case.name}' with a signature`, {
          field: 'documentId',
        });
      }
    }
  }
  const work: Plan['work'] = [];
  const skipped: SkippedItem[] = [];
  for (const q of questioned) {
    const refs = q.subjectId !== null ? (known.get(q.subjectId) ?? []) : [];
    if (q.subjectId === null)
      skipped.push({
        documentId: q.documentId,
        documentPath: q.documentPath,
        reason: 'no claimed subject: say whose signature it claims to be (questioned/<subject>/ or case.json)',
      });
    else if (!q.normalisedSha256)
      skipped.push({ documentId: q.documentId, documentPath: q.documentPath, reason: 'the signature has no normalised image: adjust the crop' });
    else if (!refs.length)
      skipped.push({ documentId: q.documentId, documentPath: q.documentPath, reason: `subject '${q.subjectName}' has no known signatures in this case` });
    else work.push({ q, refs: refs.filter((r) => r.normalisedSha256) });
  }
  return { settings, work, skipped };
}

function toInput(s: CaseSignature, vectors: Map<number, Float32Array>): SignatureInput {
  return { signatureId: s.signatureId, vector: vectors.get(s.signatureId)!, sourceSha256: s.documentSha256, quality: s.quality, label: s.documentPath };
}

function sameRefs(c: StoredComparison, refs: readonly CaseSignature[]): boolean {
  const a = c.distances.perReference.map((d) => d.signatureId).sort((x, y) => x - y);
  const b = refs.map((r) => r.signatureId).sort((x, y) => x - y);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Compares every planned item and records it; shared by the batch and the single comparison. */
async function run(
  store: Store,
  p: Plan,
  opts: VerifyCaseOptions & { batchId: string | null; reuse: boolean },
): Promise<{ items: VerifiedItem[]; cancelled: boolean }> {
  const { settings } = p;
  const repo = new ComparisonRepository(store);
  const ids = [...new Set(p.work.flatMap((w) => [w.q.signatureId, ...w.refs.map((r) => r.signatureId)]))];
  const vectors = await ensureEmbeddings(store, settings.model.id, ids, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.workers ? { workers: opts.workers } : {}),
    onProgress: (done, total) => opts.onProgress?.({ stage: 'embed', done, total }),
  });
  const items: VerifiedItem[] = [];
  let cancelled = false;
  for (const [i, w] of p.work.entries()) {
    if (opts.signal?.aborted) {
      cancelled = true;
      break;
    }
    const subjectId = w.q.subjectId!;
    const subjectName = w.q.subjectName ?? `subject #${subjectId}`;
    const previous = opts.reuse ? repo.latest(w.q.signatureId, subjectId) : undefined;
    let comparison: StoredComparison;
    if (
      previous &&
      previous.modelId === settings.model.id &&
      previous.modelSha256 === settings.model.sha256 &&
      previous.appVersion === APP_VERSION &&
      previous.threshold === settings.threshold &&
      previous.inconclusiveBand === settings.band &&
      previous.distances.minReferences === settings.minReferences &&
      sameRefs(previous, w.refs)
    ) {
      comparison = previous;
    } else {
      const result = compareSignature(
        toInput(w.q, vectors),
        w.refs.map((r) => toInput(r, vectors)),
        {
          metric: settings.metric,
          scoring: settings.scoring,
          threshold: settings.threshold,
          thresholdSource: settings.thresholdSource,
          band: settings.band,
          minReferences: settings.minReferences,
          calibration: settings.calibration,
          propositions: defaultPropositions(subjectName),
        },
      );
      comparison = store.write(() =>
        repo.insert({
          caseId: settings.case.id,
          questionedSignatureId: w.q.signatureId,
          subjectId,
          modelId: settings.model.id,
          modelSha256: settings.model.sha256,
          thresholdSource: settings.thresholdSource,
          minReferences: settings.minReferences,
          result,
          batchId: opts.batchId,
        }),
      );
    }
    items.push({
      documentId: w.q.documentId,
      documentPath: w.q.documentPath,
      signatureId: w.q.signatureId,
      subjectId,
      subjectName,
      references: w.refs,
      comparison,
    });
    opts.onProgress?.({ stage: 'compare', done: i + 1, total: p.work.length, message: w.q.documentPath });
  }
  return { items, cancelled };
}

function summaryOf(p: Plan, batchId: string, r: { items: VerifiedItem[]; cancelled: boolean }): VerifyCaseResult {
  const s = p.settings;
  return {
    caseId: s.case.id,
    caseName: s.case.name,
    batchId,
    model: { id: s.model.id, name: s.model.name, sha256: s.model.sha256, calibrated: s.calibration !== null },
    threshold: s.threshold,
    thresholdSource: s.thresholdSource,
    band: s.band,
    items: r.items,
    skipped: p.skipped,
    cancelled: r.cancelled,
  };
}

/** Batch verification of a case (or of some of its questioned documents). */
export async function verifyCase(store: Store, caseRef: string | number, opts: VerifyCaseOptions = {}): Promise<VerifyCaseResult> {
  throwIfCancelled(opts.signal, 'verification');
  const p = plan(store, caseRef, opts.documentIds);
  const batchId = randomUUID();
  const audit = (action: string, details: Record<string, unknown>) =>
    store.write(() => store.audit.append({ action, caseId: p.settings.case.id, entity: `batch:${batchId}`, details }));
  audit('verify.batch.start', {
    model: p.settings.model.id,
    modelSha256: p.settings.model.sha256,
    threshold: p.settings.threshold,
    thresholdSource: p.settings.thresholdSource,
    band: p.settings.band,
    items: p.work.length,
    skipped: p.skipped.map((s) => ({ document: s.documentId, reason: s.reason })),
  });
  const r = await run(store, p, { ...opts, batchId, reuse: false });
  audit(r.cancelled ? 'verify.batch.cancel' : 'verify.batch.finish', { compared: r.items.length, of: p.work.length });
  return summaryOf(p, batchId, r);
}

/** An archived case accepts no new results: its newest recorded comparison, read only. */
function recordedComparison(store: Store, caseId: number, caseName: string, documentId: number): VerifiedItem {
  const sigs = caseSignatures(store, caseId);
  const q = sigs.find((s) => s.documentId === documentId && s.role === 'questioned');
  if (!q || q.subjectId === null)
    throw new AppError('NOT_FOUND', `document #${documentId}: not a questioned document of case '${caseName}' with a claimed subject`, { field: 'documentId' });
  const comparison = new ComparisonRepository(store).latest(q.signatureId, q.subjectId);
  if (!comparison)
    throw new AppError('CONFLICT', `case '${caseName}' is archived and document #${documentId} was never compared; archived cases accept no new results`);
  const used = new Set(comparison.distances.perReference.map((d) => d.signatureId));
  return {
    documentId,
    documentPath: q.documentPath,
    signatureId: q.signatureId,
    subjectId: q.subjectId,
    subjectName: q.subjectName ?? `subject #${q.subjectId}`,
    references: sigs.filter((s) => used.has(s.signatureId)),
    comparison,
  };
}

/** One questioned document against its claimed subject's references, for the compare view. */
export async function compareDocument(
  store: Store,
  caseRef: string | number,
  documentId: number,
  opts: Omit<VerifyCaseOptions, 'documentIds'> = {},
): Promise<VerifiedItem> {
  const c = store.cases.get(caseRef);
  if (c.status === 'archived') return recordedComparison(store, c.id, c.name, documentId);
  const p = plan(store, caseRef, [documentId]);
  if (!p.work.length)
    throw new AppError('INVALID_ARGUMENT', `document #${documentId}: ${p.skipped[0]?.reason ?? 'cannot be compared'}`, { field: 'documentId' });
  const r = await run(store, p, { ...opts, batchId: null, reuse: true });
  if (!r.items.length) throw new AppError('CANCELLED', 'the comparison was cancelled');
  return r.items[0]!;
}
