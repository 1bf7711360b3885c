import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalReportJson, reportContentHash, renderReport } from '../../../src-main/core/report/index.ts';
import { canonicalJson } from '../../../src-main/core/report/content-hash.ts';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { buildReportInput } from '../../helpers/report-fixtures.ts';
import { pdfPages } from '../../helpers/poppler.ts';

const T1 = '2025-03-14T09:26:53.000Z';
const T2 = '2026-11-02T17:48:09.000Z';

/** The lines (LF-separated) of `a` that differ from `b`, for buffers of equal length. */
function differingLines(a: Buffer, b: Buffer): string[] {
  const lines = new Map<number, string>();
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const start = a.lastIndexOf(10, i) + 1;
    if (!lines.has(start)) lines.set(start, a.subarray(start, a.indexOf(10, i)).toString('latin1'));
  }
  return [...lines.values()];
}

describe('report determinism', async () => {
  const input = await buildReportInput({ items: 4, generatedAt: T1 });

  it('renders the same input to byte-identical PDFs', async () => {
    const a = await renderReport(input);
    const b = await renderReport(structuredClone(input));
    assert.equal(a.contentHash, b.contentHash);
    assert.ok(a.pdf.equals(b.pdf), 'identical bytes');
  });

  it('changes only the timestamp when only generatedAt changes', async () => {
    const later = { ...input, generatedAt: T2 };
    // uncompressed content streams, so a difference shows where it is
    const a = await renderReport(input, { compress: false });
    const b = await renderReport(later, { compress: false });
    assert.equal(a.contentHash, b.contentHash, 'the content hash leaves the timestamp out');
    assert.equal(a.pages, b.pages);
    assert.equal(a.pdf.length, b.pdf.length, 'the timestamp never changes the layout');
    const lines = differingLines(a.pdf, b.pdf);
    const textShows = lines.filter((l) => / TJ$/.test(l));
    const other = lines.filter((l) => !/ TJ$/.test(l));
    // one drawn timestamp on the cover plus one in each page footer
    assert.equal(textShows.length, a.pages + 1, `${textShows.length} text lines differ`);
    assert.deepEqual(
      other.sort(),
      [
        '            <xmp:CreateDate>2025-03-14T09:26:53Z</xmp:CreateDate>',
        '(D:20250314092653Z)',
        expect(other, /^\/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]$/),
      ].sort(),
    );
    // and the words on every page are the same apart from the timestamp
    const norm = (pdf: Buffer, ts: string) => pdfPages(pdf).map((p) => p.split(ts).join('<timestamp>'));
    assert.deepEqual(norm(a.pdf, '2025-03-14 09:26:53 UTC'), norm(b.pdf, '2026-11-02 17:48:09 UTC'));
  });
});

function expect(lines: string[], re: RegExp): string {
  const hit = lines.find((l) => re.test(l));
  assert.ok(hit, `a line matching ${re}`);
  return hit;
}

describe('report content hash', async () => {
  const input = await buildReportInput({ items: 2 });

  it('is the SHA-256 of the canonical JSON without generatedAt', () => {
    const json = canonicalReportJson(input);
    assert.ok(!json.includes('generatedAt'));
    assert.equal(reportContentHash(input), createHash('sha256').update(json, 'utf8').digest('hex'));
    assert.equal(reportContentHash({ ...input, generatedAt: T2 }), reportContentHash(input));
  });

  it('writes keys sorted, no whitespace, images as their SHA-256', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, 'x', null], c: undefined }), '{"a":[true,"x",null],"b":1}');
    const png = Buffer.from('abc');
    assert.equal(canonicalJson({ png }), `{"png":{"sha256":"${createHash('sha256').update(png).digest('hex')}"}}`);
    assert.throws(() => canonicalJson({ x: Number.NaN }), /non-finite/);
  });

  it('changes when any shown figure or image changes', async () => {
    const base = reportContentHash(input);
    const changed = structuredClone(input);
    changed.items[0]!.references[0]!.distance += 0.001;
    assert.notEqual(reportContentHash(changed), base);
    const img = structuredClone(input);
    const raw = await sharp(img.items[1]!.questionedPng).raw().toBuffer({ resolveWithObject: true });
    raw.data[0] = raw.data[0]! ^ 0xff; // one pixel
    img.items[1]!.questionedPng = await sharp(raw.data, { raw: raw.info }).png().toBuffer();
    assert.notEqual(reportContentHash(img), base);
    assert.notEqual(reportContentHash({ ...input, case: { ...input.case, examiner: 'Someone Else' } }), base);
  });
});
