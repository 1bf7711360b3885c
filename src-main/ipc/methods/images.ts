import { z } from 'zod';
import type { DisplayImageInfo } from '../../core/app/documents.ts';
import { method, type MethodDef } from './define.ts';

/** An image for display: what it is, and the URL its bytes load from (never the bytes themselves). */
export interface ImageData extends DisplayImageInfo {
  /**
   * `cs-object://<sha256>?w=..&page=..` in the desktop app, `/objects/<sha256>?w=..&page=..` on
   * the bridge (where the renderer adds its session token); ipc/object-requests.ts serves both.
   */
  url: string;
}

/** The limits of a display width and of a page number: images.get's and the object URLs' (ipc/object-requests.ts). */
export const DISPLAY_WIDTH = { min: 16, max: 8192 } as const;
export const DISPLAY_PAGE = { min: 0, max: 9999 } as const;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lower-case hex (64 characters)');

export const imagesMethods = {
  'images.get': method<ImageData>()({
    summary:
      'An image of the object store (original, crop or normalised signature) for display, optionally downscaled to maxWidth: its size and the URL its bytes load from',
    args: z
      .object({
        sha256,
        maxWidth: z.number().int().min(DISPLAY_WIDTH.min).max(DISPLAY_WIDTH.max).optional(),
        /** Page of a multi-page TIFF. */
        page: z.number().int().min(DISPLAY_PAGE.min).max(DISPLAY_PAGE.max).optional(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INTEGRITY', 'UNSUPPORTED', 'IO'],
  }),
} satisfies Record<string, MethodDef>;
