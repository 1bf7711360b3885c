/**
 * Signature images: one sample (genuine or skilled forgery) inked on paper at a chosen
 * resolution, optionally through a scanner, with the box of its ink.
 */
import { encodeImage, type ImageFormat } from './encode.ts';
import { paintLines, type InkLine } from './ink.ts';
import { rngFor } from './math.ts';
import { Layer, layerBox } from './raster.ts';
import { genuineSample, skilledSample, type SampleKind, type SeriesForger, type SignatureSample } from './sample.ts';
import { inkOnPaper, randomPaper, randomScan } from './scan.ts';
import type { Writer } from './writer.ts';

export type Box = [x: number, y: number, width: number, height: number];

export interface SignatureOptions {
  /** 'genuine' (default) or 'skilled' (a skilled forgery of this writer) */
  kind?: SampleKind;
  /** which repetition; the same index gives the same sample (default 0) */
  sampleIndex?: number;
  /** resolution (default 200) */
  dpi?: number;
  /** paper texture, blur, tone and noise of a scan (default true); false gives ink on pure white */
  scan?: boolean;
  /** 3-channel colour (default) or 1-channel grey */
  grey?: boolean;
  /** default 'png'; 'raw' returns the 8-bit pixels */
  format?: ImageFormat;
  /** JPEG quality */
  quality?: number;
}

export interface RasterImage {
  /** 8-bit pixels, row-major, `channels` per pixel */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  /** [x, y, w, h] of the ink in pixels */
  inkBox: Box;
}

export interface SignatureImage {
  /** the encoded file (or raw pixels when format is 'raw') */
  data: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  channels: 1 | 3;
  inkBox: Box;
}

export function signatureSample(writer: Writer, kind: SampleKind, index: number, by?: SeriesForger): SignatureSample {
  return kind === 'skilled' ? skilledSample(writer, index, by) : genuineSample(writer, index);
}

/** Bounds of inked lines in mm, including their width. */
export function linesBounds(lines: readonly InkLine[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const l of lines) {
    for (let i = 0; i < l.n; i++) {
      const r = (l.width[i] as number) / 2;
      const x = l.x[i] as number;
      const y = l.y[i] as number;
      if (x - r < minX) minX = x - r;
      if (x + r > maxX) maxX = x + r;
      if (y - r < minY) minY = y - r;
      if (y + r > maxY) maxY = y + r;
    }
  }
  return { minX, minY, maxX, maxY };
}

/** Renders to pixels without encoding (what training code wants). */
export function rasteriseSignature(writer: Writer, opts: SignatureOptions = {}): RasterImage {
  const kind = opts.kind ?? 'genuine';
  const index = opts.sampleIndex ?? 0;
  const dpi = opts.dpi ?? 200;
  const scan = opts.scan ?? true;
  const sample = signatureSample(writer, kind, index);
  const rng = rngFor(writer.seed, 'signature-image', kind, index);
  const scale = dpi / 25.4;
  const b = linesBounds(sample.lines);
  const margin = () => rng.uniform(2, 6) * scale;
  const left = margin();
  const top = margin();
  const width = Math.ceil((b.maxX - b.minX) * scale + left + margin());
  const height = Math.ceil((b.maxY - b.minY) * scale + top + margin());
  const layer = new Layer(width, height);
  paintLines(layer, sample.lines, { scale, ox: left - b.minX * scale, oy: top - b.minY * scale }, sample.pen.grain, rng.int(1, 1e9));
  const paper = randomPaper(rng, 1);
  const settings = randomScan(rng, scan ? 1 : 0);
  const box = layerBox(layer, 0.08) ?? [0, 0, width, height];
  const channels = opts.grey ? 1 : 3;
  const pixels = inkOnPaper(layer, sample.pen.ink, rng, scan ? paper : null, settings, channels === 1);
  return { pixels, width, height, channels, inkBox: box };
}

/** Renders and encodes one signature image. */
export async function renderSignature(writer: Writer, opts: SignatureOptions = {}): Promise<SignatureImage> {
  const r = rasteriseSignature(writer, opts);
  const format = opts.format ?? 'png';
  const data = await encodeImage(r.pixels, r.width, r.height, r.channels, { format, quality: opts.quality, dpi: opts.dpi ?? 200 });
  return { data, format, width: r.width, height: r.height, channels: r.channels, inkBox: r.inkBox };
}
