/**
 * A contact sheet for judging realism at a glance: one writer's genuine signatures beside
 * skilled forgeries of them, and two of the writer's cheques (one genuine, one forged).
 */
import { rasteriseCheque } from './cheque.ts';
import { encodeImage } from './encode.ts';
import { drawText } from './font.ts';
import { Canvas, Layer, multiplyInk } from './raster.ts';
import { rasteriseSignature, type RasterImage } from './signature.ts';
import { createWriter } from './writer.ts';

export interface PreviewOptions {
  seed?: number | string;
  /** which writer of the seed (default w0001) */
  writer?: string;
  /** samples per row (default 5) */
  samples?: number;
}

/** Area-averaged downscale (or nearest upscale) of 8-bit RGB into the canvas at (ox, oy), fitting w x h. */
function place(
  canvas: Canvas,
  img: { pixels: Uint8Array; width: number; height: number; channels: number },
  ox: number,
  oy: number,
  w: number,
  h: number,
): void {
  const k = Math.min(w / img.width, h / img.height, 1);
  const tw = Math.max(1, Math.floor(img.width * k));
  const th = Math.max(1, Math.floor(img.height * k));
  const ch = img.channels;
  for (let y = 0; y < th; y++) {
    const sy0 = Math.floor(y / k);
    const sy1 = Math.max(sy0 + 1, Math.floor((y + 1) / k));
    for (let x = 0; x < tw; x++) {
      const sx0 = Math.floor(x / k);
      const sx1 = Math.max(sx0 + 1, Math.floor((x + 1) / k));
      const acc = [0, 0, 0];
      let n = 0;
      for (let sy = sy0; sy < Math.min(sy1, img.height); sy++) {
        for (let sx = sx0; sx < Math.min(sx1, img.width); sx++) {
          const i = (sy * img.width + sx) * ch;
          for (let c = 0; c < 3; c++) acc[c]! += img.pixels[i + (ch === 3 ? c : 0)] as number;
          n++;
        }
      }
      const o = ((oy + y) * canvas.width + ox + x) * 3;
      for (let c = 0; c < 3; c++) canvas.data[o + c] = acc[c]! / Math.max(1, n);
    }
  }
}

/** Renders the contact sheet as a PNG. */
export async function renderPreview(opts: PreviewOptions = {}): Promise<{ png: Buffer; width: number; height: number; writer: string }> {
  const seed = String(opts.seed ?? 1);
  const writer = createWriter(seed, opts.writer ?? 'w0001');
  const n = opts.samples ?? 5;
  const cellW = 380;
  const cellH = 170;
  const gap = 12;
  const labelW = 150;
  const chequeDpi = 100;
  const cheques = [
    rasteriseCheque(writer, { kind: 'genuine', sampleIndex: 0, dpi: chequeDpi }),
    rasteriseCheque(writer, { kind: 'skilled', sampleIndex: 1, dpi: chequeDpi }),
  ];
  const cw = cheques[0]!.width;
  const chh = cheques[0]!.height;
  const W = Math.max(labelW + n * (cellW + gap), 2 * cw + 3 * gap);
  const H = 60 + 2 * (cellH + gap) + 40 + chh + gap;
  const canvas = new Canvas(W, H, [255, 255, 255]);
  const text = new Layer(W, H);
  drawText(text, `Countersign synthetic data  -  seed ${seed}  -  writer ${writer.id} (${writer.name})`, gap, 34, { font: 'sans-bold', size: 22 });
  const rows: ['genuine' | 'skilled', string][] = [
    ['genuine', 'genuine'],
    ['skilled', 'skilled forgery'],
  ];
  rows.forEach(([kind, label], r) => {
    const y = 60 + r * (cellH + gap);
    drawText(text, label, gap, y + cellH / 2, { font: 'sans', size: 17 });
    for (let i = 0; i < n; i++) {
      const img: RasterImage = rasteriseSignature(writer, { kind, sampleIndex: i, dpi: 150 });
      const x = labelW + i * (cellW + gap);
      place(canvas, img, x, y, cellW, cellH);
    }
  });
  const cy = 60 + 2 * (cellH + gap) + 30;
  drawText(text, 'genuine cheque (signature box in truth)', gap, cy - 6, { font: 'sans', size: 15 });
  drawText(text, 'cheque with a skilled forgery', 2 * gap + cw, cy - 6, { font: 'sans', size: 15 });
  cheques.forEach((c, i) => {
    place(canvas, c, gap + i * (cw + gap), cy, cw, chh);
    const [bx, by, bw, bh] = c.box;
    const x0 = gap + i * (cw + gap) + bx;
    const y0 = cy + by;
    // The ground-truth box, drawn thin in red.
    for (let x = x0; x < x0 + bw; x++) for (const yy of [y0, y0 + bh - 1]) canvas.data.set([220, 30, 30], (yy * W + x) * 3);
    for (let y = y0; y < y0 + bh; y++) for (const xx of [x0, x0 + bw - 1]) canvas.data.set([220, 30, 30], (y * W + xx) * 3);
  });
  multiplyInk(canvas, text, [20, 20, 20]);
  const bytes = new Uint8Array(W * H * 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(canvas.data[i] as number);
  const png = await encodeImage(bytes, W, H, 3, { format: 'png' });
  return { png, width: W, height: H, writer: writer.id };
}
