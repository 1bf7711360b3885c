import PDFDocument from 'pdfkit';
import { reportContentHash } from './content-hash.ts';
import { displayInput } from './display.ts';
import type { PreparedItem, RenderContext } from './render-context.ts';
import { reportFonts } from './fonts.ts';
import { formatTimestamp } from './format.ts';
import { ImagePreparer } from './images.ts';
import { COLOR, CONTENT_WIDTH, FONT, PAGE, ReportWriter } from './pdf-writer.ts';
import { drawAppendix } from './sections/appendix.ts';
import { drawCover } from './sections/cover.ts';
import { drawIntegrity } from './sections/integrity.ts';
import { drawItem, ITEM_BOX } from './sections/item.ts';
import { CORRECTION_BOX, drawCorrections, drawExcluded, drawThresholdHistory } from './sections/record.ts';
import { drawSeries } from './sections/series.ts';
import type { RenderedReport, ReportInput, ReportSectionId } from './types.ts';
import { validateReportInput } from './validate.ts';

export interface RenderOptions {
  /** Deflate page content streams (default true). Tests turn it off to compare bytes. */
  compress?: boolean;
}

/**
 * Renders the case report as a PDF.
 *
 * Determinism: the same input gives byte-identical output. pdfkit's only varying inputs
 * are the Info CreationDate (set from input.generatedAt) and the trailer /ID, which it
 * derives from the Info dictionary (an MD5 of it), so it follows generatedAt too; font
 * subset tags come from font ids (F1, F2, ...) assigned in a fixed order of first use.
 * Everything that prints generatedAt is drawn after all other text, so the timestamp's
 * glyphs cannot change the subset order (glyph ids) used by the rest of the document.
 */
export async function renderReport(raw: ReportInput, options: RenderOptions = {}): Promise<RenderedReport> {
  validateReportInput(raw);
  const contentHash = reportContentHash(raw);
  // Drawn with control characters made visible; the hash above is of the data as recorded.
  const input = displayInput(raw);
  const fonts = reportFonts();
  // sharp downscales on its own threads while the pages are laid out on this one
  const pending = prepareImages(input);

  const created = new Date(input.generatedAt);
  const doc = new PDFDocument({
    autoFirstPage: false,
    bufferPages: true,
    compress: options.compress ?? true,
    pdfVersion: '1.7',
    lang: 'en-GB',
    displayTitle: true,
    info: {
      Title: `Signature comparison report \u2013 ${input.case.name}`,
      Author: input.case.examiner,
      Subject: `Case ${input.case.id}: ${input.items.length} questioned signatures`,
      Keywords: `countersign report; content hash ${contentHash}`,
      Creator: `Countersign ${input.appVersion}`,
      Producer: 'Countersign report renderer (PDFKit)',
      CreationDate: created,
    },
  });
  const chunks: Buffer[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont(FONT.sans, fonts.sans);
  doc.registerFont(FONT.bold, fonts.bold);
  doc.registerFont(FONT.mono, fonts.mono);

  const correctionImages = prepareCorrections(input);
  const ctx: RenderContext = { input, contentHash, items: [], pdfImages: new Map() };
  const w = new ReportWriter(doc);
  const sections: ReportSectionId[] = [];
  w.newPage();
  drawCover(w, ctx);
  sections.push('cover');
  for (let i = 0; i < input.items.length; i++) {
    ctx.items[i] = await (pending[i] as Promise<PreparedItem>);
    drawItem(w, ctx, i);
  }
  if (input.items.length) sections.push('items');
  // Inputs from before these sections (hand-built ones in tests) may leave them out.
  if (input.excluded || input.corrections || input.thresholdHistory) {
    drawExcluded(w, ctx);
    drawCorrections(w, ctx, await correctionImages);
    drawThresholdHistory(w, ctx);
    sections.push('excluded', 'corrections', 'threshold-history');
  }
  if (input.series) {
    drawSeries(w, input.series);
    sections.push('series');
  }
  drawAppendix(w, ctx);
  sections.push('model');
  drawIntegrity(w, ctx);
  sections.push('integrity');

  const pages = doc.bufferedPageRange().count;
  drawPageFurniture(w, ctx, pages);
  // the timestamp last (see above)
  for (const draw of w.deferred) draw();

  doc.end();
  await finished;
  return { pdf: Buffer.concat(chunks), contentHash, pages, figures: w.figures, sections };
}

/** Downscales the before/after crops of every box correction. */
async function prepareCorrections(input: ReportInput) {
  const preparer = new ImagePreparer();
  const { width, height } = CORRECTION_BOX;
  return Promise.all(
    (input.corrections ?? []).map(async (c, i) => ({
      before: c.beforePng ? await preparer.prepareImage(c.beforePng, width, height, `corrections[${i}].beforePng`) : null,
      after: c.afterPng ? await preparer.prepareImage(c.afterPng, width, height, `corrections[${i}].afterPng`) : null,
    })),
  );
}

/** Starts downscaling every item's images; the promises are consumed in item order. */
function prepareImages(input: ReportInput): Array<Promise<PreparedItem>> {
  const preparer = new ImagePreparer();
  const { main, thumb } = ITEM_BOX;
  return input.items.map((it, i) => {
    const p = (async () => ({
      questioned: await preparer.prepareImage(it.questionedPng, main.width, main.height, `items[${i}].questionedPng`),
      context: it.contextPng ? await preparer.prepareImage(it.contextPng, main.width, main.height, `items[${i}].contextPng`, 'jpeg') : null,
      references: await Promise.all(it.references.map((r, j) => preparer.prepareImage(r.png, thumb.width, thumb.height, `items[${i}].references[${j}].png`))),
    }))();
    // a failure surfaces when its item is reached; later ones must not become unhandled rejections
    p.catch(() => undefined);
    return p;
  });
}

/** Running header (from page 2), footer with software, content hash and "Page X of Y" on every page. */
function drawPageFurniture(w: ReportWriter, ctx: RenderContext, pages: number): void {
  const { input } = ctx;
  const right = PAGE.width - PAGE.right;
  const footY = PAGE.height - 42;
  for (let i = 0; i < pages; i++) {
    w.doc.switchToPage(i);
    if (i > 0) {
      const caseLabel = w.fit(`Case ${input.case.id}`, 150, { size: 7.5 });
      const title = w.fit(`Signature comparison report  \u00b7  ${input.case.name}`, CONTENT_WIDTH - 160, { size: 7.5 });
      w.textAt(title, PAGE.left, 36, { size: 7.5, color: COLOR.muted, width: CONTENT_WIDTH - 155 });
      w.textAt(caseLabel, right - 150, 36, { size: 7.5, color: COLOR.muted, width: 150, align: 'right' });
      w.rule(48, COLOR.hairline, 0.5);
    }
    w.rule(footY - 6, COLOR.hairline, 0.5);
    w.textAt(`Countersign ${input.appVersion}  \u00b7  content hash ${ctx.contentHash.slice(0, 16)}`, PAGE.left, footY, {
      size: 7,
      color: COLOR.muted,
      width: 220,
    });
    w.textAt(`Page ${i + 1} of ${pages}`, right - 100, footY, { size: 7, color: COLOR.muted, width: 100, align: 'right' });
    const page = i;
    w.deferred.push(() => {
      w.doc.switchToPage(page);
      w.textAt(`Generated ${formatTimestamp(input.generatedAt)}`, PAGE.left + 200, footY, {
        size: 7,
        color: COLOR.muted,
        width: CONTENT_WIDTH - 300,
        align: 'center',
      });
    });
  }
}
