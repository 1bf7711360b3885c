/**
 * Documents, signatures and images for the UI. Read-only over the store: the rows are
 * written by the import job and the crop editor (core). Queries are prepared once per
 * database connection (the store opens lazily, so not before the first call).
 */
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../../core/errors.ts';
import type { Db, Store } from '../../core/store/index.ts';
import type { CaseStatus, Decision, DocumentRow, SignatureRow } from '../../core/store/types.ts';
import { qualityProblems, type QualityInfo } from '../../core/verify/compare.ts';
import type { DocumentSummary, ImageData, LatestComparison, SignatureView, documentsMethods } from '../methods/documents.ts';
import type { HandlersFor, Services } from './types.ts';

interface RawDocument {
  id: number;
  case_id: number | null;
  role: DocumentRow['role'];
  subject_id: number | null;
  claimed_subject_id: number | null;
  original_path: string;
  sha256: string;
  size: number;
  format: string | null;
  width: number | null;
  height: number | null;
  dpi: number | null;
  page_index: number;
  status: DocumentRow['status'];
  failure_reason: string | null;
  imported_at: string;
}

interface RawSignature {
  id: number;
  document_id: number;
  box_x: number;
  box_y: number;
  box_w: number;
  box_h: number;
  confidence: number | null;
  low_confidence: number;
  is_crop: number;
  source: SignatureRow['source'];
  status: SignatureRow['status'];
  crop_sha256: string | null;
  normalised_sha256: string | null;
  params: string;
  quality: string;
  created_at: string;
  updated_at: string;
}

interface RawComparison {
  id: number;
  questioned_signature_id: number;
  decision: Decision;
  aggregate: number;
  threshold: number;
  inconclusive_band: number;
  llr: number | null;
  verbal: string | null;
  warnings: string;
  created_at: string;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function toDocumentRow(r: RawDocument): DocumentRow {
  return {
    id: r.id,
    caseId: r.case_id,
    role: r.role,
    subjectId: r.subject_id,
    claimedSubjectId: r.claimed_subject_id,
    originalPath: r.original_path,
    sha256: r.sha256,
    size: r.size,
    format: r.format,
    width: r.width,
    height: r.height,
    dpi: r.dpi,
    pageIndex: r.page_index,
    status: r.status,
    failureReason: r.failure_reason,
    importedAt: r.imported_at,
  };
}

/** The signature row plus its quality and localisation problems in words. */
export function toSignatureView(r: RawSignature): SignatureView {
  const quality = parseObject(r.quality);
  const warnings = qualityProblems(quality as QualityInfo);
  if (r.low_confidence) {
    warnings.unshift(
      r.confidence === null
        ? 'the signature was found with low confidence: check the box on the scan'
        : `the signature was found with low confidence (${r.confidence.toFixed(2)}): check the box on the scan`,
    );
  }
  return {
    id: r.id,
    documentId: r.document_id,
    box: { x: r.box_x, y: r.box_y, w: r.box_w, h: r.box_h },
    confidence: r.confidence,
    lowConfidence: r.low_confidence === 1,
    isCrop: r.is_crop === 1,
    source: r.source,
    status: r.status,
    cropSha256: r.crop_sha256,
    normalisedSha256: r.normalised_sha256,
    params: parseObject(r.params),
    quality,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    warnings,
  };
}

function toLatestComparison(r: RawComparison): LatestComparison {
  let warnings = 0;
  try {
    const w = JSON.parse(r.warnings) as unknown;
    warnings = Array.isArray(w) ? w.length : 0;
  } catch {
    /* counted as none */
  }
  return {
    id: r.id,
    decision: r.decision,
    aggregate: r.aggregate,
    threshold: r.threshold,
    inconclusiveBand: r.inconclusive_band,
    llr: r.llr,
    verbal: r.verbal,
    warnings,
    createdAt: r.created_at,
  };
}

/** The signature the document stands for now: the newest not rejected, else the newest. */
export function activeSignature<T extends { id: number; status: string }>(sigs: readonly T[]): T | null {
  let best: T | null = null;
  for (const s of sigs) {
    const better = !best || (best.status === 'rejected' && s.status !== 'rejected') || ((s.status !== 'rejected') === (best.status !== 'rejected') && s.id > best.id);
    if (better) best = s;
  }
  return best;
}

function prepare(db: Db) {
  return {
    db,
    docsOfCase: db.prepare("SELECT * FROM documents WHERE case_id = ? ORDER BY role = 'questioned', id"),
    sigsOfCase: db.prepare('SELECT s.* FROM signatures s JOIN documents d ON d.id = s.document_id WHERE d.case_id = ? ORDER BY s.id'),
    latestComparisons: db.prepare(
      'SELECT * FROM comparisons WHERE id IN (SELECT max(id) FROM comparisons WHERE case_id = ? GROUP BY questioned_signature_id)',
    ),
    doc: db.prepare('SELECT * FROM documents WHERE id = ?'),
    sigsOfDoc: db.prepare('SELECT * FROM signatures WHERE document_id = ? ORDER BY id'),
    caseBrief: db.prepare('SELECT id, name, status FROM cases WHERE id = ?'),
    subjectBrief: db.prepare('SELECT id, name FROM subjects WHERE id = ?'),
  };
}
export type DocumentQueries = ReturnType<typeof prepare>;

const prepared = new WeakMap<Db, DocumentQueries>();
/** Statements for this store's connection, prepared on first use. */
export function documentQueries(store: Store): DocumentQueries {
  let q = prepared.get(store.db);
  if (!q) {
    q = prepare(store.db);
    prepared.set(store.db, q);
  }
  return q;
}

/** Every document of a case with its active signature and the latest verification of it. */
export function caseDocuments(store: Store, caseId: number): DocumentSummary[] {
  const q = documentQueries(store);
  const docs = q.docsOfCase.all(caseId) as RawDocument[];
  const byDoc = new Map<number, RawSignature[]>();
  for (const s of q.sigsOfCase.all(caseId) as RawSignature[]) {
    const list = byDoc.get(s.document_id) ?? [];
    list.push(s);
    byDoc.set(s.document_id, list);
  }
  const latest = new Map<number, LatestComparison>();
  for (const c of q.latestComparisons.all(caseId) as RawComparison[]) latest.set(c.questioned_signature_id, toLatestComparison(c));
  return docs.map((d) => {
    const sigs = byDoc.get(d.id) ?? [];
    const active = activeSignature(sigs);
    return {
      ...toDocumentRow(d),
      signature: active ? toSignatureView(active) : null,
      signatureCount: sigs.length,
      latestComparison: active ? (latest.get(active.id) ?? null) : null,
    };
  });
}

// ------------------------------------------------------------------------------ images

const CACHE_BYTES = 96 * 1024 * 1024;

/** Recently served images (thumbnails are asked for again on every visit of a case page). */
class ImageCache {
  private readonly entries = new Map<string, ImageData>();
  private bytes = 0;
  get(key: string): ImageData | undefined {
    const v = this.entries.get(key);
    if (v) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }
  set(key: string, value: ImageData): void {
    if (value.dataUrl.length > CACHE_BYTES / 4) return;
    this.entries.set(key, value);
    this.bytes += value.dataUrl.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= CACHE_BYTES) break;
      this.entries.delete(k);
      this.bytes -= v.dataUrl.length;
    }
  }
}

/** Pixels we agree to decode for display (as imaging's decode limit: 64 MP). */
const MAX_DISPLAY_PIXELS = 64_000_000;

export async function renderImage(bytes: Buffer, sha: string, maxWidth?: number, page?: number): Promise<ImageData> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, ...(page !== undefined ? { page } : {}) }).metadata();
  } catch (err) {
    throw new AppError('UNSUPPORTED', `object ${sha.slice(0, 12)}: not an image this build can show (${(err as Error).message})`);
  }
  if (page !== undefined && meta.pages !== undefined && page >= meta.pages) {
    throw new AppError('NOT_FOUND', `page: the image has ${meta.pages} page${meta.pages === 1 ? '' : 's'}, there is no page ${page}`);
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  const w0 = (rotated ? meta.height : meta.width) ?? 0;
  const h0 = (rotated ? meta.width : meta.height) ?? 0;
  if (w0 * h0 > MAX_DISPLAY_PIXELS) {
    throw new AppError('UNSUPPORTED', `object ${sha.slice(0, 12)}: ${w0} x ${h0} pixels is above the display limit of ${MAX_DISPLAY_PIXELS / 1e6} megapixels`);
  }
  const needsResize = maxWidth !== undefined && w0 > maxWidth;
  const upright = (meta.orientation ?? 1) === 1;
  const passThrough = !needsResize && upright && (meta.format === 'png' || meta.format === 'jpeg') && (meta.pages ?? 1) === 1;
  if (passThrough) {
    const mime = meta.format === 'png' ? 'image/png' : 'image/jpeg';
    return { dataUrl: `data:${mime};base64,${bytes.toString('base64')}`, mime, width: w0, height: h0, originalWidth: w0, originalHeight: h0 };
  }
  try {
    let pipe = sharp(bytes, { limitInputPixels: MAX_DISPLAY_PIXELS, autoOrient: true, ...(page !== undefined ? { page } : {}) });
    if (needsResize) pipe = pipe.resize({ width: maxWidth, withoutEnlargement: true });
    const jpeg = meta.format === 'jpeg';
    pipe = jpeg ? pipe.jpeg({ quality: 88 }) : pipe.png({ compressionLevel: 6 });
    const { data, info } = await pipe.toBuffer({ resolveWithObject: true });
    const mime = jpeg ? 'image/jpeg' : 'image/png';
    return { dataUrl: `data:${mime};base64,${data.toString('base64')}`, mime, width: info.width, height: info.height, originalWidth: w0, originalHeight: h0 };
  } catch (err) {
    throw new AppError('UNSUPPORTED', `object ${sha.slice(0, 12)}: cannot be converted for display (${(err as Error).message})`);
  }
}

export function documentsHandlers(s: Services): HandlersFor<typeof documentsMethods> {
  const cache = new ImageCache();
  return {
    'images.get': async ({ sha256, maxWidth, page }) => {
      const key = `${sha256}:${maxWidth ?? ''}:${page ?? ''}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const store = s.app.store;
      if (!store.objects.has(sha256)) throw new AppError('NOT_FOUND', `sha256: no object ${sha256} in the object store`);
      const image = await renderImage(store.objects.get(sha256), sha256, maxWidth, page);
      cache.set(key, image);
      return image;
    },
    'documents.get': async ({ documentId }) => {
      const store = s.app.store;
      const q = documentQueries(store);
      const raw = q.doc.get(documentId) as RawDocument | undefined;
      if (!raw) throw new AppError('NOT_FOUND', `documentId: no document ${documentId}`);
      const document = toDocumentRow(raw);
      const signatures = (q.sigsOfDoc.all(documentId) as RawSignature[]).map(toSignatureView);
      const c = document.caseId === null ? undefined : (q.caseBrief.get(document.caseId) as { id: number; name: string; status: CaseStatus } | undefined);
      const subjectId = document.subjectId ?? document.claimedSubjectId;
      const subject = subjectId === null ? undefined : (q.subjectBrief.get(subjectId) as { id: number; name: string } | undefined);
      let original: { width: number; height: number } | null = null;
      let originalProblem: string | null = null;
      if (document.width && document.height) original = { width: document.width, height: document.height };
      else if (!store.objects.has(document.sha256)) originalProblem = `the original ${document.sha256} is missing from the object store`;
      else {
        try {
          const img = await renderImage(store.objects.get(document.sha256), document.sha256, 16, document.pageIndex || undefined);
          original = { width: img.originalWidth, height: img.originalHeight };
        } catch (err) {
          originalProblem = err instanceof Error ? err.message : String(err);
        }
      }
      return {
        document,
        case: c ?? null,
        subject: subject ?? null,
        signature: activeSignature(signatures),
        signatures,
        original,
        originalProblem,
      };
    },
  };
}
