/**
 * The objects of the store the UI may load by URL (ipc/object-requests.ts serves them as
 * `cs-object://<sha256>` in the desktop app and `/objects/<sha256>` on the bridge): images
 * made ready for display (any size or page, through DisplayImages' cache) and the report
 * PDFs this data directory made. Nothing else of the object store is handed out: an object
 * that is neither a recorded report nor an image is refused (UNSUPPORTED).
 */
import { AppError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { DisplayImages, type DisplayRequest } from './documents.ts';
import { storedReportPdf } from './report.ts';

export interface ServedObject {
  bytes: Buffer;
  mime: 'image/png' | 'image/jpeg' | 'application/pdf';
}

/** One per front-end, like the DisplayImages it holds (images.get and the URLs share its cache). */
export class StoredObjects {
  readonly images: DisplayImages;

  constructor(
    private readonly store: () => Store,
    cacheBytes?: number,
  ) {
    this.images = new DisplayImages(store, cacheBytes);
  }

  /**
   * The bytes to serve for a request. An image shown a moment ago comes from the cache without
   * asking the store; otherwise a recorded report is its PDF (which takes no width nor page)
   * and anything else is rendered for display as images.get renders it.
   */
  async get(req: DisplayRequest): Promise<ServedObject> {
    const hit = this.images.cached(req);
    if (hit) return hit;
    const store = this.store();
    if (store.audit.recordsSha256('report.create', req.sha256)) {
      if (req.maxWidth !== undefined || req.page !== undefined) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `${req.maxWidth !== undefined ? 'w' : 'page'}: object ${req.sha256.slice(0, 12)} is a report PDF; only images take a width or a page`,
        );
      }
      return { bytes: storedReportPdf(store, req.sha256), mime: 'application/pdf' };
    }
    return this.images.get(req);
  }
}
