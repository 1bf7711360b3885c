/**
 * Enrolling a writer into the reference library from image files (a folder or single files):
 * each file goes through the import's own per-file path (imaging/import-file.ts: read, hash,
 * original into the object store, decode, crop or localise, derive + normalise, derived
 * images stored), then its rows and one audit row are written in one transaction, and the
 * exemplars are embedded with the model (the active one by default).
 *
 * A file that cannot be used (unreadable, not an image, no signature found) is reported with
 * the import's reason and gets no row; the library holds usable exemplars only. Bytes the
 * library already holds (same SHA-256 and page) are skipped, naming the document they are.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { processFile, type FileOutcome } from '../imaging/import-file.ts';
import { throwIfCancelled } from '../jobs/manager.ts';
import { ensureEmbeddings } from '../model/embedding/embeddings.ts';
import { ensureModelRow } from '../model/registry/model-rows.ts';
import { getActiveModel, getModel } from '../model/registry/registry.ts';
import { validateSubjectName, type Store } from '../store/index.ts';
import { LibraryRepository, type LibrarySubject } from '../store/library.ts';

const IMAGE_EXT = /\.(png|jpe?g|tiff?|webp)$/i;

export interface EnrolFileEntry {
  /** As recorded: relative to the folder given, or the file's name. */
  path: string;
  status: 'enrolled' | 'skipped' | 'failed';
  reason?: string;
  reasonCode?: string;
  page?: number;
  sha256: string | null;
  documentId: number | null;
  signatureId: number | null;
  isCrop?: boolean;
  lowConfidence?: boolean;
}

export interface EnrolReport {
  subject: { id: number; name: string; created: boolean };
  enrolmentId: number;
  source: 'files' | 'case';
  files: EnrolFileEntry[];
  totals: { files: number; enrolled: number; skipped: number; failed: number };
  model: { id: string; embedded: number } | null;
  /** Why the exemplars have no embeddings yet (they are computed at the next identification). */
  embeddingProblem: string | null;
  /** For enrolment from a case: whether the case subject now points at the library subject. */
  linked?: { caseSubjectId: number; linked: boolean; why?: string };
}

export interface EnrolFilesOptions {
  name: string;
  /** Folders (searched recursively for images) and single image files. */
  paths: readonly string[];
  notes?: string | null;
  /** Model for the embeddings; default the active model; null: none now. */
  modelId?: string | null;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, file: string) => void;
  flagBelow?: number;
}

interface Listed {
  abs: string;
  rel: string;
}

function walk(dir: string, rel: string, out: Listed[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || /^(thumbs\.db|desktop\.ini)$/i.test(name)) continue;
    const abs = path.join(dir, name);
    const r = rel ? `${rel}/${name}` : name;
    const st = statSync(abs);
    if (st.isDirectory()) walk(abs, r, out);
    else if (st.isFile() && IMAGE_EXT.test(name)) out.push({ abs, rel: r });
  }
}

/** The image files to enrol; a missing path refuses the enrolment before anything is stored. */
export function listEnrolFiles(paths: readonly string[]): Listed[] {
  if (!paths.length) throw new AppError('INVALID_ARGUMENT', 'files: give a folder of signature images or one or more image files');
  const out: Listed[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new AppError('INVALID_ARGUMENT', `${p}: no such file or folder`, { field: 'files' });
    }
    if (st.isDirectory()) walk(p, '', out);
    else out.push({ abs: path.resolve(p), rel: path.basename(p) });
  }
  if (!out.length) throw new AppError('INVALID_ARGUMENT', `${paths.join(', ')}: no images found (PNG, JPEG, TIFF or WebP)`, { field: 'files' });
  return out;
}

/** The model enrolment embeds with: the given one, else the active one, else none (later). */
export function enrolmentModel(store: Store, modelId: string | null | undefined): string | null {
  if (modelId === null) return null;
  const id = modelId ?? getActiveModel(store.dataDir)?.id ?? null;
  if (id) getModel(store.dataDir, id); // NOT_FOUND before anything is stored
  return id;
}

/** Embeds the new exemplars; a failure leaves the rows (embedded at the next identification) and says why. */
export async function embedExemplars(
  store: Store,
  modelId: string | null,
  signatureIds: number[],
  signal?: AbortSignal,
): Promise<{ model: EnrolReport['model']; problem: string | null }> {
  if (!modelId) return { model: null, problem: 'no model is installed or selected: the exemplars are embedded at the first identification' };
  try {
    const vectors = await ensureEmbeddings(store, modelId, signatureIds, signal ? { signal } : {});
    return { model: { id: modelId, embedded: vectors.size }, problem: null };
  } catch (err) {
    return {
      model: { id: modelId, embedded: 0 },
      problem: `embedding with ${modelId} failed (${err instanceof Error ? err.message : String(err)}); the exemplars are kept and embedded at the next identification`,
    };
  }
}

function failedEntries(rel: string, o: FileOutcome): EnrolFileEntry[] {
  if (o.kind === 'unread')
    return [{ path: rel, status: 'failed', reason: o.failure.message, reasonCode: o.failure.code, sha256: o.sha256, documentId: null, signatureId: null }];
  if (o.kind === 'read' && o.failure)
    return [{ path: rel, status: 'failed', reason: o.failure.message, reasonCode: o.failure.code, sha256: o.sha256, documentId: null, signatureId: null }];
  return [];
}

type ReadOutcome = Extract<FileOutcome, { kind: 'read' }>;
interface PendingPage {
  rel: string;
  o: ReadOutcome;
  page: ReadOutcome['pages'][number];
}

/** Reads, stores and localises each file (outside the write transaction), with progress and cancel. */
async function readFiles(store: Store, files: Listed[], opts: EnrolFilesOptions): Promise<{ file: Listed; outcome: FileOutcome }[]> {
  const outcomes: { file: Listed; outcome: FileOutcome }[] = [];
  for (const [i, file] of files.entries()) {
    throwIfCancelled(opts.signal, 'the enrolment');
    opts.onProgress?.(i, files.length, file.rel);
    const outcome = await processFile(
      { id: i, path: file.rel, abs: file.abs, role: 'known' },
      { objects: store.objects, skip: new Set(), ...(opts.flagBelow !== undefined ? { flagBelow: opts.flagBelow } : {}) },
    );
    outcomes.push({ file, outcome });
  }
  opts.onProgress?.(files.length, files.length, '');
  return outcomes;
}

/** Sorts the pages read into report entries (failed, duplicates already in the library) and the pages to enrol. */
function triagePages(lib: LibraryRepository, outcomes: { file: Listed; outcome: FileOutcome }[]): { entries: EnrolFileEntry[]; pending: PendingPage[] } {
  const entries: EnrolFileEntry[] = [];
  const pending: PendingPage[] = [];
  for (const { file, outcome: o } of outcomes) {
    const failed = failedEntries(file.rel, o);
    if (failed.length || o.kind !== 'read') {
      entries.push(...failed);
      continue;
    }
    for (const page of o.pages) {
      if (page.failure || !page.signature) {
        entries.push({
          path: file.rel,
          page: page.page,
          status: 'failed',
          reason: page.failure?.message ?? `${file.rel}: no signature`,
          reasonCode: page.failure?.code ?? 'no-signature',
          sha256: o.sha256,
          documentId: null,
          signatureId: null,
        });
        continue;
      }
      const dup = lib.documentByObject(o.sha256, page.page);
      if (dup) {
        entries.push({
          path: file.rel,
          page: page.page,
          status: 'skipped',
          reasonCode: 'duplicate',
          reason: `${file.rel}: already in the library as ${dup.originalPath} (document ${dup.id}, subject '${dup.subjectName}')`,
          sha256: o.sha256,
          documentId: dup.id,
          signatureId: null,
        });
        continue;
      }
      pending.push({ rel: file.rel, o, page });
    }
  }
  return { entries, pending };
}

/** Stores one page as a library document with its proposed signature; returns its report entry. */
function enrolPage(store: Store, lib: LibraryRepository, subjectId: number, { rel, o, page }: PendingPage): EnrolFileEntry {
  const sig = page.signature!;
  const doc = lib.insertDocument({
    subjectId,
    originalPath: rel,
    sha256: o.sha256,
    size: o.size,
    format: o.format,
    width: page.width,
    height: page.height,
    dpi: page.dpi,
    pageIndex: page.page,
  });
  const row = store.documents.insertSignature({
    documentId: doc.id,
    box: { x: sig.box[0], y: sig.box[1], w: sig.box[2], h: sig.box[3] },
    confidence: sig.confidence,
    lowConfidence: sig.lowConfidence,
    isCrop: sig.isCrop,
    source: 'auto',
    status: 'proposed',
    cropSha256: sig.cropSha256,
    normalisedSha256: sig.normalisedSha256,
    params: sig.params,
    quality: sig.quality,
  });
  return {
    path: rel,
    page: page.page,
    status: 'enrolled',
    sha256: o.sha256,
    documentId: doc.id,
    signatureId: row.id,
    isCrop: sig.isCrop,
    lowConfidence: sig.lowConfidence,
  };
}

/** `countersign library enrol <name> <folder-or-files...>` (see the file comment). */
export async function enrolFiles(store: Store, opts: EnrolFilesOptions): Promise<EnrolReport> {
  const name = validateSubjectName(opts.name, 'name');
  const lib = new LibraryRepository(store);
  const before = lib.find(name);
  if (before?.status === 'withdrawn') {
    throw new AppError(
      'CONFLICT',
      `name: library subject '${before.name}' was withdrawn on ${before.withdrawnAt} (${before.withdrawnReason}); it accepts no new exemplars: enrol under another name`,
      { field: 'name' },
    );
  }
  const files = listEnrolFiles(opts.paths);
  const modelId = enrolmentModel(store, opts.modelId);

  const outcomes = await readFiles(store, files, opts);

  const recorded = store.write(() => {
    let subject: LibrarySubject | undefined = lib.find(name);
    const { entries, pending } = triagePages(lib, outcomes);
    if (!pending.length && !subject) {
      const why = entries
        .map((e) => e.reason)
        .filter(Boolean)
        .slice(0, 5)
        .join('; ');
      throw new AppError('INVALID_ARGUMENT', `nothing to enrol for '${name}': no file gave a usable signature (${why}); nothing was stored in the library`);
    }
    const created = !subject;
    if (!subject) {
      subject = lib.insertSubject(name, opts.notes ?? null);
      store.audit.append({
        action: 'subject.create',
        entity: `subject:${subject.id}`,
        details: { name: subject.name, scope: 'library', source: 'library.enrol' },
      });
    }
    if (modelId) ensureModelRow(store, store.dataDir, modelId);
    for (const p of pending) entries.push(enrolPage(store, lib, subject.id, p));
    const totals = totalsOf(files.length, entries);
    const enrolled = entries.filter((e) => e.status === 'enrolled');
    const enrolmentId = lib.insertEnrolment({
      subjectId: subject.id,
      source: 'files',
      sourceCaseId: null,
      sourceSubjectId: null,
      modelId,
      documents: enrolled.map((e) => e.documentId!),
      report: { totals, folders: opts.paths.map((p) => path.resolve(p)) },
    });
    store.audit.append({
      action: 'library.enrol',
      entity: `subject:${subject.id}`,
      details: {
        enrolmentId,
        subject: subject.name,
        source: 'files',
        paths: opts.paths.map((p) => path.resolve(p)),
        model: modelId,
        totals,
        files: entries.map((e) => ({
          path: e.path,
          page: e.page ?? 0,
          status: e.status,
          sha256: e.sha256,
          documentId: e.documentId,
          signatureId: e.signatureId,
          reason: e.reason ?? null,
        })),
      },
    });
    return { subject, created, entries, totals, enrolmentId };
  });

  const newSignatures = recorded.entries.filter((e) => e.status === 'enrolled').map((e) => e.signatureId!);
  const embedded = await embedExemplars(store, modelId, newSignatures, opts.signal);
  return {
    subject: { id: recorded.subject.id, name: recorded.subject.name, created: recorded.created },
    enrolmentId: recorded.enrolmentId,
    source: 'files',
    files: recorded.entries,
    totals: recorded.totals,
    model: embedded.model,
    embeddingProblem: embedded.problem,
  };
}

export function totalsOf(files: number, entries: readonly EnrolFileEntry[]): EnrolReport['totals'] {
  return {
    files,
    enrolled: entries.filter((e) => e.status === 'enrolled').length,
    skipped: entries.filter((e) => e.status === 'skipped').length,
    failed: entries.filter((e) => e.status === 'failed').length,
  };
}
