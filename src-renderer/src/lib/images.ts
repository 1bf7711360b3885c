/**
 * Every image the UI shows comes through `images.get` (works over Electron IPC and the
 * bridge alike). Requests are shared: the same image asked for by several components is
 * fetched once; the cache is bounded.
 */
import type { ImageData } from '../../../src-main/ipc/contract.ts';
import { call } from './api.ts';

const MAX_ENTRIES = 400;
const cache = new Map<string, Promise<ImageData>>();

export function loadImage(sha256: string, maxWidth?: number, page?: number): Promise<ImageData> {
  const key = `${sha256}:${maxWidth ?? ''}:${page ?? ''}`;
  let p = cache.get(key);
  if (p) {
    cache.delete(key);
    cache.set(key, p);
    return p;
  }
  p = call('images.get', { sha256, ...(maxWidth ? { maxWidth } : {}), ...(page ? { page } : {}) });
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return p;
}

/** The image decoded into an HTMLImageElement (for canvas work). */
export async function loadImageElement(sha256: string, maxWidth?: number): Promise<HTMLImageElement> {
  const data = await loadImage(sha256, maxWidth);
  const img = new Image();
  img.src = data.dataUrl;
  await img.decode();
  return img;
}

export type { ImageData };
