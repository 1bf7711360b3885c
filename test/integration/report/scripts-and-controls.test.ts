/**
 * Issue 15, item 10 in the PDF: names in any script are drawn (a bundled fallback font, only
 * the glyphs used embedded), a character no font has is a visible escape, and control
 * characters in names are shown, not obeyed (a newline does not split a name).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { renderReport } from '../../../src-main/core/report/index.ts';
import { buildReportInput } from '../../helpers/report-fixtures.ts';
import { pdfPages } from '../../helpers/poppler.ts';

function pdfFonts(pdf: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'countersign-fonts-'));
  try {
    writeFileSync(path.join(dir, 'r.pdf'), pdf);
    return execFileSync('pdffonts', [path.join(dir, 'r.pdf')]).toString('utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The words of page 1 as placed (pdftotext -bbox: visual order, no bidi reordering). */
function pageOneWords(pdf: Buffer): Array<{ x: number; y: number; text: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'countersign-words-'));
  try {
    writeFileSync(path.join(dir, 'r.pdf'), pdf);
    const xml = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-bbox', path.join(dir, 'r.pdf'), '-']).toString('utf8');
    return [...xml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3]! }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NAMES = {
  chinese: '李小龍',
  japanese: 'やまだ ヤマダ',
  korean: '김민준',
  hindi: 'राम कुमार',
  thai: 'สมชาย',
  urdu: 'پښتو ګ',
};

describe('report: scripts beyond DejaVu, and control characters in names', async () => {
  const input = await buildReportInput({ items: 3, refsPerSubject: 3 });
  input.case.name = `Estate of ${NAMES.chinese} (${NAMES.korean})`;
  input.case.examiner = `Dr. ${NAMES.japanese}`;
  input.laboratory = 'Lab of שלום עולם and محمد علي';
  input.items[0]!.claimedSubject = NAMES.hindi;
  input.items[1]!.claimedSubject = NAMES.thai;
  input.items[2]!.claimedSubject = NAMES.urdu;
  // a file name with a newline (forging a second line) and ESC sequences, one with an emoji
  input.items[0]!.documentLabel = 'scan\nforged.png \x1b[31mred\u202e';
  // 𠮷 (U+20BB7, in Japanese family names) is in CJK Extension B, which no bundled font has
  input.items[1]!.documentLabel = 'receipt \u{20BB7}田.png';
  const report = await renderReport(input);
  const text = pdfPages(report.pdf).join('\n');

  it('draws Chinese, Japanese, Korean, Hindi and Thai names, as text a reader can copy', () => {
    for (const name of [NAMES.chinese, NAMES.korean, NAMES.hindi.split(' ')[1]!, 'やまだ', 'ヤマダ']) assert.ok(text.includes(name), name);
    assert.ok(text.includes(`Estate of ${NAMES.chinese}`), 'in one line with the Latin text around it');
  });

  it('places right-to-left words from the right, with the spaces between them kept', () => {
    const words = pageOneWords(report.pdf);
    const lab = words.find((w) => w.text === 'LAB')!; // the kicker line is upper-cased
    const line = words.filter((w) => Math.abs(w.y - lab.y) < 1).map((w) => w.text);
    const visual = (s: string) => Array.from(s).reverse().join(''); // letters as placed, left to right
    assert.deepEqual(line.slice(0, 7), ['LAB', 'OF', visual('עולם'), visual('שלום'), 'AND', visual('علي'), visual('محمد')], line.join(' '));
  });

  it('embeds the fallback fonts it used, and only those', () => {
    const fonts = pdfFonts(report.pdf);
    assert.match(fonts, /WenQuanYiMicroHei/);
    assert.match(fonts, /NotoSansDevanagari/);
    assert.match(fonts, /NotoSansThai/);
    assert.doesNotMatch(fonts, /NotoSansTamil/, 'a script the report does not use is not embedded');
  });

  it('shows control characters in a file name as escapes, in one piece', () => {
    assert.ok(text.includes('scan\\nforged.png \\x1b[31mred\\u202e'), 'the newline, ESC and override are visible escapes');
    assert.ok(!/^forged\.png/m.test(text), 'the newline did not start a line');
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/.test(text), 'no control character reached the page');
  });

  it('writes a character that no bundled font has as its code, never blank', () => {
    assert.ok(text.includes('receipt \\u{20bb7}田.png'), 'U+20BB7 is shown as \\u{20bb7}, the next character as itself');
  });

  it('keeps the report byte-identical for the same input and the content hash over the data as recorded', async () => {
    const again = await renderReport(input);
    assert.equal(again.contentHash, report.contentHash);
    assert.ok(again.pdf.equals(report.pdf));
    const other = await renderReport({
      ...input,
      items: input.items.map((it, i) => (i === 0 ? { ...it, documentLabel: 'scan\\nforged.png \\x1b[31mred\\u202e' } : it)),
    });
    assert.notEqual(other.contentHash, report.contentHash, 'an escaped-looking name is not the same data as the name with controls');
  });
});
