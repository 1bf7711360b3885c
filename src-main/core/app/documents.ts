/**
 * Documents, signatures and images as the front-ends show them. Read-only over the store's
 * documents repository (store/documents.ts), whose rows the import job and the crop editor
 * write; this adds what only a viewer needs: quality problems in words, the newest
 * verification of each document, and stored images made ready for display.
 */
import { AppError } from '../errors.ts';
import { ImageCache, renderImage, type DisplayImage } from '../imaging/display.ts';
import { activeSignature, type Store } from '../store/index.ts';
import type { CaseStatus, Decision, DocumentRow, SignatureRow, SubjectRow } from '../store/types.ts';
import { qualityInfo } from '../verify/case-data.ts';
import { qualityProblems } from '../verify/compare.ts';
import { ComparisonRepository, type StoredComparison } from '../store/comparison-store.ts';
import type { ScoreMethod } from '../scoring/score.ts';
import { scoreView } from '../verify/story.ts';

export type { DisplayImage, DisplayImageInfo } from '../imaging/display.ts';

/** A signature as the UI shows it: the stored row plus its quality problems in words. */
export interface SignatureView extends SignatureRow {
  /** Image-quality and localisation problems, each a sentence naming the figure ('low contrast (0.18)'). */
  warnings: string[];
}

/** The newest verification of a questioned document's signature (comparisons are never changed). */
export interface LatestComparison {
  id: number;
  decision: Decision;
  /** The score decided on (scoring/score.ts): for 'kk-ratio' Q-K ÷ K-K, else the mean distance. */
  aggregate: number;
  scoreMethod: ScoreMethod;
  /** 'score (Q-K ÷ K-K)' or 'mean distance' (verify/story.ts). */
  scoreLabel: string;
  /** The score in words. */
  scoreExplanation: string;
  /** Mean distance of Q to the references. */
  meanDistance: number;
  threshold: number;
  inconclusiveBand: number;
  llr: number | null;
  /** The LR is a limit of the calibration (read it as '≥' or '≤'). */
  llrAtBound: boolean;
  verbal: string | null;
  warnings: number;
  createdAt: string;
}

export interface DocumentSummary extends DocumentRow {
  /** The active signature: the newest that is not rejected (else the newest); null before localisation. */
  signature: SignatureView | null;
  signatureCount: number;
  latestComparison: LatestComparison | null;
}

export interface DocumentDetail {
  document: DocumentRow;
  case: { id: number; name: string; status: CaseStatus } | null;
  /** The known writer or the claimed subject, whichever applies. */
  subject: Pick<SubjectRow, 'id' | 'name'> | null;
  signature: SignatureView | null;
  /** Every signature of the document, oldest first (earlier boxes stay as history). */
  signatures: SignatureView[];
  /** The original's size in pixels (from the import, else read from the image); null when it cannot be shown. */
  original: { width: number; height: number } | null;
  /** Why the original cannot be shown (missing object, not a decodable image), else null. */
  originalProblem: string | null;
}

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

/** Which image, at which width and page (a multi-page TIFF's), the UI asks for. */
export interface DisplayRequest {
  sha256: string;
  maxWidth?: number | undefined;
  page?: number | undefined;
}

const displayKey = ({ sha256, maxWidth, page }: DisplayRequest) => `${sha256}:${maxWidth ?? ''}:${page ?? ''}`;

/**
 * Images of the object store (originals, crops, normalised signatures) for display, through a
 * cache of the recently shown ones (imaging/display.ts). One per front-end: the desktop app's
 * main process and the bridge each keep their own (inside core/app/objects.ts's StoredObjects,
 * which images.get and the object URLs share). The store is asked for only on a cache miss.
 */
export class DisplayImages {
  private readonly cache: ImageCache;

  constructor(
    private readonly store: () => Store,
    cacheBytes?: number,
  ) {
    this.cache = new ImageCache(cacheBytes);
  }

  /** The image if it is in the cache now (nothing is read or rendered), else undefined. */
  cached({ sha256, maxWidth, page }: DisplayRequest): DisplayImage | undefined {
    return this.cache.get(displayKey({ sha256, maxWidth, page }));
  }

  async get({ sha256, maxWidth, page }: DisplayRequest): Promise<DisplayImage> {
    const key = displayKey({ sha256, maxWidth, page });
    const hit = this.cache.get(key);
    if (hit) return hit;
    const store = this.store();
    if (!store.objects.has(sha256)) throw new AppError('NOT_FOUND', `sha256: no object ${sha256} in the object store`);
    const image = await renderImage(store.objects.get(sha256), sha256, maxWidth, page);
    this.cache.set(key, image);
    return image;
  }
}
