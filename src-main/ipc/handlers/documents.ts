/**
 * Documents, signatures and images for the UI. Read-only over the store's documents
 * repository (store/documents.ts), whose rows the import job and the crop editor write;
 * this file adds what only the UI needs (quality problems in words, image rendering).
 */
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../../core/errors.ts';
import { activeSignature, type Store } from '../../core/store/index.ts';
import type { SignatureRow } from '../../core/store/types.ts';
import { qualityInfo } from '../../core/verify/case-data.ts';
import { qualityProblems } from '../../core/verify/compare.ts';
import { ComparisonRepository, type StoredComparison } from '../../core/verify/comparisons.ts';
import { scoreView } from '../../core/verify/story.ts';
import type { DocumentDetail, DocumentSummary, ImageData, LatestComparison, SignatureView, documentsMethods } from '../methods/documents.ts';
import type { HandlersFor, Services } from './types.ts';

export { activeSignature };

/** The signature row plus its quality and localisation problems in words. */
export function toSignatureView(r: SignatureRow): SignatureView {
  // The same reading of imaging's quality record as verification's warnings use.
  const warnings = qualityProblems(qualityInfo(r.quality, r.lowConfidence));
  if (r.lowConfidence) {
    warnings.unshift(
      r.confidence === null
        ? 'the signature was found with low confidence: check the box on the scan'
        : `the signature was found with low confidence (${r.confidence.toFixed(2)}): check the box on the scan`,
    );
  }
  return { ...r, warnings };
}

function toLatestComparison(r: StoredComparison): LatestComparison {
  const v = scoreView(r);
  return {
    id: r.id,
    decision: r.decision,
    aggregate: r.aggregate,
    scoreMethod: v.method,
    scoreLabel: v.label,
    scoreExplanation: v.explanation,
    meanDistance: v.qk,
    threshold: r.threshold,
    inconclusiveBand: r.inconclusiveBand,
    llr: r.llr,
    llrAtBound: r.distances.llrAtBound ?? false,
    verbal: r.verbal,
    warnings: r.warnings.length,
    createdAt: r.createdAt,
  };
}

/** Every document of a case with its active signature and the latest verification of it. */
export function caseDocuments(store: Store, caseId: number): DocumentSummary[] {
  const repo = store.documents;
  const byDoc = new Map<number, SignatureRow[]>();
  for (const s of repo.signaturesOfCase(caseId)) {
    const list = byDoc.get(s.documentId) ?? [];
    list.push(s);
    byDoc.set(s.documentId, list);
  }
  const latest = new Map<number, LatestComparison>();
  for (const c of new ComparisonRepository(store).latestForCase(caseId)) latest.set(c.questionedSignatureId, toLatestComparison(c));
  return repo.documentsOfCase(caseId).map((d) => {
    const sigs = byDoc.get(d.id) ?? [];
    const active = activeSignature(sigs);
    return {
      ...d,
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
    'documents.get': ({ documentId }) => documentDetail(s.app.store, documentId),
  };
}

/** A document with its active signature, every earlier one, its case, subject and original size. */
export async function documentDetail(store: Store, documentId: number): Promise<DocumentDetail> {
  const repo = store.documents;
  const document = repo.requireDocument(documentId);
  const signatures = repo.signaturesOf(documentId).map(toSignatureView);
  const c = document.caseId === null ? undefined : store.cases.find(document.caseId);
  const subjectId = document.subjectId ?? document.claimedSubjectId;
  const subject = subjectId === null ? undefined : repo.subject(subjectId);
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
    case: c ? { id: c.id, name: c.name, status: c.status } : null,
    subject: subject ? { id: subject.id, name: subject.name } : null,
    signature: activeSignature(signatures),
    signatures,
    original,
    originalProblem,
  };
}
