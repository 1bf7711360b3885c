/**
 * Manual correction of a signature box: the signature is derived again from the original in
 * the object store (never from an earlier crop), exactly as the import derives it, and
 * recorded as a new signature; earlier ones stay as history (docs/import.md, "Crop rules"):
 *
 * - the new signature has source 'manual' and status 'approved' (the examiner drew it);
 * - every other signature of the document that was not already rejected becomes 'rejected'
 *   (superseded), so the document's active signature is the new one;
 * - a document that failed for want of a signature ('no signature found') becomes 'ready';
 * - one audit row 'signature.crop' holds the old and the new box, in the same transaction.
 */
import { AppError } from '../errors.ts';
import { activeSignature, type Store } from '../store/index.ts';
import type { Box, DocumentRow, SignatureRow } from '../store/types.ts';
import { decodePage, probeImage, type DecodedPage } from './decode.ts';
import { cropMargin, deriveSignature, padBox, strokesInBox, type DerivedSignature } from './derive.ts';
import { analyseForLocalisation } from './localise.ts';

export interface CropResult {
  document: DocumentRow;
  signature: SignatureRow;
  /** The signature that was active before, if any. */
  previous: SignatureRow | null;
}

function boxText(b: Box): string {
  return `[${b.x}, ${b.y}, ${b.w}, ${b.h}]`;
}

async function originalPage(store: Store, doc: DocumentRow): Promise<DecodedPage> {
  const bytes = store.objects.get(doc.sha256);
  try {
    const info = await probeImage(bytes, doc.originalPath);
    return await decodePage(bytes, doc.originalPath, doc.pageIndex, {}, info);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new AppError('UNSUPPORTED', `document ${doc.id}: its original cannot be decoded, so no signature can be cut from it (${why})`);
  }
}

async function derive(page: DecodedPage, doc: DocumentRow, box: Box, isCrop: boolean): Promise<DerivedSignature> {
  const name = `document ${doc.id} (${doc.originalPath})`;
  const drawn: [number, number, number, number] = [box.x, box.y, box.w, box.h];
  if (isCrop) return deriveSignature({ page, name, dpi: page.dpi, region: drawn });
  // On a whole document the box is derived as the import derives an automatic one: with the same
  // margin around it. The box is drawn around the ink, so without the margin the ink sits on its
  // edges and every side the examiner left as it was reported ink cut off there; with it, the
  // quality record's 'touches' names only the sides where the ink runs on past the box.
  const region = padBox(drawn, cropMargin(page.dpi), page.width, page.height);
  const base = { page, name, dpi: page.dpi, region };
  // On a whole document the box may take in the signature line or a printed caption: those
  // are left out as the import leaves them out (falling back to the box as it is).
  const mask = strokesInBox(analyseForLocalisation(page, { dpi: page.dpi, name }), region);
  try {
    return await deriveSignature({ ...base, strokes: { mask, method: 'page-strokes' } });
  } catch (err) {
    if (!(err instanceof AppError) || err.details?.reason !== 'no-ink') throw err;
    return deriveSignature(base);
  }
}

/** Re-derives a document's signature from its original with the examiner's box (see the file comment). */
export async function cropDocument(store: Store, documentId: number, box: Box): Promise<CropResult> {
  const repo = store.documents;
  const doc = repo.requireDocument(documentId);
  if (doc.caseId !== null) store.cases.requireWritable(doc.caseId);
  if (doc.status === 'excluded')
    throw new AppError('CONFLICT', `document ${doc.id} (${doc.originalPath}) is excluded from the case; include it again before cropping`);
  for (const k of ['x', 'y', 'w', 'h'] as const) {
    if (!Number.isInteger(box[k]))
      throw new AppError('INVALID_ARGUMENT', `box.${k}: expected a whole number of pixels, got ${String(box[k])}`, { field: 'box' });
  }
  if (box.x < 0 || box.y < 0 || box.w < 1 || box.h < 1) {
    throw new AppError('INVALID_ARGUMENT', `box: expected x and y of at least 0 and a width and height of at least 1, got ${boxText(box)}`, { field: 'box' });
  }
  const page = await originalPage(store, doc);
  if (box.x + box.w > page.width || box.y + box.h > page.height) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `box: ${boxText(box)} reaches beyond the ${page.width} x ${page.height} page of document ${doc.id} (${doc.originalPath})`,
      { field: 'box' },
    );
  }
  const before = activeSignature(repo.signaturesOf(doc.id));
  const isCrop = before?.isCrop ?? false;
  const d = await derive(page, doc, box, isCrop);
  const cropSha256 = store.objects.put(d.crop);
  const normalisedSha256 = store.objects.put(d.normalised);
  return store.write(() => {
    // Read again under the write lock: another process may have cropped meanwhile.
    const sigs = repo.signaturesOf(doc.id);
    const previous = activeSignature(sigs);
    const signature = repo.insertSignature({
      documentId: doc.id,
      box,
      confidence: null,
      lowConfidence: false,
      isCrop,
      source: 'manual',
      status: 'approved',
      cropSha256,
      normalisedSha256,
      params: { ...d.params, manual: true },
      quality: { ...d.quality, lowConfidence: false },
    });
    const superseded = sigs.filter((s) => s.status !== 'rejected').map((s) => repo.setSignatureStatus(s.id, 'rejected').id);
    const fresh = doc.status === 'failed' ? repo.setDocumentStatus(doc.id, 'ready') : repo.requireDocument(doc.id);
    store.audit.append({
      action: 'signature.crop',
      caseId: doc.caseId,
      entity: `document:${doc.id}`,
      details: {
        documentId: doc.id,
        path: doc.originalPath,
        page: doc.pageIndex,
        old: previous && {
          signatureId: previous.id,
          box: [previous.box.x, previous.box.y, previous.box.w, previous.box.h],
          source: previous.source,
          status: previous.status,
          confidence: previous.confidence,
        },
        new: { signatureId: signature.id, box: [box.x, box.y, box.w, box.h], cropSha256, normalisedSha256, clean: d.params.clean },
        superseded,
        documentStatus: doc.status === fresh.status ? fresh.status : { from: doc.status, to: fresh.status },
      },
    });
    return { document: fresh, signature, previous };
  });
}

/**
 * Approves the document's active signature as it is (an automatic box the examiner checked):
 * 'proposed' becomes 'approved', with one audit row 'signature.approve' holding the box. An
 * approved box is left as it is (nothing logged); a rejected one cannot be approved (restore
 * it instead, which derives it again as a new signature).
 */
export function approveSignature(store: Store, documentId: number): { document: DocumentRow; signature: SignatureRow; changed: boolean } {
  const repo = store.documents;
  return store.write(() => {
    const doc = repo.requireDocument(documentId);
    if (doc.caseId !== null) store.cases.requireWritable(doc.caseId);
    const active = activeSignature(repo.signaturesOf(doc.id));
    if (!active) throw new AppError('CONFLICT', `document ${doc.id} (${doc.originalPath}) has no signature box to approve; draw one first`);
    if (active.status === 'approved') return { document: doc, signature: active, changed: false };
    if (active.status === 'rejected') throw new AppError('CONFLICT', `document ${doc.id}: its box was rejected; restore or draw a box instead`);
    const signature = repo.setSignatureStatus(active.id, 'approved');
    store.audit.append({
      action: 'signature.approve',
      caseId: doc.caseId,
      entity: `document:${doc.id}`,
      details: {
        documentId: doc.id,
        path: doc.originalPath,
        signatureId: active.id,
        box: [active.box.x, active.box.y, active.box.w, active.box.h],
        source: active.source,
        confidence: active.confidence,
      },
    });
    return { document: doc, signature, changed: true };
  });
}
