import { z } from 'zod';
import type { DocumentDetail } from '../../core/app/documents.ts';
import type { Box } from '../../core/store/types.ts';
import { method, type MethodDef } from './define.ts';

// The views are defined where they are assembled (core/app/documents.ts) and named here for the contract.
export type { DocumentDetail, DocumentSummary, LatestComparison, SignatureView } from '../../core/app/documents.ts';
export type { Box };

const pixels = z.number().int().min(0).max(1_000_000);

export const documentsMethods = {
  'documents.get': method<DocumentDetail>()({
    summary: 'A document with its active signature, every earlier signature, and the size of the original',
    args: z.object({ documentId: z.number().int().positive() }).strict(),
    errors: ['NOT_FOUND'],
  }),
  'documents.crop': method<DocumentDetail>()({
    summary:
      "Re-derive a document's signature from its original with the examiner's box (pixels of the original): a new 'manual' signature, approved; earlier ones kept as rejected history; audit-logged with old and new box",
    args: z
      .object({
        documentId: z.number().int().positive(),
        box: z.object({ x: pixels, y: pixels, w: pixels.min(1), h: pixels.min(1) }).strict(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'UNSUPPORTED', 'INTEGRITY', 'BUSY'],
  }),
  'documents.approveBox': method<DocumentDetail>()({
    summary: "Approve the document's active signature box as it is ('proposed' -> 'approved'); audit-logged (signature.approve) with the box",
    args: z.object({ documentId: z.number().int().positive() }).strict(),
    errors: ['NOT_FOUND', 'CONFLICT', 'BUSY'],
  }),
} satisfies Record<string, MethodDef>;
