import type { PreparedImage } from './images.ts';
import { COLOR, type ReportWriter } from './pdf-writer.ts';
import type { ReportFigure, ReportInput } from './types.ts';

/** Display-ready images for one questioned item (same order as the input). */
export interface PreparedItem {
  questioned: PreparedImage;
  context: PreparedImage | null;
  references: PreparedImage[];
}

export interface RenderContext {
  input: ReportInput;
  contentHash: string;
  items: PreparedItem[];
  /** One pdfkit image object per distinct prepared image, so each is embedded once. */
  pdfImages: Map<string, unknown>;
}

/**
 * Draws a prepared image fitted and centred in a framed box and records where it went,
 * so tests and previews can find each signature on the rendered page.
 */
export function drawImageInBox(
  w: ReportWriter,
  ctx: RenderContext,
  img: PreparedImage,
  box: { x: number; y: number; width: number; height: number },
  figure: Omit<ReportFigure, 'page' | 'x' | 'y' | 'width' | 'height'>,
): void {
  const { doc } = w;
  doc.save().rect(box.x, box.y, box.width, box.height).lineWidth(0.5).strokeColor(COLOR.hairline).stroke().restore();
  const inset = 3;
  const scale = Math.min((box.width - 2 * inset) / img.width, (box.height - 2 * inset) / img.height);
  const width = img.width * scale;
  const height = img.height * scale;
  const x = box.x + (box.width - width) / 2;
  const y = box.y + (box.height - height) / 2;
  let pdfImage = ctx.pdfImages.get(img.key);
  if (!pdfImage) {
    // openImage is public pdfkit API (missing from @types/pdfkit): it parses the PNG once
    pdfImage = (doc as unknown as { openImage(src: Buffer): unknown }).openImage(img.png);
    ctx.pdfImages.set(img.key, pdfImage);
  }
  doc.image(pdfImage as Buffer, x, y, { width, height });
  w.figures.push({ ...figure, page: w.page, x, y, width, height });
}
