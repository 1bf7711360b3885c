/**
 * Every image the UI shows comes through `images.get` (works over Electron IPC and the
 * bridge alike): its size and a URL its bytes load from (`cs-object://<sha256>` in the desktop
 * app, `/objects/<sha256>` on the bridge, with the session token added here), never the bytes
 * themselves. Requests are shared: the same image asked for by several components is fetched
 * once; the cache is bounded.
 */
import type { ImageData } from '../../../src-main/ipc/contract.ts';
import { call, transport } from './api.ts';

const MAX_ENTRIES = 400;
const cache = new Map<string, Promise<ImageData>>();

/** The image's size and `url`, ready for <img src> on this transport. */
export function loadImage(sha256: string, maxWidth?: number, page?: number): Promise<ImageData> {
  const key = `${sha256}:${maxWidth ?? ''}:${page ?? ''}`;
  let p = cache.get(key);
  if (p) {
    cache.delete(key);
    cache.set(key, p);
    return p;
  }
  p = call('images.get', { sha256, ...(maxWidth ? { maxWidth } : {}), ...(page ? { page } : {}) }).then((img) => ({
    ...img,
    url: transport.objectUrl(img.url),
  }));
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return p;
}

/** The image decoded into an HTMLImageElement (for canvas work). */
export async function loadImageElement(sha256: string, maxWidth?: number): Promise<HTMLImageElement> {
  const data = await loadImage(sha256, maxWidth);
  const img = new Image();
  // In the desktop app cs-object:// is another origin than the page: asked for with CORS (the
  // scheme answers it), its pixels stay readable on a canvas. Same-origin on the bridge.
  img.crossOrigin = 'anonymous';
  img.src = data.url;
  await img.decode();
  return img;
}

export type { ImageData };
