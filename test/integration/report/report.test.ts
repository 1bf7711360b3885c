import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { AppError } from '../../../src-main/core/errors.ts';
import { renderReport, type ReportInput } from '../../../src-main/core/report/index.ts';
import { buildReportInput } from '../../helpers/report-fixtures.ts';
import { inkFraction, pdfPages, renderPage } from '../../helpers/poppler.ts';

const blankPng = () =>
  sharp({ create: { width: 400, height: 160, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();

describe('report: content of a small case', async () => {
  const input = await buildReportInput({ items: 6 });
  // a questioned crop that is pure white: the ink check must see it as blank
  input.items[1]!.questionedPng = await blankPng();
  const report = await renderReport(input);
  const pages = pdfPages(report.pdf);
  const text = pages.join('\n');

  it('reports its page count and every page is numbered "Page X of Y"', () => {
    assert.equal(pages.length, report.pages);
    assert.ok(report.pages >= 6 + 3, `pages: ${report.pages}`);
    pages.forEach((p, i) => assert.match(p, new RegExp(`Page ${i + 1} of ${report.pages}`)));
    // the running header names the case from page 2 on
    assert.ok(pages.slice(1).every((p) => p.includes('Estate of Ωμέγα Жанна')));
  });

  it('shows the case, examiner, propositions, every document id and the model SHA-256', () => {
    assert.ok(text.includes(input.case.name));
    assert.ok(text.includes('Dr. Zoë Παπαδάκη-Соколова'));
    assert.ok(text.includes('The questioned signature was written by the claimed subject.'));
    for (const item of input.items) {
      assert.ok(text.includes(item.documentId), item.documentId);
      // its own section, with the subject named in the propositions
      assert.ok(text.includes(`Hp: The questioned signature was written by ${item.claimedSubject}.`), item.claimedSubject);
    }
    assert.ok(text.includes(input.model.sha256));
    assert.ok(text.includes(input.integrity.auditHeadHash!));
    assert.ok(text.includes(report.contentHash));
  });

  it('renders Latin, Greek and Cyrillic names with the embedded font', () => {
    for (const name of ['Zoë Ωμέγα Жанна', 'Ελένη Παπαδοπούλου', 'Жанна Иванова', 'Łukasz Żółć', 'José Núñez']) {
      assert.ok(text.includes(name), name);
    }
  });

  it('gives each item its LR, verbal equivalent, decision and warnings', () => {
    const item = pages.find((p) => p.includes('QUESTIONED ITEM 4 OF 6'))!;
    assert.ok(item, 'item 4 has a section');
    assert.match(item, /log10 LR = \+\d\.\d\d/);
    assert.match(item, /The findings provide .* support for the proposition/);
    assert.match(item, /Decision at the threshold 0\.700 \(case threshold; mean distance 0\.\d{3}\): Supports genuine/);
    assert.match(item, /^cheque_\d+\.png$/m, 'headed by the document name, not its id');
    assert.match(item, /FEW_REFERENCES: only 3 known signatures/);
    assert.match(item, /Known signatures of Жанна Иванова \(K\), n = 3/);
  });

  it('has the appendix, the integrity section and a sign-off block', () => {
    assert.ok(text.includes('Method, model and validation'));
    assert.ok(text.includes('Equal error rate (EER)'));
    assert.ok(text.includes('Cllr'));
    assert.ok(text.includes('DET curve'));
    for (const f of input.integrity.inputs) assert.ok(text.includes(f.sha256), f.path);
    assert.ok(text.includes('support, and do not replace, the conclusion of the examiner'));
    assert.match(pages[pages.length - 1]!, /Examiner\s[\s\S]*Signature\s[\s\S]*Date/);
  });

  it('draws the signature images: questioned, context and references are not blank', async () => {
    const dpi = 50;
    const byPage = new Map<number, typeof report.figures>();
    for (const f of report.figures) byPage.set(f.page, [...(byPage.get(f.page) ?? []), f]);
    let checked = 0;
    for (const [page, figs] of byPage) {
      const png = renderPage(report.pdf, page, dpi);
      for (const f of figs) {
        const ink = await inkFraction(png, dpi, f);
        if (f.documentId === 'DOC-0002' && f.kind === 'questioned') {
          assert.ok(ink < 0.001, `the white test image reads as blank (ink ${ink})`);
        } else {
          assert.ok(ink > 0.01, `${f.documentId} ${f.kind} ${f.signatureId ?? ''} on page ${page}: ink ${ink.toFixed(4)}`);
        }
        checked++;
      }
      // and the empty left margin reads as blank: the measure can tell
      assert.ok((await inkFraction(png, dpi, { x: 8, y: 100, width: 40, height: 600 })) < 0.001);
    }
    const expected = input.items.reduce((s, it) => s + 1 + (it.contextPng ? 1 : 0) + it.references.length, 0);
    assert.equal(checked, expected);
  });
});

describe('report: special cases', () => {
  it('says the model is uncalibrated instead of inventing a likelihood ratio', async () => {
    const input = await buildReportInput({ items: 3, calibrated: false });
    const text = pdfPages((await renderReport(input)).pdf).join('\n');
    assert.ok(text.includes('No likelihood ratio: the model is not calibrated'));
    assert.ok(text.includes('The model is not calibrated: no likelihood ratios are given.'));
    assert.ok(!text.includes('LR ≈'), 'no LR value anywhere');
    assert.ok(text.includes('not available (uncalibrated)'));
  });

  it('carries a long reference list over pages with its header repeated', async () => {
    const input = await buildReportInput({ items: 2 });
    const item = input.items[0]!;
    const base = item.references;
    item.references = Array.from({ length: 60 }, (_, j) => ({ ...base[j % base.length]!, signatureId: `many-${j + 1}`, label: `mandate_card_${j + 1}.png` }));
    const report = await renderReport(input);
    const pages = pdfPages(report.pdf);
    const cont = pages.filter((p) => p.includes(`${item.documentLabel.split('/').pop()}: distances to the references (continued)`));
    assert.ok(cont.length >= 1, 'the distance table continues');
    assert.ok(
      cont.every((p) => p.includes('d(Q, K)')),
      'with its header row',
    );
    assert.ok(pages.some((p) => p.includes('K60') && p.includes('mandate_card_60.png')));
    assert.equal(report.figures.filter((f) => f.documentId === 'DOC-0001' && f.kind === 'reference').length, 60);
  });

  it('renders an item without references or K-K pairs, and a case without items', async () => {
    const input = await buildReportInput({ items: 1 });
    const item = input.items[0]!;
    item.references = [];
    item.kkSpread = { min: 0, median: 0, max: 0, values: [] };
    item.qPercentile = null;
    item.contextPng = null;
    const pages = pdfPages((await renderReport(input)).pdf)
      .join('\n')
      .replace(/\s+/g, ' ');
    assert.match(pages, /Known signatures of .* \(K\), n = 0/);
    assert.ok(pages.includes('No reference signatures.'));
    assert.ok(pages.includes('not available (fewer than two references)'));
    const empty = await renderReport({ ...input, items: [] });
    assert.ok(pdfPages(empty.pdf).join('\n').includes('Of 0 questioned signatures'));
  });

  it('rejects a bad field with its path', async () => {
    const input: ReportInput = await buildReportInput({ items: 2 });
    input.items[1]!.references[2]!.distance = Number.NaN;
    await assert.rejects(renderReport(input), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.match(err.message, /items\[1\]\.references\[2\]\.distance: expected a finite number/);
      return true;
    });
    input.items[1]!.references[2]!.distance = 0.4;
    input.items[0]!.questionedPng = Buffer.from('not a png');
    await assert.rejects(renderReport(input), /items\[0\]\.questionedPng: expected a PNG image buffer/);
  });
});
