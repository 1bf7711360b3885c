import { z } from 'zod';
import type { IdentificationResult } from '../../core/identify/types.ts';
import { method, type MethodDef } from './define.ts';

export type { IdentificationResult, Candidate, CandidateExemplar } from '../../core/identify/types.ts';

const id = z.number().int().positive();

export const identifyMethods = {
  'identify.query': method<IdentificationResult>()({
    summary:
      "Who wrote this? Rank every writer of the library (scope 'library') or of the document's case (scope 'case') for a questioned signature: top k with mean distances, calibrated LRs and the open-set outcome; recorded and audit-logged",
    args: z
      .object({
        /** A document (its active signature is the query) or a signature. */
        documentId: id.optional(),
        signatureId: id.optional(),
        scope: z.enum(['library', 'case']).default('library'),
        top: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .refine((a) => (a.documentId === undefined) !== (a.signatureId === undefined), { message: 'give documentId or signatureId (one of them)' }),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'INTEGRITY', 'UNAVAILABLE', 'CANCELLED'],
  }),
  'identify.history': method<IdentificationResult[]>()({
    summary: "Earlier identifications of a document's active signature, newest first (results are never changed)",
    args: z.object({ documentId: id }).strict(),
    errors: ['NOT_FOUND'],
  }),
} satisfies Record<string, MethodDef>;
