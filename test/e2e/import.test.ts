// Importing a case folder from the case page in Chromium through `countersign serve`: a folder
// refused before anything starts (the layout explained), a folder with failures and a flagged
// box (the results table, its filters and totals, links to the documents), the same folder
// again (every file skipped or retried), Cancel (what was imported stays, running it again
// imports the rest), and a box correction the core refuses.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { AuditRow, CaseRow } from '../../src-main/core/store/types.ts';
import { createWriter, renderCheque, renderSignature } from '../../src-main/core/synth/index.ts';
import { screenshot } from '../helpers/browser.ts';
import { cli, lastJson, tempDir } from '../helpers/cli.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';

const JOB = 180_000;

/**
 * known/a-smith/k1.png, k2.png (crops); known/loose.png (no subject); questioned/a-smith/
 * q1.png (a cheque), q2-upside-down.png (flagged), q3.pdf, q4.jpg (truncated);
 * questioned/unnamed.png (no claimed subject); notes.txt and .DS_Store at the top (ignored).
 */
async function mixedFolder(root: string): Promise<void> {
  const w = createWriter(11, 'w0011');
  const k = path.join(root, 'known', 'a-smith');
  const q = path.join(root, 'questioned', 'a-smith');
  mkdirSync(k, { recursive: true });
  mkdirSync(q, { recursive: true });
  writeFileSync(path.join(k, 'k1.png'), (await renderSignature(w, { sampleIndex: 0 })).data);
  writeFileSync(path.join(k, 'k2.png'), (await renderSignature(w, { sampleIndex: 1 })).data);
  writeFileSync(path.join(root, 'known', 'loose.png'), (await renderSignature(w, { sampleIndex: 2 })).data);
  const cheque = await renderCheque(w, { sampleIndex: 1 });
  writeFileSync(path.join(q, 'q1.png'), cheque.data);
  writeFileSync(path.join(q, 'q2-upside-down.png'), await sharp(cheque.data).rotate(180).png().toBuffer());
  writeFileSync(path.join(q, 'q3.pdf'), '%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');
  const jpeg = (await renderCheque(w, { sampleIndex: 2, format: 'jpeg' })).data;
  writeFileSync(path.join(q, 'q4.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  writeFileSync(path.join(root, 'questioned', 'unnamed.png'), (await renderCheque(w, { sampleIndex: 3 })).data);
  writeFileSync(path.join(root, 'notes.txt'), 'received 3 March\n');
  writeFileSync(path.join(root, '.DS_Store'), 'x');
}

describe('import', () => {
  let app: App;
  const tmp = tempDir('countersign-import-ui-');
  const mixed = path.join(tmp.dir, 'mixed');
  const big = path.join(tmp.dir, 'big');
  const notACase = path.join(tmp.dir, 'scans');
  let caseId: number;
  let q1Href: string;

  before(async () => {
    await mixedFolder(mixed);
    mkdirSync(path.join(notACase, 'batch-1'), { recursive: true });
    writeFileSync(path.join(notACase, 'batch-1', 'x.png'), (await renderSignature(createWriter(2, 'w2'), { sampleIndex: 0 })).data);
    const made = cli(['synth', 'case', big, '--subjects', '3', '--known', '6', '--questioned', '3', '--seed', '8', '--json']);
    assert.equal(made.status, 0, made.stderr);
    app = await startApp();
    caseId = lastJson<CaseRow>(cli(['--data-dir', app.dir, 'case', 'create', 'Import case', '--examiner', 'R. Iyer', '--json'])).id;
  });
  after(async () => {
    await app?.close();
    tmp.cleanup();
  });

  const audit = (id: number) => lastJson<AuditRow[]>(cli(['--data-dir', app.dir, 'audit', 'show', '--case', String(id), '--json']));
  const rowsOf = (page: Page) => page.getByTestId('import-row');
  async function startFrom(page: Page, folder: string) {
    await page.getByTestId('import-button').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-folder').fill(folder);
    await dialog.getByTestId('import-start').click();
  }

  it('refuses a folder that is not a case folder, explaining the layout, and a folder that does not exist; nothing starts', async () => {
    const page = await app.open(`/cases/${caseId}`);
    await page.getByTestId('case-title').filter({ hasText: 'Import case' }).waitFor();
    await page.getByTestId('empty-import').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('folder-layout').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'import-folder', 'the dialog opens on the path field');
    // Escape closes it and gives the focus back.
    await page.keyboard.press('Escape');
    await dialog.getByTestId('import-folder').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'empty-import');

    await page.getByTestId('import-button').click();
    await dialog.getByTestId('import-folder').fill(notACase);
    await dialog.getByTestId('import-start').click();
    const error = dialog.getByTestId('import-error');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-code'), 'INVALID_ARGUMENT');
    assert.match((await error.textContent()) ?? '', /Nothing was imported\..*has neither a known\/ nor a questioned\/ folder/);
    await dialog.getByText('The folder must be laid out like this').waitFor();
    assert.equal(await dialog.getByTestId('import-folder').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'import-layout-error');

    await dialog.getByTestId('import-folder').fill('cases/smith');
    await dialog.getByTestId('import-start').click();
    await error.filter({ hasText: '“cases/smith” is not a full path' }).waitFor();

    await dialog.getByTestId('import-folder').fill(`"${path.join(tmp.dir, 'no-such-folder')}"`);
    await dialog.getByTestId('import-start').click();
    await error.filter({ hasText: 'does not exist' }).waitFor();
    assert.equal(await error.getAttribute('data-code'), 'NOT_FOUND');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(
      audit(caseId).some((r) => r.action === 'import.start'),
      false,
      'no import was started',
    );
    assert.equal(await page.getByTestId('import-panel').count(), 0);
    await page.close();
  });

  it('imports a folder with failures: every file in the table with its reason, filters for failed and flagged, totals, links', async () => {
    const page = await app.open(`/cases/${caseId}`);
    await page.getByTestId('case-title').filter({ hasText: 'Import case' }).waitFor();
    await startFrom(page, mixed);
    await page.locator('[data-testid=import-panel][data-status=done]').waitFor({ timeout: JOB });

    assert.equal(await rowsOf(page).count(), 8);
    q1Href = (await page.locator('[data-testid=import-row][data-path="questioned/a-smith/q1.png"] [data-testid=import-open]').getAttribute('href'))!;
    assert.match(q1Href, new RegExp(`^#/cases/${caseId}/documents/\\d+$`));
    const totals = async () => ({
      imported: Number(await page.getByTestId('total-imported').textContent()),
      skipped: Number(await page.getByTestId('total-skipped').textContent()),
      failed: Number(await page.getByTestId('total-failed').textContent()),
      flagged: Number(await page.getByTestId('total-flagged').textContent()),
    });
    assert.deepEqual(await totals(), { imported: 4, skipped: 0, failed: 4, flagged: 1 });
    const reason = (file: string) => page.locator(`[data-testid=import-row][data-path="${file}"] [data-testid=import-reason]`).textContent();
    assert.match((await reason('questioned/a-smith/q3.pdf')) ?? '', /PDF/);
    assert.match((await reason('questioned/a-smith/q4.jpg')) ?? '', /truncated|corrupt/i);
    assert.match((await reason('known/loose.png')) ?? '', /no-subject/);
    assert.match((await reason('questioned/unnamed.png')) ?? '', /no-claimed-subject/);
    const extra = (await page.getByTestId('import-extra').textContent()) ?? '';
    assert.match(extra, /notes\.txt/);
    assert.match(extra, /\.DS_Store/);

    await page.getByTestId('import-filter-failed').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=import-row]').length === 4);
    assert.deepEqual(new Set(await rowsOf(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))), new Set(['failed']));
    assert.match((await page.getByTestId('import-shown').textContent()) ?? '', /4 of 8 files shown/);
    await screenshot(page, 'import-results-failed');
    const theme = page.getByRole('button', { name: 'Switch between light and dark theme' });
    await theme.click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await screenshot(page, 'import-results-failed-dark');
    await theme.click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');

    await page.getByTestId('import-filter-flagged').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=import-row]').length === 1);
    const flagged = rowsOf(page).first();
    assert.equal(await flagged.getAttribute('data-path'), 'questioned/a-smith/q2-upside-down.png');
    assert.match((await flagged.getByTestId('import-confidence').textContent()) ?? '', /▲\s*0\.\d\d/);
    assert.match((await flagged.getByTestId('import-reason').textContent()) ?? '', /check the box/);

    // The grid: the 4 imported documents and the 2 failed files whose original is kept (the PDF, the truncated JPEG).
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=document-card]').length === 6, null, { timeout: 60_000 });

    // The flagged file's link opens its document.
    await flagged.getByTestId('import-open').click();
    await page.getByTestId('document-title').filter({ hasText: 'q2-upside-down.png' }).waitFor();
    await page.goBack();
    await page.getByTestId('import-panel').waitFor();
    await page.getByTestId('import-filter-all').click();
    await page.close();
  });

  it('imports the same folder again: the files already there are skipped, the failed ones tried again', async () => {
    const page = await app.open(`/cases/${caseId}`);
    await page.getByTestId('case-title').filter({ hasText: 'Import case' }).waitFor();
    await startFrom(page, mixed);
    await page.locator('[data-testid=import-panel][data-status=done]').waitFor({ timeout: JOB });
    assert.equal(Number(await page.getByTestId('total-skipped').textContent()), 4);
    assert.equal(Number(await page.getByTestId('total-imported').textContent()), 0);
    await page.getByTestId('import-filter-skipped').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=import-row]').length === 4);
    assert.match((await page.getByTestId('import-reason').first().textContent()) ?? '', /duplicate/);
    await page.getByTestId('import-dismiss').click();
    await page.getByTestId('import-panel').waitFor({ state: 'hidden' });
    await page.close();
  });

  it('cancels an import: what was imported stays, and "Import the rest" completes it without duplicates', async () => {
    const id = lastJson<CaseRow>(cli(['--data-dir', app.dir, 'case', 'create', 'Cancelled import', '--json'])).id;
    const page = await app.open(`/cases/${id}`);
    await page.getByTestId('case-title').filter({ hasText: 'Cancelled import' }).waitFor();
    await startFrom(page, big);
    await page.getByTestId('import-progress').waitFor({ timeout: JOB });
    await page.getByTestId('import-current').waitFor({ timeout: JOB });
    await page.getByTestId('import-cancel').click();
    await page.locator('[data-testid=import-panel][data-status=cancelled]').waitFor({ timeout: JOB });

    const stopped = page.getByTestId('import-stopped');
    await stopped.waitFor();
    assert.match((await stopped.textContent()) ?? '', /Running the same import again imports the rest/);
    const first = Number(await page.getByTestId('total-imported').textContent());
    const notReached = Number(await page.getByTestId('total-not-processed').textContent());
    assert.ok(notReached > 0, 'files were left for a later run');
    assert.equal(first + notReached + Number(await page.getByTestId('total-failed').textContent()), 27);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=document-card]').length === n, first, { timeout: 60_000 });
    await screenshot(page, 'import-cancelled');

    await page.getByTestId('import-rerun').click();
    await page.locator('[data-testid=import-panel][data-status=done]').waitFor({ timeout: JOB });
    assert.equal(Number(await page.getByTestId('total-skipped').textContent()), first);
    assert.equal(Number(await page.getByTestId('total-imported').textContent()), 27 - first);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=document-card]').length === 27, null, { timeout: 60_000 });
    const finishes = audit(id)
      .filter((r) => r.action === 'import.finish')
      .map((r) => r.details.cancelled);
    assert.deepEqual(finishes, [true, false]);
    await page.close();
  });

  it('shows why a box is refused (no ink in it) and changes nothing', async () => {
    const page = await app.open(q1Href);
    await page.getByTestId('document-title').filter({ hasText: 'q1.png' }).waitFor();
    const svg = page.getByTestId('scan-viewer').locator('svg').first();
    await svg.locator('image').waitFor({ state: 'attached' });
    // Draw a box in the blank bottom-left corner of the cheque (page pixels 20..80, 730..780 of 1800 x 800).
    const b = (await svg.boundingBox())!;
    const at = (x: number, y: number) => [b.x + (x / 1800) * b.width, b.y + (y / 800) * b.height] as const;
    await page.mouse.move(...at(20, 730));
    await page.mouse.down();
    await page.mouse.move(...at(80, 780), { steps: 5 });
    await page.mouse.up();
    await page.getByText('changed, not saved').waitFor();
    await page.getByTestId('save-box').click();
    const error = page.getByTestId('save-error');
    await error.waitFor({ timeout: 60_000 });
    assert.match((await error.textContent()) ?? '', /The box was not saved:.*no ink found.*Nothing was changed/);
    assert.equal(await page.getByTestId('box-history-row').count(), 1);
    assert.equal(
      audit(caseId).some((r) => r.action === 'signature.crop'),
      false,
    );
    await screenshot(page, 'document-crop-refused');
    await page.getByTestId('reset-box').click();
    await page.getByText('changed, not saved').waitFor({ state: 'hidden' });
    await page.close();
  });

  it('logged no renderer errors', () => assertNoPageErrors(app));
});
