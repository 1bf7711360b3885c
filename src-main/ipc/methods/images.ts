import { z } from 'zod';
import type { ImageData } from '../../core/app/documents.ts';
import { method, type MethodDef } from './define.ts';

export type { ImageData } from '../../core/app/documents.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lower-case hex (64 characters)');

export const imagesMethods = {
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
} satisfies Record<string, MethodDef>;
