// The examiner's bench in the report: marks drawn onto the Q and K crops, measurements listed
// with value, unit and what, notes with their text; deleted records left out; the anchor moves.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { BenchRepository } from '../../../src-main/core/bench/index.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { createCaseReport } from '../../../src-main/core/report/case-report.ts';
import { buildCaseReport } from '../../../src-main/core/report/from-case.ts';
import { renderReport, type ReportFigure } from '../../../src-main/core/report/index.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { verifyCase } from '../../../src-main/core/verify/verify-case.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';
import { pdfPages, renderPage } from '../../helpers/poppler.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-report-'));
after(() => rmSync(root, { recursive: true, force: true }));

const DPI = 100;

/** Pixels of the mark colour (#c0392b, strongly red) inside a figure's rectangle. */
async function redPixels(pdf: Buffer, fig: ReportFigure): Promise<number> {
  const page = renderPage(pdf, fig.page, DPI);
  const s = DPI / 72;
  const { data, info } = await sharp(page)
    .extract({ left: Math.floor(fig.x * s), top: Math.floor(fig.y * s), width: Math.ceil(fig.width * s), height: Math.ceil(fig.height * s) })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i]! > 150 && data[i + 1]! < 110 && data[i + 2]! < 110) n++;
  return n;
}

describe('bench records in the report', () => {
  let store: Store;
  let fx: VerifiableCase;
  let plainPdf: Buffer;
  let plainFigures: ReportFigure[];
  let plainHash: string;

  before(async () => {
    const dir = path.join(root, 'data');
    const m = await saveTinyModel(dir);
    setActiveModel(dir, m.id);
    store = openStore(dir, { client: 'cli' });
    fx = await seedVerifiableCase(store, { name: 'Bench case', subjects: 1, known: 3, questioned: 1 });
    await verifyCase(store, fx.caseId, { workers: 1 });
    const plain = await renderReport((await buildCaseReport(store, fx.caseId, { generatedAt: '2026-01-02T03:04:05.000Z' })).input);
    plainPdf = plain.pdf;
    plainFigures = plain.figures;
    plainHash = plain.contentHash;
  });
  after(() => store.close());

  it('draws marks onto the Q and K crops and lists measurements, marks and notes in the item section', async () => {
    const bench = new BenchRepository(store);
    const q = fx.questioned[0]!.signatureId;
    const k2 = fx.known[1]!.signatureId;
    await bench.createMeasurement({
      signatureId: q,
      kind: 'length',
      points: [
        [10, 30],
        [10 + 78.74, 30],
      ],
      dpi: DPI,
      label: 'span of the first name',
    });
    await bench.createMeasurement({
      signatureId: q,
      kind: 'angle',
      points: [
        [40, 60],
        [60, 20],
      ],
      label: 'downstroke of the capital',
    });
    await bench.createAnnotation({ kind: 'circle', signatureId: q, center: [60, 40], radius: 25, text: 'retouched loop' });
    await bench.createAnnotation({ kind: 'arrow', signatureId: k2, from: [5, 5], to: [50, 35], text: 'same entry stroke' });
    const dropped = await bench.createAnnotation({ kind: 'text', signatureId: q, at: [5, 5], text: 'withdrawn remark' });
    bench.deleteAnnotation({ id: dropped.id, reason: 'wrong item' });
    await bench.createAnnotation({ kind: 'note', signatureId: q, text: 'Line quality: slow, with blunt endings.' });
    await bench.createAlignment({
      questionedSignatureId: q,
      referenceSignatureId: k2,
      dxMm: 1.25,
      dyMm: -0.5,
      rotationDeg: 2,
      scale: 1.02,
      questionedDpi: DPI,
      referenceDpi: DPI,
    });

    const { input } = await buildCaseReport(store, fx.caseId, { generatedAt: '2026-01-02T03:04:05.000Z' });
    const b = input.items[0]!.bench!;
    assert.deepEqual(
      b.marks.map((m) => [m.label, m.on, m.kind]),
      [
        ['A1', 'Q', 'circle'],
        ['A2', 'K2', 'arrow'],
      ],
    );
    assert.deepEqual(
      b.measurements.map((m) => [m.label, m.on, m.unit]),
      [
        ['M1', 'Q', 'mm'],
        ['M2', 'Q', 'deg'],
      ],
    );
    const last = store.audit.list({ caseId: fx.caseId }).at(-1)!;
    assert.equal(last.action, 'bench.align');
    assert.equal(input.integrity.auditHeadSeq, last.seq, 'anchored to the newest bench record');

    const r = await renderReport(input);
    assert.deepEqual(r.sections.slice(0, 2), ['cover', 'items']);
    const text = pdfPages(r.pdf).join('\n');
    assert.match(text, /Examiner’s bench: measurements, marks and notes/);
    // pdftotext reads the table column by column: each cell is checked on its own
    for (const cell of [
      'M1',
      'length: span of the first name',
      'slant angle (from the horizontal, counter-clockwise):',
      'downstroke of the capital',
      '20.00 mm',
      '63.4°',
      '100 dpi (given by the',
      'no DPI needed',
    ]) {
      assert.ok(text.includes(cell), `measurement cell "${cell}" in the report`);
    }
    assert.match(text, /A1 \(Q\) circle: retouched loop/);
    assert.match(text, /A2 \(K2\) arrow: same entry stroke/);
    assert.match(text, /Q, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: Line quality: slow, with blunt endings\./);
    assert.match(text, /K2: shift 1\.25 mm right, -0\.50 mm down; rotation 2\.0° clockwise; scale 1\.020/);
    assert.doesNotMatch(text, /withdrawn remark/, 'a deleted mark is not shown');

    // the marks are drawn on the crops: red pixels in Q's and K2's frames, none before
    const fig = (figs: ReportFigure[], kind: string, sig?: number) =>
      figs.find((f) => f.kind === kind && (sig === undefined || f.signatureId === String(sig)))!;
    assert.equal(await redPixels(plainPdf, fig(plainFigures, 'questioned')), 0, 'no mark without bench records');
    assert.equal(await redPixels(plainPdf, fig(plainFigures, 'reference', k2)), 0);
    assert.ok((await redPixels(r.pdf, fig(r.figures, 'questioned'))) > 20, 'the circle is drawn on Q');
    assert.ok((await redPixels(r.pdf, fig(r.figures, 'reference', k2))) > 5, 'the arrow is drawn on K2');
    assert.equal(await redPixels(r.pdf, fig(r.figures, 'reference', fx.known[0]!.signatureId)), 0, 'K1 has no mark');

    // the stored report lists the same sections and its content hash covers the bench
    const stored = await createCaseReport(store, fx.caseId, { generatedAt: '2026-01-02T03:04:05.000Z' });
    assert.deepEqual(stored.sections, r.sections);
    assert.equal(stored.contentHash, r.contentHash);
    assert.notEqual(r.contentHash, plainHash, 'the bench records are part of the content hash');
  });

  it('rejects a bench with a mark on an image of unknown size or a unit that does not fit, naming the field', async () => {
    const { input } = await buildCaseReport(store, fx.caseId, { generatedAt: '2026-01-02T03:04:05.000Z' });
    const bad = structuredClone(input);
    bad.items[0]!.bench!.measurements[0]!.unit = 'deg';
    await assert.rejects(renderReport(bad), /report input items\[0\]\.bench\.measurements\[0\]\.unit: a length is in mm, not "deg"/);
    const bad2 = structuredClone(input);
    bad2.items[0]!.bench!.marks[0]!.signatureId = '999';
    await assert.rejects(renderReport(bad2), /items\[0\]\.bench\.marks\[0\]\.signatureId: no image size for signature 999/);
  });
});
