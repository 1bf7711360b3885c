/** pdftotext / pdftoppm (Debian's poppler-utils) over PDF buffers, and an ink measure for rendered regions. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { ReportFigure } from '../../src-main/core/report/index.ts';

function withPdf<T>(pdf: Buffer, fn: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'countersign-report-'));
  try {
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    return fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of each page (pdftotext separates pages with form feeds). */
export function pdfPages(pdf: Buffer): string[] {
  return withPdf(pdf, (file) => {
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { maxBuffer: 64 << 20 }).toString('utf8');
    const pages = text.split('\f');
    if (pages[pages.length - 1] === '') pages.pop();
    return pages;
  });
}

/** One page rendered to PNG at `dpi`. */
export function renderPage(pdf: Buffer, page: number, dpi: number): Buffer {
  return withPdf(pdf, (file, dir) => {
    const out = path.join(dir, 'page');
    execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', file, out]);
    return readFileSync(`${out}.png`);
  });
}

/**
 * Share of pixels in a figure's rectangle (PDF points) darker than the paper: the
 * fraction of "ink". A blank or missing image gives ~0.
 */
export async function inkFraction(pagePng: Buffer, dpi: number, fig: Pick<ReportFigure, 'x' | 'y' | 'width' | 'height'>): Promise<number> {
  const s = dpi / 72;
  const meta = await sharp(pagePng).metadata();
  const left = Math.max(0, Math.ceil(fig.x * s) + 1);
  const top = Math.max(0, Math.ceil(fig.y * s) + 1);
  const width = Math.min((meta.width ?? 0) - left, Math.floor(fig.width * s) - 2);
  const height = Math.min((meta.height ?? 0) - top, Math.floor(fig.height * s) - 2);
  const { data } = await sharp(pagePng).extract({ left, top, width, height }).greyscale().raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (const v of data) if (v < 200) ink++;
  return ink / data.length;
}
