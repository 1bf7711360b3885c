// The examiner's bench in Chromium through `countersign serve` (tracker issue 17, items 1, 2, 6, 7):
// a case imported from files with known resolutions (Q a cheque at 300 dpi, references at 600,
// 300 and unknown), shown at true scale with mm rulers and locked zoom; every reference at once,
// sorted and highlighting the chart (and back); the cheque with its box in the same view; the
// single-key shortcuts, the ? list and visible focus; screenshots in light and dark.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { importCaseFolder } from '../../src-main/core/imaging/import.ts';
import { setActiveModel } from '../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../src-main/core/store/index.ts';
import { createWriter, renderCheque, renderSignature } from '../../src-main/core/synth/index.ts';
import { ARTIFACTS } from '../helpers/browser.ts';
import { saveTinyModel } from '../helpers/verify-fixture.ts';
import { assertNoPageErrors, assertVisibleFocus, startApp, tabTo, type App } from './fixtures/app.ts';

const SHOTS = path.join(ARTIFACTS, 'shots');
const shot = async (page: Page, name: string) => {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
};

/** A PNG of the same pixels without any resolution in it. */
async function withoutDpi(png: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const out = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .png()
    .toBuffer();
  assert.equal((await sharp(out).metadata()).density, undefined);
  return out;
}

interface Measured {
  widthPx: number;
  dpi: number;
  cssWidth: number;
  /** mm on the paper per CSS pixel on the screen. */
  mmPerCss: number;
}

/** The true-scale image of a pane as drawn: its pixels, resolution and CSS width. */
async function measure(page: Page, pane: string): Promise<Measured> {
  const m = await page
    .getByTestId(pane)
    .getByTestId('true-scale-image')
    .evaluate((img) => ({
      widthPx: Number(img.getAttribute('data-width-px')),
      dpi: Number(img.getAttribute('data-dpi')),
      cssWidth: img.getBoundingClientRect().width,
    }));
  return { ...m, mmPerCss: ((m.widthPx / m.dpi) * 25.4) / m.cssWidth };
}

/** CSS px per mm read off a pane's top ruler: the distance between two labelled ticks over their mm. */
async function rulerScale(page: Page, pane: string): Promise<number> {
  const labels = await page
    .getByTestId(pane)
    .getByTestId('ruler-x')
    .locator('text[data-mm]')
    .evaluateAll((els) => els.map((e) => ({ mm: Number(e.getAttribute('data-mm')), x: e.getBoundingClientRect().left })));
  assert.ok(labels.length >= 2, `at least two labelled mm ticks on ${pane}, got ${JSON.stringify(labels)}`);
  const a = labels[0]!;
  const b = labels[labels.length - 1]!;
  return (b.x - a.x) / (b.mm - a.mm);
}

describe("compare: the examiner's bench", () => {
  let app: App;
  let caseId = 0;
  let q1 = 0;
  let q2 = 0;

  before(async () => {
    app = await startApp(async (dir) => {
      const model = await saveTinyModel(dir, { eerThreshold: 0.06 });
      setActiveModel(dir, model.id);
      const folder = path.join(dir, 'incoming', 'bench-case');
      const writer = createWriter(41);
      const files: [string, Buffer][] = [
        ['known/alice/k1.png', (await renderSignature(writer, { kind: 'genuine', sampleIndex: 1, dpi: 600 })).data],
        ['known/alice/k2.png', (await renderSignature(writer, { kind: 'genuine', sampleIndex: 2, dpi: 300 })).data],
        ['known/alice/k3.png', await withoutDpi((await renderSignature(writer, { kind: 'genuine', sampleIndex: 3, dpi: 300 })).data)],
        ['questioned/alice/q1.png', (await renderCheque(writer, { kind: 'genuine', sampleIndex: 0, dpi: 300, format: 'png' })).data],
        ['questioned/alice/q2.png', (await renderSignature(writer, { kind: 'genuine', sampleIndex: 5, dpi: 300 })).data],
      ];
      for (const [rel, bytes] of files) {
        mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
        writeFileSync(path.join(folder, rel), bytes);
      }
      const store = openStore(dir, { client: 'cli' });
      try {
        const c = store.cases.create({ name: 'Bench case' });
        caseId = c.id;
        const report = await importCaseFolder(store, { caseRef: c.id, folder, workers: 0 });
        assert.equal(report.totals.failed, 0, JSON.stringify(report.files.filter((f) => JSON.stringify(f).includes('"failed"'))));
        const docs = store.documents.documentsOfCase(c.id);
        const byPath = (p: string) => docs.find((d) => d.originalPath === p)!;
        assert.deepEqual([byPath('known/alice/k1.png').dpi, byPath('known/alice/k3.png').dpi, byPath('questioned/alice/q1.png').dpi], [600, null, 300]);
        q1 = byPath('questioned/alice/q1.png').id;
        q2 = byPath('questioned/alice/q2.png').id;
        store.write(() => store.db.prepare('UPDATE cases SET inconclusive_band = 0.004 WHERE id = ?').run(c.id));
      } finally {
        store.close();
      }
    });
  });
  after(async () => {
    await app?.close();
  });

  const openQ1 = async (theme: 'light' | 'dark' = 'light') => {
    const page = await app.open(`/compare/${caseId}/${q1}`, { theme });
    await page.getByTestId('decision-panel').waitFor({ timeout: 60_000 });
    return page;
  };

  it('shows a 300 dpi Q and a 600 dpi K at the same physical size, with mm rulers, and zoom and pan locked across the panes', async () => {
    const page = await openQ1();
    await page.keyboard.press('2');
    await page.getByTestId('true-scale').waitFor();
    await page.getByTestId('bench-k').getByTestId('true-scale-image').waitFor();
    await page.getByTestId('bench-q').getByTestId('true-scale-image').waitFor();

    const q = await measure(page, 'bench-q');
    const k = await measure(page, 'bench-k');
    assert.deepEqual([q.dpi, k.dpi], [300, 600]);
    assert.ok(Math.abs(q.mmPerCss - k.mmPerCss) / q.mmPerCss < 0.02, `same mm per CSS px: Q ${q.mmPerCss}, K ${k.mmPerCss}`);
    // Not the same by accident: K has twice the pixels per mm, drawn at half the CSS px per image px.
    assert.ok(Math.abs(k.cssWidth / k.widthPx - q.cssWidth / q.widthPx / 2) / (q.cssWidth / q.widthPx) < 0.02);
    assert.match((await page.getByTestId('resolution-note').textContent()) ?? '', /differ \(300, 600 dpi\)/);
    assert.equal(await page.getByTestId('bench-q-dpi').textContent(), '300 dpi');
    assert.equal(await page.getByTestId('bench-k-dpi').textContent(), '600 dpi');

    // The rulers are in mm at the scale the images are drawn at, the same on both panes.
    const rq = await rulerScale(page, 'bench-q');
    const rk = await rulerScale(page, 'bench-k');
    assert.ok(Math.abs(rq * q.mmPerCss - 1) < 0.02, `Q ruler ${rq} px/mm against ${1 / q.mmPerCss}`);
    assert.ok(Math.abs(rk * k.mmPerCss - 1) < 0.02, `K ruler ${rk} px/mm against ${1 / k.mmPerCss}`);
    await page.getByTestId('bench-q').getByTestId('ruler-y').locator('text').first().waitFor();
    await shot(page, 'bench-true-scale-light');

    // Zoom on Q with the wheel: K's scale follows, both stay the same physical size.
    const area = page.getByTestId('bench-q-area');
    const box = (await area.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(() => document.querySelector('[data-testid=bench-zoom]')?.textContent?.trim() !== '100 %');
    const q2m = await measure(page, 'bench-q');
    const k2m = await measure(page, 'bench-k');
    assert.ok(q2m.cssWidth > q.cssWidth * 1.3, `Q zoomed in: ${q.cssWidth} -> ${q2m.cssWidth}`);
    assert.ok(Math.abs(k2m.cssWidth / k.cssWidth - q2m.cssWidth / q.cssWidth) < 0.01, 'K zoomed by the same factor');
    assert.ok(Math.abs(q2m.mmPerCss - k2m.mmPerCss) / q2m.mmPerCss < 0.02);
    // Pan on K with a drag: Q moves with it.
    const qLeft = async () =>
      page
        .getByTestId('bench-q')
        .getByTestId('true-scale-image')
        .evaluate((e) => e.getBoundingClientRect().left);
    const before = await qLeft();
    const kb = (await page.getByTestId('bench-k-area').boundingBox())!;
    await page.mouse.move(kb.x + 100, kb.y + 60);
    await page.mouse.down();
    await page.mouse.move(kb.x + 160, kb.y + 60, { steps: 4 });
    await page.mouse.up();
    assert.ok(Math.abs((await qLeft()) - before - 60) < 2, 'a drag on K pans Q by the same amount');
    await page.getByTestId('bench-fit').click();
    assert.equal((await page.getByTestId('bench-zoom').textContent())?.trim(), '100 %');

    // ] ] reaches K3, whose file has no resolution: the UI says so.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(']');
    await page.keyboard.press(']');
    await page.getByTestId('bench-k').getByTestId('resolution-unknown').waitFor();
    assert.equal(await page.getByTestId('bench-k-dpi').textContent(), 'resolution unknown');
    assert.equal(await page.getByTestId('resolution-note').getAttribute('data-state'), 'unknown');
    assert.match((await page.getByTestId('resolution-note').textContent()) ?? '', /Resolution unknown for 1 of 2 images/);
    await page.close();
  });

  it('lays out every reference at true scale beside the pinned Q, sorts them by distance, and highlights the chart and the grid in turn', async () => {
    const page = await openQ1();
    await page.keyboard.press('3');
    await page.getByTestId('reference-grid').waitFor();
    await page.getByTestId('grid-q').waitFor();
    const cells = page.getByTestId('grid-cell');
    assert.equal(await cells.count(), 3, 'every known signature of the subject');
    const distances = async () => cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-distance'))));
    const listed = await distances();
    await page.getByTestId('grid-order-closest').click();
    assert.deepEqual(
      await distances(),
      [...listed].sort((a, b) => a - b),
    );
    await page.getByTestId('grid-order-farthest').click();
    assert.deepEqual(
      await distances(),
      [...listed].sort((a, b) => b - a),
    );
    await page.getByTestId('grid-order-listed').click();
    assert.deepEqual(await distances(), listed);

    // Every pane of the grid at one physical scale (the 600 dpi K1 and the 300 dpi K2 and Q).
    await page.getByTestId('grid-pane-0').getByTestId('true-scale-image').waitFor();
    const g0 = await measure(page, 'grid-pane-0');
    const g1 = await measure(page, 'grid-pane-1');
    const gq = await measure(page, 'grid-pane-q');
    assert.ok(
      Math.abs(g0.mmPerCss - gq.mmPerCss) / gq.mmPerCss < 0.02 && Math.abs(g1.mmPerCss - gq.mmPerCss) / gq.mmPerCss < 0.02,
      `${g0.mmPerCss} ${g1.mmPerCss} ${gq.mmPerCss}`,
    );
    assert.match((await page.getByTestId('grid-resolution-note').textContent()) ?? '', /Resolution unknown for 1 of 4 images/);

    // Grid -> chart.
    await cells.nth(1).hover();
    await page.locator('[data-testid=chart-point][data-index="1"][data-highlighted=true]').waitFor();
    assert.equal(await page.locator('[data-testid=chart-highlight]').getAttribute('data-index'), '1');
    // Chart -> grid.
    await page.locator('[data-testid=chart-point][data-index="2"]').hover();
    await page.locator('[data-testid=grid-cell][data-index="2"][data-highlighted=true]').waitFor();
    assert.equal(await page.locator('[data-testid=grid-cell][data-highlighted=true]').count(), 1);
    // Focus (keyboard) highlights too.
    await page.locator('[data-testid=grid-cell][data-index="0"]').focus();
    await page.locator('[data-testid=chart-point][data-index="0"][data-highlighted=true]').waitFor();
    await assertVisibleFocus(page);
    await page.getByTestId('reference-grid').scrollIntoViewIfNeeded();
    await shot(page, 'bench-grid-light');
    await page.close();
  });

  it('opens the cheque with its box in the same view, and approves the box with A', async () => {
    const page = await openQ1();
    const url = page.url();
    await page.getByTestId('toggle-context').click();
    const ctx = page.getByTestId('document-context');
    await ctx.waitFor();
    await ctx.getByTestId('signature-box').waitFor();
    assert.equal(page.url(), url, 'the same view');
    const box = await ctx.getByTestId('signature-box').locator('rect').first().boundingBox();
    assert.ok(box && box.width > 20 && box.height > 5, `the box is drawn: ${JSON.stringify(box)}`);
    const scan = await ctx.locator('svg[role=img]').first().boundingBox();
    assert.ok(scan && scan.width > box!.width * 1.5, 'the whole cheque, larger than the box');
    await page.getByTestId('decision-panel').waitFor();
    await ctx.scrollIntoViewIfNeeded();
    await shot(page, 'bench-context-light');

    assert.equal(await ctx.getByTestId('context-box-status').getAttribute('data-status'), 'proposed');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('a');
    await page.locator('[data-testid=context-box-status][data-status=approved]').waitFor();
    // The reference's document is one click away too; C closes the context.
    await ctx.getByTestId('context-k').click();
    await ctx.getByTestId('signature-box').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('c');
    await ctx.waitFor({ state: 'detached' });
    await page.close();
  });

  it('moves between questioned documents and references with keys, lists the shortcuts with ?, and every new control is reachable by Tab with a visible focus ring', async () => {
    const page = await openQ1();
    const selectedRef = () => page.locator('[data-testid=reference][aria-pressed=true]').getAttribute('aria-label');
    assert.match((await selectedRef()) ?? '', /^K1,/);
    await page.keyboard.press(']');
    assert.match((await selectedRef()) ?? '', /^K2,/);
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    assert.match((await selectedRef()) ?? '', /^K3,/, 'wraps around');

    // View modes by key.
    await page.keyboard.press('o');
    assert.equal(await page.getByTestId('signature-stage').getAttribute('data-mode'), 'overlay');
    await page.keyboard.press('s');
    assert.equal(await page.getByTestId('signature-stage').getAttribute('data-mode'), 'side');
    await page.keyboard.press('2');
    await page.getByTestId('true-scale').waitFor();
    await page.keyboard.press('1');
    await page.getByTestId('signature-stage').waitFor();

    // ? opens the list, Escape closes it, ? again opens and closes it.
    await page.keyboard.press('?');
    const overlay = page.getByTestId('shortcuts-overlay');
    await overlay.waitFor();
    assert.match((await overlay.textContent()) ?? '', /Next questioned document/);
    assert.match((await overlay.textContent()) ?? '', /Next reference/);
    await shot(page, 'bench-shortcuts-light');
    await page.keyboard.press('Escape');
    await overlay.waitFor({ state: 'hidden' });
    // The browser hides the dialog at once and fires 'close' a task later; the page's state
    // follows the close event (the dialog's content goes), and only then is ? an opening key.
    await page.waitForFunction(() => document.querySelector('[data-testid=shortcuts-overlay]')?.childElementCount === 0);
    await page.keyboard.press('?');
    await overlay.waitFor();
    await page.keyboard.press('?');
    await overlay.waitFor({ state: 'hidden' });

    // N and P move between the questioned documents of the case.
    await page.keyboard.press('n');
    await page.waitForFunction((id) => location.hash.endsWith(`/${id}`), q2);
    await page.getByTestId('decision-panel').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('compare-title').textContent()) ?? '', /q2\.png/);
    await page.keyboard.press('p');
    await page.waitForFunction((id) => location.hash.endsWith(`/${id}`), q1);
    await page.getByTestId('decision-panel').waitFor({ timeout: 60_000 });

    // Tab reaches the new controls, each with a visible focus ring.
    for (const sel of ['[data-testid=bench-scale]', '[data-testid=toggle-context]', '[data-testid=shortcuts-button]']) {
      await tabTo(page, sel, 80);
      await assertVisibleFocus(page);
    }
    await page.keyboard.press('2');
    await tabTo(page, '[data-testid=bench-q-area]', 80);
    await assertVisibleFocus(page);
    await page.keyboard.press('+');
    assert.equal((await page.getByTestId('bench-zoom').textContent())?.trim(), '125 %', '+ in a focused pane zooms both');
    await tabTo(page, '[data-testid=bench-fit]', 80, 'Shift+Tab');
    await assertVisibleFocus(page);
    await page.keyboard.press('3');
    await tabTo(page, '[data-testid=grid-order-closest]', 80);
    await assertVisibleFocus(page);
    await tabTo(page, '[data-testid=grid-cell]', 80);
    await assertVisibleFocus(page);

    // Alt+1..6 still switch views: the page's keys leave modified keys alone.
    await page.keyboard.press('Alt+1');
    await page.waitForFunction(() => location.hash.startsWith('#/cases'));
    await page.close();
  });

  it('renders the bench in the dark theme', async () => {
    const page = await openQ1('dark');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.keyboard.press('2');
    await page.getByTestId('bench-k').getByTestId('true-scale-image').waitFor();
    await shot(page, 'bench-true-scale-dark');
    await page.keyboard.press('3');
    await page.getByTestId('grid-pane-0').getByTestId('true-scale-image').waitFor();
    await page.getByTestId('reference-grid').scrollIntoViewIfNeeded();
    await shot(page, 'bench-grid-dark');
    await page.keyboard.press('c');
    await page.getByTestId('document-context').getByTestId('signature-box').waitFor();
    await page.getByTestId('document-context').scrollIntoViewIfNeeded();
    await shot(page, 'bench-context-dark');
    await page.close();
  });

  it('logged no renderer errors', () => {
    assertNoPageErrors(app);
  });
});
