/**
 * Overlay and difference images of two normalised signatures (same canvas, ink dark on
 * white, as imaging/normaliseSignature stores them for display), made in a canvas.
 * Ink is (255 - grey) / 255 per pixel, the value the network sees.
 *  - overlay: Q's ink in one colour and K's in another, mixed like inks on paper, so
 *    shared strokes come out dark;
 *  - difference: only what differs: ink in Q alone in Q's colour, in K alone in K's colour,
 *    ink in both cancels to a faint grey.
 */
import { loadImageElement } from './images.ts';

/** Fixed ink colours on paper, in both themes (the images are always on white). */
export const Q_INK = [192, 57, 43] as const;
export const K_INK = [31, 78, 140] as const;
export const Q_INK_CSS = `rgb(${Q_INK.join(' ')})`;
export const K_INK_CSS = `rgb(${K_INK.join(' ')})`;

export type CompositeMode = 'overlay' | 'difference';

function inkOf(img: HTMLImageElement, w: number, h: number): Float32Array {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const g = c.getContext('2d', { willReadFrequently: true })!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  g.drawImage(img, 0, 0, w, h);
  const px = g.getImageData(0, 0, w, h).data;
  const ink = new Float32Array(w * h);
  for (let i = 0; i < ink.length; i++) ink[i] = (255 - px[i * 4]!) / 255;
  return ink;
}

export interface Composite {
  dataUrl: string;
  width: number;
  height: number;
  /** Share of ink pixels (either image) where both have ink: a pixel measure for orientation only. */
  sharedInk: number;
}

const cache = new Map<string, Promise<Composite>>();

export function composite(qSha: string, kSha: string, mode: CompositeMode): Promise<Composite> {
  const key = `${qSha}:${kSha}:${mode}`;
  let p = cache.get(key);
  if (!p) {
    p = make(qSha, kSha, mode);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    if (cache.size > 60) cache.delete(cache.keys().next().value as string);
  }
  return p;
}

async function make(qSha: string, kSha: string, mode: CompositeMode): Promise<Composite> {
  const [qi, ki] = await Promise.all([loadImageElement(qSha), loadImageElement(kSha)]);
  const w = qi.naturalWidth;
  const h = qi.naturalHeight;
  const q = inkOf(qi, w, h);
  const k = inkOf(ki, w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const g = c.getContext('2d')!;
  const out = g.createImageData(w, h);
  const d = out.data;
  let either = 0;
  let both = 0;
  for (let i = 0; i < q.length; i++) {
    const a = q[i]!;
    const b = k[i]!;
    if (a > 0.25 || b > 0.25) either++;
    if (a > 0.25 && b > 0.25) both++;
    for (let ch = 0; ch < 3; ch++) {
      let v: number;
      if (mode === 'overlay') {
        // Two transparent inks on white paper: each absorbs what its colour does not reflect.
        v = 255 * (1 - a * (1 - Q_INK[ch]! / 255)) * (1 - b * (1 - K_INK[ch]! / 255));
      } else {
        const shared = Math.min(a, b);
        const onlyQ = a - shared;
        const onlyK = b - shared;
        v = 255 * (1 - onlyQ * (1 - Q_INK[ch]! / 255)) * (1 - onlyK * (1 - K_INK[ch]! / 255)) * (1 - shared * 0.22);
      }
      d[i * 4 + ch] = Math.round(v);
    }
    d[i * 4 + 3] = 255;
  }
  g.putImageData(out, 0, 0);
  return { dataUrl: c.toDataURL('image/png'), width: w, height: h, sharedInk: either ? both / either : 0 };
}
