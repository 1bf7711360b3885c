/**
 * What a reader needs beside the items to judge them: every file submitted but not compared
 * (with the reason), the manual box corrections (before and after, with the crops), and the
 * history of the case threshold (times, reasons, and whether results had been seen).
 */
import { drawImageInBox, type RenderContext } from '../render-context.ts';
import type { PreparedImage } from '../images.ts';
import { formatParameter, formatTimestamp } from '../format.ts';
import { COLOR, CONTENT_WIDTH, PAGE, type ReportWriter } from '../pdf-writer.ts';
import { drawTable } from '../table.ts';

export const CORRECTION_BOX = { width: 150, height: 60 } as const;

export function drawExcluded(w: ReportWriter, ctx: RenderContext): void {
  const rows = ctx.input.excluded ?? [];
  w.newPage();
  w.heading('Files not compared');
  if (!rows.length) {
    w.text('Every file submitted to the case is covered by the comparisons above.', { size: 9, after: 6 });
    return;
  }
  w.text(
    `${rows.length} file${rows.length === 1 ? ' was' : 's were'} submitted to the case but ${rows.length === 1 ? 'is' : 'are'} not part of any comparison in this report, for the reason given.`,
    { size: 9, after: 6 },
  );
  drawTable(
    w,
    [
      { header: 'File', width: 190 },
      { header: 'Role', width: 60 },
      { header: 'Subject', width: 80 },
      { header: 'Reason', width: CONTENT_WIDTH - 330 },
    ],
    rows.map((r) => [r.path, r.role, r.subject || '\u2013', r.reason]),
    { size: 8, continuationTitle: 'Files not compared (continued)' },
  );
}

export function drawCorrections(w: ReportWriter, ctx: RenderContext, images: Array<{ before: PreparedImage | null; after: PreparedImage | null }>): void {
  const rows = ctx.input.corrections ?? [];
  w.y += 10;
  w.heading('Signature box corrections', 2);
  if (!rows.length) {
    w.text('No signature box was corrected by hand: every box used is the one found automatically (or an imported crop).', { size: 9, after: 6 });
    return;
  }
  w.text('Boxes set by hand, oldest first: the box before and after (x, y, width \u00d7 height in pixels of the original) with the crops they give.', {
    size: 8.5,
    after: 6,
  });
  const box = CORRECTION_BOX;
  rows.forEach((r, i) => {
    const img = images[i] ?? { before: null, after: null };
    w.ensure(box.height + 40);
    w.text(`${r.documentLabel}  \u00b7  ${formatTimestamp(r.at)}`, { font: 'bold', size: 8.5, after: 2 });
    w.text(`before: ${r.before}    after: ${r.after}`, { size: 8, color: COLOR.muted, after: 3 });
    const y = w.y;
    const slots: Array<[string, PreparedImage | null]> = [
      ['before', img.before],
      ['after', img.after],
    ];
    slots.forEach(([label, im], j) => {
      const x = PAGE.left + j * (box.width + 16);
      if (im) drawImageInBox(w, ctx, im, { x, y, ...box }, { documentId: r.documentLabel, kind: 'context' });
      else {
        w.doc.save().rect(x, y, box.width, box.height).lineWidth(0.5).strokeColor(COLOR.hairline).stroke().restore();
        w.textAt('not available', x, y + box.height / 2 - 5, { size: 8, color: COLOR.muted, width: box.width, align: 'center' });
      }
      w.textAt(label, x, y + box.height + 2, { size: 7, color: COLOR.muted, width: box.width });
    });
    w.y = y + box.height + 14;
  });
}

export function drawThresholdHistory(w: ReportWriter, ctx: RenderContext): void {
  const rows = ctx.input.thresholdHistory ?? [];
  w.y += 10;
  w.heading('Threshold history', 2);
  const t = (v: number | null) => (v === null ? 'model default' : formatParameter(v));
  if (!rows.length) {
    w.text('The case threshold was never changed after the case was created.', { size: 9, after: 6 });
    return;
  }
  drawTable(
    w,
    [
      { header: 'When', width: 100 },
      { header: 'Change', width: 110 },
      { header: 'Reason', width: 170 },
      { header: 'Results seen', width: CONTENT_WIDTH - 380 },
    ],
    rows.map((r) => [
      formatTimestamp(r.at),
      `${t(r.old)} \u2192 ${t(r.new)}`,
      r.reason ?? 'none recorded (before reasons were required)',
      r.resultsSeen === null
        ? 'not recorded'
        : r.resultsSeen === 0
          ? 'none: set before any result'
          : `set after ${r.resultsSeen} result${r.resultsSeen === 1 ? '' : 's'} had been seen`,
    ]),
    { size: 8, continuationTitle: 'Threshold history (continued)' },
  );
}
