/**
 * Moving known writers between a case and the library without re-deriving anything:
 *
 * - enrolFromCase: a case subject's exemplars become a library subject's (new library
 *   document and signature rows naming the same original, crop and normalised image), and
 *   the case subject is linked to it (subjects.library_subject_id).
 * - drawFromLibrary: a library subject's exemplars become known documents of a case subject
 *   linked to it, so verification and identification in the case use them like any other.
 *
 * Copies point at the same objects (content-addressed, never modified) and carry their
 * source in params.copiedFrom; embeddings are copied too (they depend only on the normalised
 * image and the model). The source rows are never changed.
 */
import { AppError } from '../errors.ts';
import { ensureModelRow } from '../model/registry/model-rows.ts';
import { activeSignature, validateSubjectName, type Store } from '../store/index.ts';
import type { DocumentRow, SignatureRow } from '../store/types.ts';
import { embedExemplars, enrolmentModel, totalsOf, type EnrolFileEntry, type EnrolReport } from './enrol.ts';
import { LibraryRepository, type LibraryExemplarRow } from '../store/library.ts';

export interface EnrolFromCaseOptions {
  caseRef: string | number;
  /** The case subject's name. */
  subject: string;
  /** Name in the library (default: the case subject's). */
  name?: string;
  modelId?: string | null;
  signal?: AbortSignal;
}

function copySignature(store: Store, from: SignatureRow, toDocumentId: number, origin: Record<string, unknown>): SignatureRow {
  return store.documents.insertSignature({
    documentId: toDocumentId,
    box: from.box,
    confidence: from.confidence,
    lowConfidence: from.lowConfidence,
    isCrop: from.isCrop,
    source: from.source,
    status: from.status,
    cropSha256: from.cropSha256,
    normalisedSha256: from.normalisedSha256,
    params: { ...from.params, copiedFrom: origin },
    quality: from.quality,
  });
}

/** The fields that name a document's file and page; a copy points at the same stored object. */
function fileOf(doc: DocumentRow) {
  const { originalPath, sha256, size, format, width, height, dpi, dpiSource, pageIndex } = doc;
  return { originalPath, sha256, size, format, width, height, dpi, dpiSource, pageIndex };
}

/** The report's line for an exemplar copied as signature `s` (of the new document). */
function enrolledEntry(doc: DocumentRow, s: SignatureRow): EnrolFileEntry {
  return {
    path: doc.originalPath,
    page: doc.pageIndex,
    status: 'enrolled',
    sha256: doc.sha256,
    documentId: s.documentId,
    signatureId: s.id,
    isCrop: s.isCrop,
    lowConfidence: s.lowConfidence,
  };
}

function activeOf(store: Store, ex: LibraryExemplarRow): { doc: DocumentRow; sig: SignatureRow } {
  const doc = store.documents.requireDocument(ex.documentId);
  const sig = activeSignature(store.documents.signaturesOf(doc.id).filter((s) => s.status !== 'rejected'));
  if (!sig) throw new AppError('INTERNAL', `document ${doc.id}: no active signature`);
  return { doc, sig };
}

/** `countersign library enrol <name> --case C --subject S`. */
export async function enrolFromCase(store: Store, opts: EnrolFromCaseOptions): Promise<EnrolReport> {
  const c = store.cases.get(opts.caseRef);
  const caseSubject = store.documents.findSubject(c.id, opts.subject);
  if (!caseSubject) throw new AppError('NOT_FOUND', `--subject: case '${c.name}' has no subject '${opts.subject}'`, { field: 'subject' });
  const name = validateSubjectName(opts.name ?? caseSubject.name, 'name');
  const lib = new LibraryRepository(store);
  const modelId = enrolmentModel(store, opts.modelId);
  const exemplars = lib.exemplarsOf(caseSubject.id);
  if (!exemplars.length)
    throw new AppError('INVALID_ARGUMENT', `--subject: '${caseSubject.name}' of case '${c.name}' has no ready known signature to enrol`, { field: 'subject' });

  const recorded = store.write(() => {
    let subject = lib.find(name);
    if (subject?.status === 'withdrawn') {
      throw new AppError(
        'CONFLICT',
        `name: library subject '${subject.name}' was withdrawn on ${subject.withdrawnAt}; it accepts no new exemplars: enrol under another name`,
        { field: 'name' },
      );
    }
    if (caseSubject.librarySubjectId !== null && subject && caseSubject.librarySubjectId !== subject.id) {
      throw new AppError(
        'CONFLICT',
        `--subject: '${caseSubject.name}' of case '${c.name}' is already linked to library subject #${caseSubject.librarySubjectId}, not to '${subject.name}'`,
        { field: 'subject' },
      );
    }
    const created = !subject;
    if (!subject) {
      subject = lib.insertSubject(name);
      store.audit.append({
        action: 'subject.create',
        entity: `subject:${subject.id}`,
        details: { name: subject.name, scope: 'library', source: 'library.enrol', fromCase: c.id },
      });
    }
    if (modelId) ensureModelRow(store, store.dataDir, modelId);
    const entries: EnrolFileEntry[] = [];
    const copies: { from: number; to: number }[] = [];
    for (const ex of exemplars) {
      const dup = lib.documentByObject(ex.sha256, ex.pageIndex);
      if (dup) {
        entries.push({
          path: ex.originalPath,
          page: ex.pageIndex,
          status: 'skipped',
          reasonCode: 'duplicate',
          reason: `${ex.originalPath}: already in the library as document ${dup.id} (subject '${dup.subjectName}')`,
          sha256: ex.sha256,
          documentId: dup.id,
          signatureId: null,
        });
        continue;
      }
      const { doc, sig } = activeOf(store, ex);
      const copy = lib.insertDocument({
        subjectId: subject.id,
        ...fileOf(doc),
      });
      const s = copySignature(store, sig, copy.id, { caseId: c.id, documentId: doc.id, signatureId: sig.id });
      lib.copyEmbeddings(sig.id, s.id);
      copies.push({ from: sig.id, to: s.id });
      entries.push(enrolledEntry(doc, s));
    }
    // Archived cases accept no changes (their triggers refuse it): the link is then only recorded here.
    let linked: NonNullable<EnrolReport['linked']>;
    if (caseSubject.librarySubjectId === subject.id) linked = { caseSubjectId: caseSubject.id, linked: true };
    else if (c.status === 'archived')
      linked = { caseSubjectId: caseSubject.id, linked: false, why: `case '${c.name}' is archived; its subject is not changed` };
    else {
      lib.linkCaseSubject(caseSubject.id, subject.id);
      linked = { caseSubjectId: caseSubject.id, linked: true };
    }
    const totals = totalsOf(exemplars.length, entries);
    const enrolmentId = lib.insertEnrolment({
      subjectId: subject.id,
      source: 'case',
      sourceCaseId: c.id,
      sourceSubjectId: caseSubject.id,
      modelId,
      documents: entries.filter((e) => e.status === 'enrolled').map((e) => e.documentId!),
      report: { totals, linked },
    });
    store.audit.append({
      action: 'library.enrol',
      caseId: c.id,
      entity: `subject:${subject.id}`,
      details: {
        enrolmentId,
        subject: subject.name,
        source: 'case',
        case: c.name,
        caseSubjectId: caseSubject.id,
        linked,
        model: modelId,
        totals,
        copies,
        skipped: entries.filter((e) => e.status === 'skipped').map((e) => e.reason),
      },
    });
    return { subject, created, entries, totals, enrolmentId, linked };
  });
  const signatures = recorded.entries.filter((e) => e.status === 'enrolled').map((e) => e.signatureId!);
  const embedded = await embedExemplars(store, modelId, signatures, opts.signal);
  return {
    subject: { id: recorded.subject.id, name: recorded.subject.name, created: recorded.created },
    enrolmentId: recorded.enrolmentId,
    source: 'case',
    files: recorded.entries,
    totals: recorded.totals,
    model: embedded.model,
    embeddingProblem: embedded.problem,
    linked: recorded.linked,
  };
}

export interface DrawReport {
  caseId: number;
  caseName: string;
  librarySubject: { id: number; name: string };
  caseSubject: { id: number; name: string; created: boolean };
  documents: EnrolFileEntry[];
  totals: EnrolReport['totals'];
}

/** A library writer becomes a known writer of a case (see the file comment). */
export function drawFromLibrary(store: Store, opts: { caseRef: string | number; subject: string | number; name?: string }): DrawReport {
  const lib = new LibraryRepository(store);
  return store.write(() => {
    const c = store.cases.requireWritable(opts.caseRef);
    const source = lib.require(opts.subject);
    if (source.status === 'withdrawn')
      throw new AppError('CONFLICT', `subject: library subject '${source.name}' was withdrawn (${source.withdrawnReason}); it cannot be drawn into a case`, {
        field: 'subject',
      });
    const name = validateSubjectName(opts.name ?? source.name, 'name');
    let target = store.documents.findSubject(c.id, name);
    if (target && target.librarySubjectId !== source.id) {
      throw new AppError(
        'CONFLICT',
        `name: case '${c.name}' already has a subject '${target.name}' that is not linked to library subject '${source.name}'; give another --name`,
        { field: 'name' },
      );
    }
    const created = !target;
    if (!target) {
      target = store.documents.insertSubject(c.id, name);
      lib.linkCaseSubject(target.id, source.id);
      store.audit.append({
        action: 'subject.create',
        caseId: c.id,
        entity: `subject:${target.id}`,
        details: { name: target.name, source: 'library.draw', librarySubjectId: source.id },
      });
    }
    const entries: EnrolFileEntry[] = [];
    const exemplars = lib.exemplarsOf(source.id);
    for (const ex of exemplars) {
      const existing = store.documents.documentsByObject(c.id, ex.sha256).find((d) => d.pageIndex === ex.pageIndex);
      if (existing) {
        entries.push({
          path: ex.originalPath,
          page: ex.pageIndex,
          status: 'skipped',
          reasonCode: 'duplicate',
          reason: `${ex.originalPath}: the case already has this original (document ${existing.id})`,
          sha256: ex.sha256,
          documentId: existing.id,
          signatureId: null,
        });
        continue;
      }
      const { doc, sig } = activeOf(store, ex);
      const copy = store.documents.insertDocument({
        caseId: c.id,
        role: 'known',
        subjectId: target.id,
        claimedSubjectId: null,
        ...fileOf(doc),
        status: 'ready',
        failureReason: null,
      });
      const s = copySignature(store, sig, copy.id, { library: true, documentId: doc.id, signatureId: sig.id });
      lib.copyEmbeddings(sig.id, s.id);
      entries.push(enrolledEntry(doc, s));
    }
    const totals = totalsOf(exemplars.length, entries);
    store.audit.append({
      action: 'library.draw',
      caseId: c.id,
      entity: `subject:${target.id}`,
      details: {
        librarySubjectId: source.id,
        librarySubject: source.name,
        caseSubject: target.name,
        totals,
        documents: entries.map((e) => ({ path: e.path, sha256: e.sha256, documentId: e.documentId, signatureId: e.signatureId, status: e.status })),
      },
    });
    return {
      caseId: c.id,
      caseName: c.name,
      librarySubject: { id: source.id, name: source.name },
      caseSubject: { id: target.id, name: target.name, created },
      documents: entries,
      totals,
    };
  });
}

/** `countersign library remove`: the subject is withdrawn (never deleted) and no longer ranked. */
export function withdrawLibrarySubject(store: Store, ref: string | number, reason: string) {
  const why = typeof reason === 'string' ? reason.trim() : '';
  if (!why)
    throw new AppError('INVALID_ARGUMENT', '--reason: say why the writer is withdrawn from the library (it is recorded in the audit log)', { field: 'reason' });
  if (why.length > 2000) throw new AppError('INVALID_ARGUMENT', `--reason: at most 2000 characters (got ${why.length})`, { field: 'reason' });
  const lib = new LibraryRepository(store);
  return store.write(() => {
    const s = lib.require(ref);
    if (s.status === 'withdrawn')
      throw new AppError('CONFLICT', `subject: '${s.name}' was already withdrawn on ${s.withdrawnAt} (${s.withdrawnReason})`, { field: 'subject' });
    const after = lib.withdraw(s.id, why);
    store.audit.append({
      action: 'library.remove',
      entity: `subject:${s.id}`,
      details: { subject: s.name, reason: why, documentsKept: s.documents, exemplars: s.exemplars, linkedCaseSubjects: s.linkedCaseSubjects },
    });
    return after;
  });
}
