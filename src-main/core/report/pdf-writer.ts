/**
 * Page geometry, colours and a small cursor-based writer over pdfkit. Pages have zero
 * pdfkit margins: every position is explicit and the writer breaks pages itself, so
 * pdfkit never adds a page on its own and the running header/footer stay in place.
 */
import { visible } from '../util/visible.ts';
import { fallbackFontData, type FontRole } from './fonts.ts';
import { placementOrder, TextRuns, type Run, type RunLine } from './text-runs.ts';
import type { ReportFigure } from './types.ts';

export const PAGE = {
  width: 595.28, // A4
  height: 841.89,
  left: 56,
  right: 56,
  top: 70,
  bottom: 66,
} as const;
export const CONTENT_WIDTH = PAGE.width - PAGE.left - PAGE.right;
export const BODY_BOTTOM = PAGE.height - PAGE.bottom;

export const COLOR = {
  text: '#1b1b1b',
  muted: '#5c6166',
  rule: '#8c9196',
  hairline: '#c9cdd1',
  headerFill: '#e9ecef',
  zebra: '#f6f7f8',
  panel: '#f3f4f6',
  accent: '#1f3a5f',
  q: '#9b1c1c',
  k: '#3d4a55',
  band: '#e4e6e9',
} as const;

export const FONT: Record<FontRole, string> = { sans: 'Sans', bold: 'Sans-Bold', mono: 'Mono' };

/**
 * What is drawn of a string: control characters as visible escapes (util/visible.ts), line
 * breaks kept. Names, paths and labels arrive with their own newlines already escaped
 * (display.ts), so a line break here is always the report's own.
 */
export function shown(str: string): string {
  return str.includes('\n') ? str.split('\n').map(visible).join('\n') : visible(str);
}

export interface TextOptions {
  font?: FontRole;
  size?: number;
  color?: string;
  x?: number;
  width?: number;
  align?: 'left' | 'right' | 'center' | 'justify';
  lineGap?: number;
  /** Space added below the text. */
  after?: number;
  characterSpacing?: number;
}

export class ReportWriter {
  y: number = PAGE.top;
  readonly figures: ReportFigure[] = [];
  /** Drawn after all body content (timestamps, page numbers): see render.ts on determinism. */
  readonly deferred: Array<() => void> = [];
  /** Called after each page break made by the writer (e.g. to repeat a table header). */
  onPageBreak: (() => void) | null = null;
  private readonly fitCache = new Map<string, string[] | null>();
  private readonly runLineCache = new Map<string, RunLine[]>();
  private characterSpacing = 0;
  /** Text that needs a fallback font (another script) or an escape for a missing glyph. */
  private readonly textRuns: TextRuns;

  constructor(readonly doc: PDFKit.PDFDocument) {
    this.textRuns = new TextRuns(FONT, {
      width: (text, font) => this.doc.font(font).widthOfString(text, { characterSpacing: this.characterSpacing }),
      register: (f) => void this.doc.registerFont(f.name, fallbackFontData(f), f.face),
    });
  }

  /** 1-based number of the page being written. */
  get page(): number {
    const r = this.doc.bufferedPageRange();
    return r.start + r.count;
  }

  newPage(): void {
    this.doc.addPage({ size: 'A4', margins: { top: 0, bottom: 0, left: 0, right: 0 } });
    this.y = PAGE.top;
  }

  /** Starts a new page unless `height` still fits; returns true when it broke the page. */
  ensure(height: number): boolean {
    if (this.y + height <= BODY_BOTTOM) return false;
    this.newPage();
    this.onPageBreak?.();
    return true;
  }

  get remaining(): number {
    return BODY_BOTTOM - this.y;
  }

  style(o: TextOptions): PDFKit.PDFDocument {
    return this.doc
      .font(FONT[o.font ?? 'sans'])
      .fontSize(o.size ?? 9)
      .fillColor(o.color ?? COLOR.text);
  }

  measure(raw: string, o: TextOptions = {}): number {
    const str = shown(raw);
    this.style(o);
    const lineGap = o.lineGap ?? 1.5;
    const runs = this.textRuns.runs(str, o.font ?? 'sans');
    if (runs) return this.runLines(str, runs, o).length * (this.doc.currentLineHeight(true) + lineGap);
    const lines = this.fittingLines(str, o);
    if (lines) return lines.length * (this.doc.currentLineHeight(true) + lineGap);
    return this.doc.heightOfString(str, { width: o.width ?? CONTENT_WIDTH, lineGap, characterSpacing: o.characterSpacing ?? 0 });
  }

  /**
   * The lines of `str` when no line needs wrapping (the common case: labels, numbers,
   * table cells), else null. pdfkit's line wrapper is the costliest part of a report;
   * lines that fit are measured and drawn without it, with the same metrics.
   */
  private fittingLines(str: string, o: TextOptions): string[] | null {
    if (o.align === 'justify') return null;
    const width = o.width ?? CONTENT_WIDTH;
    const cs = o.characterSpacing ?? 0;
    // measure() and textAt() ask the same question for each string: answer it once
    const key = `${o.font ?? 'sans'}|${o.size ?? 9}|${cs}|${width}|${str}`;
    const known = this.fitCache.get(key);
    if (known !== undefined) return known;
    let lines: string[] | null = str.split('\n');
    for (const line of lines) {
      if (!line.trim() || line !== line.trim() || this.doc.widthOfString(line, { characterSpacing: cs }) > width) {
        lines = null;
        break;
      }
    }
    this.fitCache.set(key, lines);
    return lines;
  }

  /** Draws wrapped text at the cursor (breaking the page first if it does not fit) and advances it. */
  text(str: string, o: TextOptions = {}): void {
    const h = this.measure(str, o);
    this.ensure(h);
    this.textAt(str, o.x ?? PAGE.left, this.y, o);
    this.y += h + (o.after ?? 0);
  }

  /** Draws text at a fixed position without moving the cursor. */
  textAt(raw: string, x: number, y: number, o: TextOptions = {}): void {
    const str = shown(raw);
    const doc = this.style(o);
    const width = o.width ?? CONTENT_WIDTH;
    const lineGap = o.lineGap ?? 1.5;
    const characterSpacing = o.characterSpacing ?? 0;
    const runs = this.textRuns.runs(str, o.font ?? 'sans');
    if (runs) return this.drawRunLines(this.runLines(str, runs, o), x, y, o);
    const lines = this.fittingLines(str, o);
    if (!lines) {
      doc.text(str, x, y, { width, align: o.align ?? 'left', lineGap, characterSpacing });
      return;
    }
    const lineHeight = doc.currentLineHeight(true) + lineGap;
    lines.forEach((line, i) => {
      const free = width - doc.widthOfString(line, { characterSpacing });
      const dx = o.align === 'right' ? free : o.align === 'center' ? free / 2 : 0;
      doc.text(line, x + dx, y + i * lineHeight, { lineBreak: false, lineGap, characterSpacing });
    });
  }

  /** Single line, cut with an ellipsis to fit `width`. */
  fit(raw: string, width: number, o: TextOptions = {}): string {
    const str = shown(raw);
    this.style(o);
    if (this.textRuns.runs(str, o.font ?? 'sans')) return this.fitRuns(str, width, o);
    if (this.doc.widthOfString(str) <= width) return str;
    let lo = 0;
    let hi = str.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.doc.widthOfString(`${str.slice(0, mid)}\u2026`) <= width) lo = mid;
      else hi = mid - 1;
    }
    return `${str.slice(0, lo)}\u2026`;
  }

  /** Lines of text that needs other fonts, wrapped here (see text-runs.ts); sizes as the caller's style. */
  private runLines(str: string, runs: Run[], o: TextOptions): RunLine[] {
    const width = o.width ?? CONTENT_WIDTH;
    const key = `${o.font ?? 'sans'}|${o.size ?? 9}|${o.characterSpacing ?? 0}|${width}|${str}`;
    let lines = this.runLineCache.get(key);
    if (!lines) {
      this.characterSpacing = o.characterSpacing ?? 0;
      lines = this.textRuns.wrap(runs, width);
      this.runLineCache.set(key, lines);
      this.style(o); // measuring switched fonts
    }
    return lines;
  }

  /** Draws run lines run by run on a common baseline: the primary font's, as pdfkit places it. */
  private drawRunLines(lines: RunLine[], x: number, y: number, o: TextOptions): void {
    const doc = this.style(o);
    const size = o.size ?? 9;
    const width = o.width ?? CONTENT_WIDTH;
    const characterSpacing = o.characterSpacing ?? 0;
    this.characterSpacing = characterSpacing;
    const lineHeight = doc.currentLineHeight(true) + (o.lineGap ?? 1.5);
    const ascent = this.textRuns.ascent(o.font ?? 'sans') * size;
    lines.forEach((line, i) => {
      const free = width - line.width;
      let cx = x + (o.align === 'right' ? free : o.align === 'center' ? free / 2 : 0);
      for (const run of line.runs) {
        for (const piece of placementOrder(run)) {
          const w = this.textRuns.widthOf([{ text: piece, font: run.font }]);
          if (piece.trim()) {
            doc
              .font(run.font)
              .fontSize(size)
              .fillColor(o.color ?? COLOR.text);
            doc.text(piece, cx, y + i * lineHeight + ascent, { lineBreak: false, baseline: 'alphabetic', characterSpacing });
          }
          cx += w;
        }
      }
    });
    this.style(o);
  }

  /** fit() for text that needs other fonts: cut between characters, never inside a surrogate pair. */
  private fitRuns(str: string, width: number, o: TextOptions): string {
    const role = o.font ?? 'sans';
    this.characterSpacing = 0;
    const widthOf = (s: string) => {
      const runs = this.textRuns.runs(s, role);
      const w = runs ? this.textRuns.widthOf(runs) : this.doc.font(FONT[role]).widthOfString(s);
      return w;
    };
    try {
      if (widthOf(str) <= width) return str;
      const chars = Array.from(str);
      let lo = 0;
      let hi = chars.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (widthOf(`${chars.slice(0, mid).join('')}\u2026`) <= width) lo = mid;
        else hi = mid - 1;
      }
      return `${chars.slice(0, lo).join('')}\u2026`;
    } finally {
      this.style(o);
    }
  }

  heading(str: string, level: 1 | 2 | 3 = 1): void {
    const size = level === 1 ? 15 : level === 2 ? 11 : 9.5;
    const before = level === 1 ? 0 : level === 2 ? 8 : 5;
    const h = this.measure(str, { font: 'bold', size }) + (level === 1 ? 10 : 5);
    // keep a heading with at least a few lines of what follows
    this.ensure(h + before + 40);
    this.y += before;
    this.textAt(str, PAGE.left, this.y, { font: 'bold', size, color: level === 1 ? COLOR.accent : COLOR.text });
    this.y += h - (level === 1 ? 10 : 5);
    if (level === 1) {
      this.rule(this.y + 3, COLOR.accent, 0.8);
      this.y += 10;
    } else this.y += 4;
  }

  rule(y: number = this.y, color: string = COLOR.hairline, width = 0.5, x0: number = PAGE.left, x1: number = PAGE.width - PAGE.right): void {
    this.doc.save().moveTo(x0, y).lineTo(x1, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  /** Label/value rows in two columns; values wrap. Returns where each row's value was put. */
  keyValues(rows: Array<[string, string, TextOptions?]>, labelWidth = 130, o: TextOptions = {}): Array<{ page: number; x: number; y: number }> {
    const placed: Array<{ page: number; x: number; y: number }> = [];
    const x = o.x ?? PAGE.left;
    const width = o.width ?? CONTENT_WIDTH;
    const size = o.size ?? 9;
    for (const [label, value, vo] of rows) {
      const valueOpts: TextOptions = { size, ...vo, width: width - labelWidth };
      const h = Math.max(this.measure(label, { size, width: labelWidth - 8 }), this.measure(value, valueOpts)) + 3.5;
      this.ensure(h);
      this.textAt(label, x, this.y, { size, color: COLOR.muted, width: labelWidth - 8 });
      this.textAt(value, x + labelWidth, this.y, valueOpts);
      placed.push({ page: this.page, x: x + labelWidth, y: this.y });
      this.y += h;
    }
    return placed;
  }
}
