// The bench's tools on the true-scale view in Chromium through `countersign serve` (tracker
// issue 17, items 3-5): a 20.0 mm length measured by clicking two points placed with the
// true-scale mapping on a 300 dpi scan, listed and stored; a slant placed from the keyboard and
// deleted with a reason; a text mark made in the UI that appears on the item page of the PDF
// report; an alignment recorded after the automatic best fit; keys listed by ?, visible focus;
// screenshots light and dark; no renderer errors.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BenchRepository } from '../../src-main/core/bench/repository.ts';
import { importCaseFolder } from '../../src-main/core/imaging/import.ts';
import { setActiveModel } from '../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../src-main/core/store/index.ts';
import { createWriter, renderSignature } from '../../src-main/core/synth/index.ts';
import { ARTIFACTS } from '../helpers/browser.ts';
import { saveTinyModel } from '../helpers/verify-fixture.ts';
import { assertNoPageErrors, assertVisibleFocus, startApp, tabTo, type App } from './fixtures/app.ts';

const SHOTS = path.join(ARTIFACTS, 'shots');
const shot = async (page: Page, name: string) => {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
};
const MARK = 'Tremor at loop';
const NOTE = 'Pen lift before the final stroke';

describe('compare: measure, mark and align on the true-scale bench', () => {
  let app: App;
  let caseId = 0;
  let q1 = 0;
  let qSig = 0;

  /** Reads the bench records through the store (the same repository the IPC methods call). */
  const withBench = <T>(f: (b: BenchRepository) => T): T => {
    const store = openStore(app.dir, { client: 'cli' });
    try {
      return f(new BenchRepository(store));
    } finally {
      store.close();
    }
  };

  before(async () => {
    app = await startApp(async (dir) => {
      const model = await saveTinyModel(dir, { eerThreshold: 0.06 });
      setActiveModel(dir, model.id);
      const folder = path.join(dir, 'incoming', 'tools-case');
      const writer = createWriter(43);
      const files: [string, Buffer][] = [
        ['known/alice/k1.png', (await renderSignature(writer, { kind: 'genuine', sampleIndex: 1, dpi: 600 })).data],
        ['known/alice/k2.png', (await renderSignature(writer, { kind: 'genuine', sampleIndex: 2, dpi: 300 })).data],
        ['known/alice/k3.png', (await renderSignature(writer, { kind: 'genuine', sampleIndex: 3, dpi: 300 })).data],
        ['questioned/alice/q1.png', (await renderSignature(writer, { kind: 'genuine', sampleIndex: 0, dpi: 300 })).data],
      ];
      for (const [rel, bytes] of files) {
        mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
        writeFileSync(path.join(folder, rel), bytes);
      }
      const store = openStore(dir, { client: 'cli' });
      try {
        const c = store.cases.create({ name: 'Tools case' });
        caseId = c.id;
        const report = await importCaseFolder(store, { caseRef: c.id, folder, workers: 0 });
        assert.equal(report.totals.failed, 0);
        const docs = store.documents.documentsOfCase(c.id);
        const qd = docs.find((d) => d.originalPath === 'questioned/alice/q1.png')!;
        assert.equal(qd.dpi, 300);
        q1 = qd.id;
      } finally {
        store.close();
      }
    });
  });
  after(async () => {
    await app?.close();
  });

  const openScale = async (theme: 'light' | 'dark' = 'light') => {
    const page = await app.open(`/compare/${caseId}/${q1}`, { theme });
    await page.getByTestId('decision-panel').waitFor({ timeout: 60_000 });
    await page.keyboard.press('2');
    await page.getByTestId('bench-q').getByTestId('true-scale-image').waitFor();
    await page.getByTestId('bench-k').getByTestId('true-scale-image').waitFor();
    return page;
  };

  it('measures a 20.0 mm line clicked at points computed from the true-scale mapping, lists it and stores it', async () => {
    const page = await openScale();
    // Zoom in (both panes) so a CSS pixel is well under 0.5 mm.
    for (let i = 0; i < 3; i++) await page.getByTestId('bench-zoom-in').click();
    const img = await page
      .getByTestId('bench-q')
      .getByTestId('true-scale-image')
      .evaluate((e) => {
        const r = e.getBoundingClientRect();
        const a = e.parentElement!.getBoundingClientRect();
        return {
          left: r.left,
          top: r.top,
          width: r.width,
          height: r.height,
          widthPx: Number(e.getAttribute('data-width-px')),
          dpi: Number(e.getAttribute('data-dpi')),
          area: { left: a.left, top: a.top, right: a.right, bottom: a.bottom },
        };
      });
    assert.equal(img.dpi, 300);
    const widthMm = (img.widthPx / img.dpi) * 25.4;
    const cssPerMm = img.width / widthMm;
    // The middle of the part of the crop that is in view; the two ends 10 mm either side of it.
    const vis = {
      left: Math.max(img.left, img.area.left),
      right: Math.min(img.left + img.width, img.area.right),
      top: Math.max(img.top, img.area.top),
      bottom: Math.min(img.top + img.height, img.area.bottom),
    };
    const mid = { x: (vis.left + vis.right) / 2, y: (vis.top + vis.bottom) / 2 };
    const a = { x: mid.x - 10 * cssPerMm, y: mid.y };
    const b = { x: mid.x + 10 * cssPerMm, y: mid.y };
    assert.ok(a.x > vis.left + 1 && b.x < vis.right - 1, `20 mm (${20 * cssPerMm} CSS px) fits the crop in view: ${JSON.stringify(vis)}`);

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('l');
    assert.equal(await page.getByTestId('tool-length').getAttribute('aria-checked'), 'true');
    await page.mouse.click(a.x, a.y);
    await page.mouse.click(b.x, b.y);
    const row = page.getByTestId('measurements-q-row').first();
    await row.waitFor();
    const listed = (await row.getByTestId('record-value').textContent()) ?? '';
    const m = /^([\d.]+) mm$/.exec(listed.trim());
    assert.ok(m, `listed as mm: ${listed}`);
    assert.ok(Math.abs(Number(m[1]) - 20) <= 0.5, `listed ${listed}, expected 20.0 ± 0.5 mm`);
    // The line is drawn on the pane.
    await page.getByTestId('bench-q-marks').locator('polyline[data-mark]').first().waitFor({ state: 'attached' });

    const stored = withBench((bench) => bench.listMeasurements({ caseId }));
    assert.equal(stored.length, 1);
    const s = stored[0]!;
    qSig = s.signatureId;
    assert.equal(s.kind, 'length');
    assert.equal(s.unit, 'mm');
    assert.equal(s.dpi, 300);
    assert.ok(Math.abs(s.value - 20) <= 0.5, `stored ${s.value} mm`);
    assert.ok(
      Math.abs(Math.hypot(s.points[1]![0] - s.points[0]![0], s.points[1]![1] - s.points[0]![1]) - (20 / 25.4) * 300) < 6,
      `points in crop pixels: ${JSON.stringify(s.points)}`,
    );
    await page.getByTestId('true-scale').scrollIntoViewIfNeeded();
    await shot(page, 'bench-tools-measure-light');
    await page.close();
  });

  it('places a slant from the keyboard, and deletes it with a reason (the row stays, marked deleted)', async () => {
    const page = await openScale();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('g');
    await tabTo(page, '[data-testid=bench-q-area]', 80);
    await assertVisibleFocus(page);
    // Arrows move the crop under the centre cross (40 CSS px a press): bring the crop's middle there, zoom in, place two points.
    const off = await page
      .getByTestId('bench-q')
      .getByTestId('true-scale-image')
      .evaluate((e) => {
        const r = e.getBoundingClientRect();
        const a = e.parentElement!.getBoundingClientRect();
        return { x: a.left + a.width / 2 - (r.left + r.width / 2), y: a.top + a.height / 2 - (r.top + r.height / 2) };
      });
    for (let i = 0; i < Math.round(Math.abs(off.x) / 40); i++) await page.keyboard.press(off.x > 0 ? 'ArrowLeft' : 'ArrowRight');
    for (let i = 0; i < Math.round(Math.abs(off.y) / 40); i++) await page.keyboard.press(off.y > 0 ? 'ArrowUp' : 'ArrowDown');
    for (let i = 0; i < 4; i++) await page.keyboard.press('+');
    await page.getByTestId('bench-q-cross').waitFor({ state: 'attached' });
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=measurements-q-row]').length === 2);
    const angleRow = page.getByTestId('measurements-q-row').nth(1);
    assert.match((await angleRow.getByTestId('record-value').textContent()) ?? '', /°$/);
    await angleRow.getByTestId('delete-record').click();
    await page.getByTestId('delete-reason').fill('placed on the wrong stroke');
    await page.getByTestId('delete-confirm').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=measurements-q-row]').length === 1);
    const all = withBench((bench) => bench.listMeasurements({ signatureId: qSig, includeDeleted: true }));
    const angle = all.find((r) => r.kind === 'angle');
    assert.ok(angle, 'the slant was stored');
    assert.equal(angle.deletedReason, 'placed on the wrong stroke');
    assert.ok(angle.deletedAt);
    await page.close();
  });

  it('makes a text mark and a note in the UI: the mark is drawn on the pair and the grid view, both appear on the item page of the PDF report', async () => {
    const page = await openScale();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('t');
    await page.getByTestId('mark-text').fill(MARK);
    const area = (await page.getByTestId('bench-q').getByTestId('true-scale-image').boundingBox())!;
    await page.mouse.click(area.x + area.width * 0.3, area.y + area.height * 0.4);
    await page.getByTestId('annotations-q-row').filter({ hasText: MARK }).waitFor();
    await page.getByTestId('bench-q-marks').locator('text[data-mark]', { hasText: MARK }).waitFor();
    await page.getByTestId('q-note').fill(NOTE);
    await page.getByTestId('q-note-save').click();
    await page.getByTestId('annotations-q-row').filter({ hasText: NOTE }).waitFor();
    // The grid of all references draws the stored marks too.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('3');
    await page.getByTestId('grid-pane-q-marks').locator('text[data-mark]', { hasText: MARK }).waitFor();
    const stored = withBench((bench) => bench.listAnnotations({ signatureId: qSig }));
    assert.deepEqual(
      stored.map((a) => [a.kind, a.text]),
      [
        ['text', MARK],
        ['note', NOTE],
      ],
    );

    await page.goto(`${app.url}#/batch/${caseId}`);
    await page.getByTestId('batch-table').waitFor({ timeout: 60_000 });
    const download = page.waitForEvent('download');
    await page.getByTestId('export-report').click();
    const file = await (await download).path();
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.ok(text.includes(MARK), `the mark's text is in the report: ${text.slice(0, 400)}…`);
    assert.ok(text.includes(NOTE), "the item's note is in the report");
    assert.ok(/20\.\d mm/.test(text) || /(19\.[5-9]|20\.[0-5])\d* ?mm/.test(text), 'the 20 mm length is listed in the report');
    await page.close();
  });

  it("overlays K on Q, records an alignment after the automatic best fit, and lists the tools' keys under ?", async () => {
    const page = await app.open(`/compare/${caseId}/${q1}`);
    await page.getByTestId('decision-panel').waitFor({ timeout: 60_000 });
    await page.keyboard.press('4');
    await page.getByTestId('overlay-stage').locator('svg').waitFor();
    await page.getByTestId('overlay-k').waitFor();
    await page.getByTestId('auto-fit').click();
    await page.getByTestId('auto-fit-result').waitFor({ timeout: 30_000 });
    const fitDx = Number(await page.getByTestId('align-dx').inputValue());
    // One manual nudge from the keyboard after the fit: K moves right by 0.1 mm.
    await tabTo(page, '[data-testid=overlay-stage]', 80);
    await assertVisibleFocus(page);
    await page.keyboard.press('ArrowRight');
    assert.ok(Math.abs(Number(await page.getByTestId('align-dx').inputValue()) - (fitDx + 0.1)) < 1e-6);
    await page.getByTestId('align-opacity').fill('0.5');
    await page.getByTestId('record-alignment').click();
    await page.locator('[data-testid=alignment-current]:not([data-id=""])').waitFor();
    const rows = withBench((bench) => bench.listAlignments({ caseId }));
    assert.equal(rows.length, 1);
    const r = rows[0]!;
    assert.ok(r.comparisonId, 'stored with the comparison');
    assert.ok(r.autoFit, 'with the automatic fit it started from');
    assert.ok(Math.abs(r.dxMm - (r.autoFit.dxMm + 0.1)) < 1e-6, `dx ${r.dxMm} = fit ${r.autoFit.dxMm} + 0.1`);
    assert.equal(r.opacity, 0.5);

    // A second alignment from scratch: both are listed; the first can be shown again, the
    // second withdrawn with a reason (the row stays, marked).
    await page.getByTestId('align-reset').click();
    await page.getByTestId('align-dx').fill('1.5');
    await page.getByTestId('record-alignment').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=alignments-row]').length === 2);
    assert.equal(await page.getByTestId('alignment-current').getAttribute('data-id'), String(r.id + 1));
    await page.locator(`[data-testid=alignments-row][data-id="${r.id}"] [data-testid=show-record]`).click();
    assert.ok(Math.abs(Number(await page.getByTestId('align-dx').inputValue()) - r.dxMm) < 1e-6, 'Show puts the first alignment back');
    await page.locator(`[data-testid=alignments-row][data-id="${r.id + 1}"] [data-testid=delete-record]`).click();
    await page.getByTestId('delete-reason').fill('recorded by mistake');
    await page.getByTestId('delete-confirm').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=alignments-row]').length === 1);
    assert.equal(await page.getByTestId('alignment-current').getAttribute('data-id'), String(r.id));
    const all = withBench((bench) => bench.listAlignments({ caseId, includeDeleted: true }));
    assert.deepEqual(
      all.map((a) => [a.id, a.deletedReason]),
      [
        [r.id, null],
        [r.id + 1, 'recorded by mistake'],
      ],
    );
    await page.getByTestId('overlay-align').scrollIntoViewIfNeeded();
    await shot(page, 'bench-tools-overlay-light');

    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('?');
    const overlay = page.getByTestId('shortcuts-overlay');
    await overlay.waitFor();
    const listed = (await overlay.textContent()) ?? '';
    for (const what of [
      'Measure a length',
      'Measure a slant angle',
      'height ratio',
      'baseline',
      'Mark an arrow',
      'Mark a circle',
      'free text',
      'K overlaid on Q',
    ])
      assert.ok(listed.includes(what), `? lists ${what}`);
    await page.keyboard.press('Escape');
    for (const sel of ['[data-testid=bench-overlay]', '[data-testid=auto-fit]', '[data-testid=record-alignment]']) {
      await tabTo(page, sel, 120);
      await assertVisibleFocus(page);
    }
    await page.keyboard.press('2');
    for (const sel of ['[data-testid=tool-length]', '[data-testid=mark-text]']) {
      await tabTo(page, sel, 120);
      await assertVisibleFocus(page);
    }
    await page.close();
  });

  it('renders the tools in the dark theme', async () => {
    const page = await openScale('dark');
    await page.getByTestId('bench-q-marks').locator('[data-mark]').first().waitFor({ state: 'attached' });
    await page.getByTestId('true-scale').scrollIntoViewIfNeeded();
    await shot(page, 'bench-tools-measure-dark');
    await page.keyboard.press('4');
    await page.getByTestId('overlay-k').waitFor();
    await page.getByTestId('overlay-align').scrollIntoViewIfNeeded();
    await shot(page, 'bench-tools-overlay-dark');
    await page.close();
  });

  it('logged no renderer errors', () => {
    assertNoPageErrors(app);
  });
});
