import { z } from 'zod';
import type { DocumentDetail, ImageData } from '../../core/app/documents.ts';
import type { Box } from '../../core/store/types.ts';
import { method, type MethodDef } from './define.ts';

// The views are defined where they are assembled (core/app/documents.ts) and named here for the contract.
export type { DocumentDetail, DocumentSummary, ImageData, LatestComparison, SignatureView } from '../../core/app/documents.ts';
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
