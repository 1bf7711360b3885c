import { z } from 'zod';
import type { ScoreMethod } from '../../core/verify/score.ts';
import type { Box, CaseStatus, Decision, DocumentRow, SignatureRow, SubjectRow } from '../../core/store/types.ts';
import { method, type MethodDef } from './define.ts';

/** A signature as the UI shows it: the stored row plus its quality problems in words. */
export interface SignatureView extends SignatureRow {
  /** Image-quality and localisation problems, each a sentence naming the figure ('low contrast (0.18)'). */
  warnings: string[];
}

/** The newest verification of a questioned document's signature (comparisons are never changed). */
export interface LatestComparison {
  id: number;
  decision: Decision;
  /** The score decided on (verify/score.ts): for 'kk-ratio' Q-K ÷ K-K, else the mean distance. */
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

export interface ImageData {
  /** `data:image/png;base64,...` or `data:image/jpeg;base64,...`, usable in <img> and canvas. */
  dataUrl: string;
  mime: 'image/png' | 'image/jpeg';
  /** Size of the returned image. */
  width: number;
  height: number;
  /** Size of the stored image (the returned one may be downscaled). */
  originalWidth: number;
  originalHeight: number;
}

export type { Box };

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lower-case hex (64 characters)');

export const documentsMethods = {
  'images.get': method<ImageData>()({
    summary: 'An image of the object store (original, crop or normalised signature) as a data URL, optionally downscaled to maxWidth',
    args: z
      .object({
        sha256,
        maxWidth: z.number().int().min(16).max(8192).optional(),
        /** Page of a multi-page TIFF. */
        page: z.number().int().min(0).max(9999).optional(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INTEGRITY', 'UNSUPPORTED', 'IO'],
  }),
  'documents.get': method<DocumentDetail>()({
    summary: 'A document with its active signature, every earlier signature, and the size of the original',
    args: z.object({ documentId: z.number().int().positive() }).strict(),
    errors: ['NOT_FOUND'],
  }),
} satisfies Record<string, MethodDef>;
