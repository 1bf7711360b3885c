/**
 * Writing one file's outcome into the case, on the thread that owns the database: its
 * document rows (one per page), their proposed signatures and the audit rows recording them,
 * all in one transaction, so a crash leaves a file either wholly recorded or not at all.
 *
 * Re-importing: a file whose bytes the case already has is skipped and reported (nothing is
 * written), unless one of its pages failed before; then that attempt is repeated and the row
 * updated (its identity, the original's path, hash and import time, never changes).
 */
import { activeSignature, type DocumentRow, type Store } from '../store/index.ts';
import type { FileOutcome, PageOutcome } from './import-file.ts';
import { fileStatus, type BoxArray, type ImportFileEntry, type ImportPageEntry } from './import-report.ts';
import type { PlannedFile } from './case-folder.ts';

export interface RecordContext {
  store: Store;
  caseId: number;
  /** Subject ids by lower-case name. */
  subjectIds: Map<string, number>;
}

const noSignature = { box: null, confidence: null, lowConfidence: false, isCrop: false } as const;

function entryBase(file: PlannedFile, sha256: string | null): ImportFileEntry {
  return { path: file.path, sha256, status: 'failed', role: file.role, subject: file.subject, documentId: null, ...noSignature };
}

/** A file that was never read (layout problem, unreadable, empty): reported, nothing written. */
export function failedEntry(file: PlannedFile, code: string, message: string, sha256: string | null = null): ImportFileEntry {
  return { ...entryBase(file, sha256), reason: message, reasonCode: code };
}

function signatureOf(ctx: RecordContext, doc: DocumentRow): Pick<ImportPageEntry, 'box' | 'confidence' | 'lowConfidence' | 'isCrop'> {
  const s = activeSignature(ctx.store.documents.signaturesOf(doc.id));
  if (!s) return noSignature;
  return { box: [s.box.x, s.box.y, s.box.w, s.box.h], confidence: s.confidence, lowConfidence: s.lowConfidence, isCrop: s.isCrop };
}

function skippedEntry(ctx: RecordContext, file: PlannedFile, sha256: string, existing: DocumentRow[], why: string): ImportFileEntry {
  const first = existing[0]!;
  return { ...entryBase(file, sha256), status: 'skipped', reason: why, reasonCode: 'duplicate', documentId: first.id, ...signatureOf(ctx, first) };
}

type ReadOutcome = Extract<FileOutcome, { kind: 'read' }>;

/**
 * The answer when the case already holds these bytes: a skip (same role, and nothing failed
 * before or only the hash was read), a refusal (another role), or null to (re)record the file.
 */
function alreadyImported(
  ctx: RecordContext,
  file: PlannedFile,
  outcome: Exclude<FileOutcome, { kind: 'unread' }>,
  existing: DocumentRow[],
): ImportFileEntry | null {
  const first = existing[0];
  if (first && first.role !== file.role) {
    return skippedEntry(
      ctx,
      file,
      outcome.sha256,
      existing,
      `${file.path}: the same file was already imported as ${first.originalPath} (document ${first.id}, a ${first.role} document); it is not imported twice`,
    );
  }
  const anyFailed = existing.some((d) => d.status === 'failed');
  if (first && (!anyFailed || outcome.kind === 'known')) {
    const same = first.originalPath === file.path ? 'already imported' : `the same file was already imported as ${first.originalPath}`;
    return skippedEntry(ctx, file, outcome.sha256, existing, `${file.path}: ${same} (document ${first.id}); skipped`);
  }
  return null;
}

/** One page: its document row (new, or the failed one retried), its proposed signature and the audit row. */
function recordPage(ctx: RecordContext, file: PlannedFile, outcome: ReadOutcome, p: PageOutcome, before: DocumentRow | undefined): ImportPageEntry {
  const { store, caseId } = ctx;
  const repo = store.documents;
  if (before && before.status !== 'failed') {
    return {
      page: p.page,
      documentId: before.id,
      status: 'skipped',
      reason: `page ${p.page + 1} was already imported (document ${before.id})`,
      reasonCode: 'duplicate',
      ...signatureOf(ctx, before),
    };
  }
  const subjectId = file.subject === null ? null : (ctx.subjectIds.get(file.subject.toLowerCase()) ?? null);
  const owners = { subjectId: file.role === 'known' ? subjectId : null, claimedSubjectId: file.role === 'questioned' ? subjectId : null };
  const fields = {
    format: outcome.failure ? null : outcome.format,
    width: p.width || null,
    height: p.height || null,
    dpi: p.dpi,
    dpiSource: p.dpiSource,
    status: p.failure ? ('failed' as const) : ('ready' as const),
    failureReason: p.failure?.message ?? null,
  };
  const doc = before
    ? repo.updateDocument(before.id, { ...fields, ...owners })
    : repo.insertDocument({
        caseId,
        role: file.role,
        ...owners,
        originalPath: file.path,
        sha256: outcome.sha256,
        size: outcome.size,
        ...fields,
        pageIndex: p.page,
      });
  const sig = p.signature
    ? repo.insertSignature({
        documentId: doc.id,
        box: { x: p.signature.box[0], y: p.signature.box[1], w: p.signature.box[2], h: p.signature.box[3] },
        confidence: p.signature.confidence,
        lowConfidence: p.signature.lowConfidence,
        isCrop: p.signature.isCrop,
        source: 'auto',
        status: 'proposed',
        cropSha256: p.signature.cropSha256,
        normalisedSha256: p.signature.normalisedSha256,
        params: p.signature.params,
        quality: p.signature.quality,
      })
    : null;
  store.audit.append({
    action: 'document.import',
    caseId,
    entity: `document:${doc.id}`,
    details: {
      path: file.path,
      sha256: outcome.sha256,
      size: outcome.size,
      page: p.page,
      role: file.role,
      subject: file.subject,
      format: fields.format,
      width: fields.width,
      height: fields.height,
      dpi: fields.dpi,
      dpiSource: fields.dpiSource,
      status: doc.status,
      reason: p.failure?.message ?? null,
      retried: before !== undefined,
      signature: sig && {
        id: sig.id,
        box: [sig.box.x, sig.box.y, sig.box.w, sig.box.h],
        confidence: sig.confidence,
        lowConfidence: sig.lowConfidence,
        isCrop: sig.isCrop,
        cropSha256: sig.cropSha256,
        normalisedSha256: sig.normalisedSha256,
      },
    },
  });
  const box: BoxArray | null = p.signature ? p.signature.box : null;
  return {
    page: p.page,
    documentId: doc.id,
    status: p.failure ? 'failed' : 'imported',
    ...(p.failure ? { reason: p.failure.message, reasonCode: p.failure.code } : {}),
    box,
    confidence: p.signature?.confidence ?? null,
    lowConfidence: p.signature?.lowConfidence ?? false,
    isCrop: p.signature?.isCrop ?? false,
  };
}

/** The file's entry: its first page's signature, its first failure, every page when there are several. */
function fileEntry(file: PlannedFile, outcome: ReadOutcome, pages: PageOutcome[], entries: ImportPageEntry[]): ImportFileEntry {
  const firstPage = entries[0]!;
  const failedPage = entries.find((e) => e.status === 'failed');
  const flagReason = pages[0]?.signature?.flagReason;
  return {
    ...entryBase(file, outcome.sha256),
    status: fileStatus(entries),
    ...(failedPage ? { reason: failedPage.reason, reasonCode: failedPage.reasonCode } : {}),
    documentId: firstPage.documentId,
    box: firstPage.box,
    confidence: firstPage.confidence,
    lowConfidence: firstPage.lowConfidence,
    isCrop: firstPage.isCrop,
    ...(flagReason ? { flagReason } : {}),
    ...(entries.length > 1 ? { pages: entries } : {}),
  };
}

/** Records one file's outcome (see the file comment) and returns its report entry. */
export function recordFile(ctx: RecordContext, file: PlannedFile, outcome: FileOutcome): ImportFileEntry {
  if (outcome.kind === 'unread') return failedEntry(file, outcome.failure.code, outcome.failure.message, outcome.sha256);
  return ctx.store.write(() => {
    const existing = ctx.store.documents.documentsByObject(ctx.caseId, outcome.sha256);
    const answer = alreadyImported(ctx, file, outcome, existing);
    if (answer) return answer;
    if (outcome.kind === 'known') {
      return failedEntry(file, 'internal', `${file.path}: its hash was listed as imported but no document has it; run the import again`, outcome.sha256);
    }
    const byPage = new Map(existing.map((d) => [d.pageIndex, d]));
    const pages: PageOutcome[] = outcome.failure ? [{ page: 0, width: 0, height: 0, dpi: null, dpiSource: null, failure: outcome.failure }] : outcome.pages;
    const entries = pages.map((p) => recordPage(ctx, file, outcome, p, byPage.get(p.page)));
    return fileEntry(file, outcome, pages, entries);
  });
}
