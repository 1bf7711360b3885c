import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT_DIR } from '../../../src-main/core/paths.ts';
import { renderReport } from '../../../src-main/core/report/index.ts';
import { buildReportInput } from '../../helpers/report-fixtures.ts';
import { pdfPages, renderPage } from '../../helpers/poppler.ts';

const ARTIFACTS = path.join(ROOT_DIR, 'test-artifacts');
const ITEMS = 100;

describe(`report: a ${ITEMS}-item case`, async () => {
  const input = await buildReportInput({ items: ITEMS });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await renderReport(input);
  const wallMs = performance.now() - started;
  const cpuUsed = process.cpuUsage(cpu);
  const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000;
  const pages = pdfPages(report.pdf);
  const firstItemPage = pages.findIndex((p) => p.includes(`QUESTIONED ITEM 1 OF ${ITEMS}`));
  const summaryPages = pages.slice(0, firstItemPage);

  it('renders well within 30 seconds', (t) => {
    t.diagnostic(`${ITEMS} items: ${report.pages} pages, ${(report.pdf.length / 1e6).toFixed(1)} MB, ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU`);
    assert.ok(wallMs < 30_000, `${wallMs} ms`);
  });

  it('paginates: the summary table continues with its header, one section per item', () => {
    assert.equal(pages.length, report.pages);
    assert.ok(summaryPages.length >= 3 && summaryPages.length <= 8, `${summaryPages.length} summary pages`);
    for (const p of summaryPages.slice(1)) {
      assert.ok(p.includes('Summary of questioned items (continued)'));
      assert.ok(p.includes('Claimed subject') && p.includes('Verbal equivalent'), 'header row repeated');
    }
    // every document exactly once in the summary, in order
    const ids = summaryPages.join('\n').match(/DOC-\d{4}/g) ?? [];
    assert.deepEqual(
      ids,
      input.items.map((it) => it.documentId),
    );
    for (let i = 0; i < ITEMS; i++) {
      assert.equal(pages.filter((p) => p.includes(`QUESTIONED ITEM ${i + 1} OF ${ITEMS}`)).length, 1, `item ${i + 1}`);
    }
    // cover+summary, one page per item, appendix (2), integrity (several: ~270 input files)
    assert.ok(report.pages >= summaryPages.length + ITEMS + 3 && report.pages <= summaryPages.length + ITEMS + 16, `${report.pages} pages`);
    assert.match(pages[pages.length - 1]!, new RegExp(`Page ${report.pages} of ${report.pages}`));
  });

  it('embeds each reference thumbnail once for all items of its subject', () => {
    const distinctRefs = new Set(input.items.flatMap((it) => it.references.map((r) => r.signatureId))).size;
    const images = (report.pdf.toString('latin1').match(/\/Subtype \/Image/g) ?? []).length;
    const contexts = input.items.filter((it) => it.contextPng).length;
    assert.equal(images, ITEMS + contexts + distinctRefs);
  });

  it('saves a summary page and an item page for people to look at', () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'report-100-items.pdf'), report.pdf);
    writeFileSync(path.join(ARTIFACTS, 'report-page-summary.png'), renderPage(report.pdf, 1, 100));
    writeFileSync(path.join(ARTIFACTS, 'report-page-summary-continued.png'), renderPage(report.pdf, 2, 100));
    writeFileSync(path.join(ARTIFACTS, 'report-page-item.png'), renderPage(report.pdf, firstItemPage + 3, 100));
    writeFileSync(path.join(ARTIFACTS, 'report-page-appendix.png'), renderPage(report.pdf, firstItemPage + ITEMS + 2, 100));
  });
});
