import type { FontRole } from './fonts.ts';
import { COLOR, PAGE, type ReportWriter } from './pdf-writer.ts';

export interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right' | 'center';
  font?: FontRole;
  /** Font size for this column's cells (default: the table's). */
  size?: number;
}

export interface Cell {
  text: string;
  font?: FontRole;
  color?: string;
}

export interface TableOptions {
  size?: number;
  x?: number;
  zebra?: boolean;
  /** Drawn at the top of each continuation page, above the repeated header row. */
  continuationTitle?: string;
  /** Vertical cell padding (default 3). */
  padY?: number;
}

const PAD_X = 4;

/**
 * A table that breaks across pages, repeating its header row (and a "continued"
 * title) on each new page. Rows are never split.
 */
export function drawTable(w: ReportWriter, columns: Column[], rows: Array<Array<string | Cell>>, opts: TableOptions = {}): void {
  const size = opts.size ?? 8;
  const PAD_Y = opts.padY ?? 3;
  const x0 = opts.x ?? PAGE.left;
  const totalWidth = columns.reduce((s, c) => s + c.width, 0);
  const cellOpts = (c: Column, cell: Cell) => ({
    font: cell.font ?? c.font ?? ('sans' as FontRole),
    size: c.size ?? size,
    color: cell.color,
    width: c.width - 2 * PAD_X,
    align: c.align ?? 'left',
    lineGap: 1,
  });

  const headerHeight = Math.max(...columns.map((c) => w.measure(c.header, { font: 'bold', size: size - 0.5, width: c.width - 2 * PAD_X }))) + 2 * PAD_Y;
  const drawHeader = () => {
    w.doc.save().rect(x0, w.y, totalWidth, headerHeight).fill(COLOR.headerFill).restore();
    let x = x0;
    for (const c of columns) {
      w.textAt(c.header, x + PAD_X, w.y + PAD_Y, { font: 'bold', size: size - 0.5, width: c.width - 2 * PAD_X, align: c.align ?? 'left', lineGap: 1 });
      x += c.width;
    }
    w.y += headerHeight;
    w.rule(w.y, COLOR.rule, 0.6, x0, x0 + totalWidth);
  };

  const previous = w.onPageBreak;
  w.onPageBreak = () => {
    if (opts.continuationTitle) w.text(opts.continuationTitle, { font: 'bold', size: 9.5, color: COLOR.muted, after: 4 });
    drawHeader();
  };
  w.ensure(headerHeight + 24);
  drawHeader();

  rows.forEach((row, r) => {
    const cells = row.map((v) => (typeof v === 'string' ? { text: v } : v));
    const h = Math.max(...cells.map((cell, i) => w.measure(cell.text, cellOpts(columns[i] as Column, cell)))) + 2 * PAD_Y;
    w.ensure(h);
    if (opts.zebra !== false && r % 2 === 1) w.doc.save().rect(x0, w.y, totalWidth, h).fill(COLOR.zebra).restore();
    let x = x0;
    cells.forEach((cell, i) => {
      const c = columns[i] as Column;
      w.textAt(cell.text, x + PAD_X, w.y + PAD_Y, cellOpts(c, cell));
      x += c.width;
    });
    w.y += h;
  });
  w.rule(w.y, COLOR.rule, 0.6, x0, x0 + totalWidth);
  w.y += 6;
  w.onPageBreak = previous;
}
