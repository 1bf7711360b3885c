/**
 * What the examiner recorded on the bench, in the item's pages: marks (arrows, circles, free
 * text) and measurement lines drawn onto the crops where they were made, each labelled (A1,
 * M1); then a record after the result panel: the measurements (value, unit, what, DPI), the
 * marks' texts, the notes and the current overlay alignments. Coordinates are pixels of the
 * crop; the drawn image shows the whole crop, so a pixel maps linearly into its frame.
 */
import { formatTimestamp } from '../format.ts';
import { COLOR, CONTENT_WIDTH, type ReportWriter } from '../pdf-writer.ts';
import { drawTable, type Column } from '../table.ts';
import type { ReportBench, ReportFigure, ReportMeasurement, ReportPoint } from '../types.ts';

export const MARK_COLOR = '#c0392b';
export const MEASURE_COLOR = '#1f6feb';

/** Draws the marks and measurement lines made on one signature into the frame where its crop was drawn. */
export function drawBenchMarks(w: ReportWriter, placed: Pick<ReportFigure, 'x' | 'y' | 'width' | 'height'>, bench: ReportBench, signatureId: string): void {
  const size = bench.imageSizes[signatureId];
  if (!size) return;
  const marks = bench.marks.filter((m) => m.signatureId === signatureId);
  const measures = bench.measurements.filter((m) => m.signatureId === signatureId);
  if (!marks.length && !measures.length) return;
  const s = placed.width / size.width;
  const at = (p: ReportPoint): [number, number] => [placed.x + p[0] * s, placed.y + p[1] * s];
  const small = placed.height < 60;
  const lw = small ? 0.6 : 1;
  const labelSize = small ? 4.5 : 6.5;
  const doc = w.doc;
  doc.save();
  doc.rect(placed.x, placed.y, placed.width, placed.height).clip();
  for (const m of measures) {
    const pts = m.points.map(at);
    doc.lineWidth(lw * 0.8).strokeColor(MEASURE_COLOR);
    if (m.kind === 'height_ratio') {
      doc
        .moveTo(...pts[0]!)
        .lineTo(...pts[1]!)
        .stroke();
      doc
        .moveTo(...pts[2]!)
        .lineTo(...pts[3]!)
        .stroke();
    } else if (m.kind === 'baseline') {
      doc.moveTo(...pts[0]!);
      for (const p of pts.slice(1)) doc.lineTo(...p);
      doc.stroke();
    } else
      doc
        .moveTo(...pts[0]!)
        .lineTo(...pts[1]!)
        .stroke();
    for (const p of pts) doc.circle(p[0], p[1], lw).fill(MEASURE_COLOR);
    label(w, m.label, pts[0]!, MEASURE_COLOR, labelSize);
  }
  for (const m of marks) {
    const color = m.color ?? MARK_COLOR;
    doc
      .lineWidth(lw * 1.2)
      .strokeColor(color)
      .fillColor(color);
    const g = m.geometry;
    if ('from' in g) {
      const [x0, y0] = at(g.from);
      const [x1, y1] = at(g.to);
      doc.moveTo(x0, y0).lineTo(x1, y1).stroke();
      const a = Math.atan2(y1 - y0, x1 - x0);
      const head = small ? 3 : 5;
      doc
        .moveTo(x1, y1)
        .lineTo(x1 - head * Math.cos(a - 0.45), y1 - head * Math.sin(a - 0.45))
        .lineTo(x1 - head * Math.cos(a + 0.45), y1 - head * Math.sin(a + 0.45))
        .closePath()
        .fill(color);
      label(w, m.label, [x0, y0], color, labelSize);
    } else if ('center' in g) {
      const [cx, cy] = at(g.center);
      doc.circle(cx, cy, Math.max(1, g.radius * s)).stroke();
      label(w, m.label, [cx + g.radius * s * 0.72, cy - g.radius * s * 0.72], color, labelSize);
    } else {
      const [x, y] = at(g.at);
      doc.circle(x, y, lw * 1.2).fill(color);
      w.textAt(`${m.label} ${m.text ?? ''}`.trim(), x + 2, y - labelSize - 1, { size: labelSize, color, width: Math.max(20, placed.x + placed.width - x - 2) });
    }
  }
  doc.restore();
}

function label(w: ReportWriter, text: string, p: [number, number], color: string, size: number): void {
  w.textAt(text, p[0] + 1.5, p[1] - size - 1.5, { font: 'bold', size, color, width: 30 });
}

function formatValue(m: ReportMeasurement): string {
  if (m.unit === 'mm') return `${m.value.toFixed(2)} mm`;
  if (m.unit === 'deg') return `${m.value.toFixed(1)}\u00b0`;
  return `${m.value.toFixed(3)} (ratio)`;
}

const KIND_TEXT: Record<ReportMeasurement['kind'], string> = {
  length: 'length',
  angle: 'slant angle (from the horizontal, counter-clockwise)',
  height_ratio: 'height ratio (first segment \u00f7 second)',
  baseline: 'baseline angle (rising to the right is positive)',
};

const MEASURE_COLUMNS: Column[] = [
  { header: '#', width: 26 },
  { header: 'On', width: 26 },
  { header: 'What', width: 232 },
  { header: 'Value', width: 74, align: 'right' },
  { header: 'Scale', width: 125 },
];

/** The bench record of an item: measurements, marks, notes, alignments. */
export function drawBenchRecord(w: ReportWriter, b: ReportBench, itemName: string): void {
  if (!b.marks.length && !b.measurements.length && !b.notes.length && !b.alignments.length) return;
  w.y += 4;
  w.ensure(60);
  w.text('Examiner\u2019s bench: measurements, marks and notes', { font: 'bold', size: 8.5, after: 2 });
  w.text('Recorded by the examiner on the crops shown above (A: marks, M: measurements; pixels of the crop, true scale from the DPI).', {
    size: 7.5,
    color: COLOR.muted,
    after: 4,
  });
  if (b.measurements.length) {
    const rows = b.measurements.map((m) => [
      m.label,
      m.on,
      m.what ? `${KIND_TEXT[m.kind]}: ${m.what}` : KIND_TEXT[m.kind],
      formatValue(m),
      m.dpi === null ? 'no DPI needed' : `${m.dpi} dpi (${m.dpiSource === 'document' ? 'the scan\u2019s' : 'given by the examiner'})`,
    ]);
    drawTable(w, MEASURE_COLUMNS, rows, { size: 8, padY: 2, continuationTitle: `${itemName}: measurements (continued)` });
    w.y += 4;
  }
  if (b.marks.length) {
    w.text('Marks', { font: 'bold', size: 8, color: COLOR.muted, after: 2 });
    for (const m of b.marks) w.text(`${m.label} (${m.on}) ${m.kind}${m.text ? `: ${m.text}` : ''}`, { size: 8.5, after: 1.5 });
    w.y += 3;
  }
  if (b.notes.length) {
    w.text('Notes', { font: 'bold', size: 8, color: COLOR.muted, after: 2 });
    for (const n of b.notes) w.text(`${n.on}, ${formatTimestamp(n.at)}: ${n.text}`, { size: 8.5, width: CONTENT_WIDTH, after: 2 });
    w.y += 3;
  }
  if (b.alignments.length) {
    w.text('Overlay alignments (K onto Q at true scale)', { font: 'bold', size: 8, color: COLOR.muted, after: 2 });
    for (const a of b.alignments) {
      const opacity = a.opacity === null ? '' : `, opacity ${a.opacity.toFixed(2)}`;
      const from = a.fromAutoFit ? ', adjusted from the automatic best fit' : '';
      w.text(
        `${a.on}: shift ${a.dxMm.toFixed(2)} mm right, ${a.dyMm.toFixed(2)} mm down; rotation ${a.rotationDeg.toFixed(1)}\u00b0 clockwise; scale ${a.scale.toFixed(3)}${opacity}${from}`,
        { size: 8.5, after: 1.5 },
      );
    }
  }
  w.y += 4;
}
