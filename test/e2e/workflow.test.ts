// The examiner's whole workflow in Chromium through `countersign serve`, on a synthetic case
// folder made here with `countersign synth case`: create a case in the UI, import its folder
// through the UI (the path field), read the results table and the grid, correct a questioned
// document's box, open its comparison, move the threshold slider and release it (saved),
// verify the whole case as a batch, and export the PDF report. A screenshot of every step
// goes to test-artifacts/workflow-*.png (light, 1360 x 900; the import results in dark too).
// The model is the active one of the data directory: the shipped base model when
// resources/models holds one, else a registered, calibrated signet-tiny made active here.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { getActiveModel, setActiveModel } from '../../src-main/core/model/registry/registry.ts';
import type { AuditRow, CaseRow } from '../../src-main/core/store/types.ts';
import { screenshot } from '../helpers/browser.ts';
import { cli, lastJson, tempDir } from '../helpers/cli.ts';
import { saveTinyModel } from '../helpers/verify-fixture.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';

const JOB = 180_000; // jobs (import, embedding, batch) on a loaded machine

describe('the whole workflow', () => {
  let app: App;
  let page: Page;
  let model: string;
  const folder = tempDir('countersign-workflow-case-');
  const caseFolder = path.join(folder.dir, 'smith');
  const caseName = 'Estate of H. Marlow — cheques';
  let caseId: number;
  let questionedId: number;

  before(async () => {
    const made = cli(['synth', 'case', caseFolder, '--subjects', '2', '--known', '4', '--questioned', '2', '--seed', '5', '--json']);
    assert.equal(made.status, 0, made.stderr);
    app = await startApp(async (dir) => {
      const active = getActiveModel(dir);
      if (active) model = active.id;
      else {
        // Distances of this random-weight model's embeddings are a few hundredths.
        const m = await saveTinyModel(dir, { eerThreshold: 0.06 });
        setActiveModel(dir, m.id);
        model = m.id;
      }
    });
    page = await app.open('/cases', { width: 1360, height: 900 });
  });
  after(async () => {
    await app?.close();
    folder.cleanup();
  });

  const caseShow = () => lastJson<CaseRow>(cli(['--data-dir', app.dir, 'case', 'show', String(caseId), '--json']));
  const audit = () => lastJson<AuditRow[]>(cli(['--data-dir', app.dir, 'audit', 'show', '--case', String(caseId), '--json']));

  it('1. creates the case in the UI', async () => {
    await page.getByTestId('new-case').click();
    const dialog = page.getByTestId('create-case-dialog');
    await dialog.getByTestId('case-name').fill(caseName);
    await dialog.getByTestId('case-examiner').fill('J. Okafor');
    await dialog.getByLabel('Notes').fill('Four cheques presented by the bank; exemplars from the account file.');
    await dialog.getByTestId('create-case').click();
    await page.getByTestId('case-title').filter({ hasText: caseName }).waitFor();
    caseId = Number(/#\/cases\/(\d+)/.exec(page.url())?.[1]);
    assert.ok(caseId > 0, page.url());
    await page.getByTestId('empty-import').waitFor();
    await screenshot(page, 'workflow-1-case-created');
  });

  it('2. imports the case folder through the path field: progress, the results table, the grid', async () => {
    await page.getByTestId('import-button').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('folder-layout').waitFor();
    assert.match((await dialog.getByTestId('import-note').textContent()) ?? '', /browser/);
    await dialog.getByTestId('import-folder').fill(caseFolder);
    await screenshot(page, 'workflow-2a-import-dialog');
    await dialog.getByTestId('import-start').click();

    const panel = page.getByTestId('import-panel');
    await page.getByTestId('import-progress').or(page.locator('[data-testid=import-panel][data-status=done]')).first().waitFor({ timeout: JOB });
    if (await page.getByTestId('import-progress').isVisible()) await screenshot(page, 'workflow-2b-import-progress');
    await page.locator('[data-testid=import-panel][data-status=done]').waitFor({ timeout: JOB });

    // Every file of the folder in the table, in the folder's order, each imported with a link to its document.
    const rows = panel.getByTestId('import-row');
    assert.equal(await rows.count(), 12);
    assert.deepEqual(new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))), new Set(['imported']));
    assert.equal((await page.getByTestId('total-imported').textContent())?.trim(), '12');
    assert.equal((await page.getByTestId('total-failed').textContent())?.trim(), '0');
    assert.equal(await panel.getByTestId('import-open').count(), 12);
    assert.match((await panel.getByTestId('import-extra').textContent()) ?? '', /truth\.json/);
    // The crops (known exemplars that are ready-made crops) and the boxes found with their confidence.
    const conf = await panel.getByTestId('import-confidence').allTextContents();
    assert.ok(conf.some((t) => t.trim() === 'crop') && conf.some((t) => /^\d\.\d\d$/.test(t.trim())), conf.join('|'));

    // The grid refreshed: every document as a card with its crop.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=document-card] img').length === 12, null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('subject-group').count(), 2);
    await screenshot(page, 'workflow-2c-import-results');

    // The same results in the dark theme.
    await page.getByRole('button', { name: 'Switch between light and dark theme' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await screenshot(page, 'workflow-2c-import-results-dark');
    await page.getByRole('button', { name: 'Switch between light and dark theme' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    await page.getByRole('tab', { name: /Documents/ }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'workflow-2d-grid');
  });

  it('3. opens a questioned document, adjusts its box and saves it: new crop, the earlier box in the history, audit-logged', async () => {
    const card = page.getByTestId('questioned-cards').first().getByTestId('document-card').first();
    questionedId = Number(await card.getAttribute('data-document-id'));
    await card.click();
    await page
      .getByTestId('document-title')
      .filter({ hasText: /^q0\d\./ })
      .waitFor();
    await page.getByTestId('scan-viewer').locator('svg image').first().waitFor({ state: 'attached' });
    const before = (await page.getByTestId('box-readout').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
    const [x, y, w, h] = (/x (\d+) · y (\d+) · (\d+) × (\d+) px/.exec(before) ?? []).slice(1).map(Number) as [number, number, number, number];
    assert.ok(w > 0 && h > 0, before);

    // Keyboard: 5 px steps; the box widened by 20 px and moved 10 px left.
    const box = page.getByTestId('signature-box');
    await box.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
    for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowLeft');
    await page.getByText('changed, not saved').waitFor();
    await page.getByTestId('save-hint').filter({ hasText: 'comparison is then run again' }).waitFor();
    await page.getByTestId('save-box').click();

    const saved = page.getByTestId('crop-saved');
    await saved.waitFor({ timeout: 60_000 });
    const want = `${x - 10}, ${y}, ${w + 20} × ${h} px`;
    assert.equal((await saved.getByTestId('crop-saved-box').textContent())?.trim(), want);
    assert.match((await page.getByTestId('crop-rerun').textContent()) ?? '', /Run the comparison again/);
    await page.getByText('changed, not saved').waitFor({ state: 'hidden' });
    // The history: the automatic box kept as rejected, the examiner's in use.
    const history = page.getByTestId('box-history-row');
    assert.equal(await history.count(), 2);
    assert.match((await history.nth(0).textContent()) ?? '', /automatic.*rejected\s*earlier box/);
    assert.match((await history.nth(1).textContent()) ?? '', /examiner.*in use/);
    assert.match((await page.getByTestId('signature-panel').textContent()) ?? '', /the examiner \(manual box\)/);
    await page.getByTestId('signature-panel').locator('img').nth(1).waitFor();
    await screenshot(page, 'workflow-3a-box-corrected');
    await page.getByTestId('box-history').evaluate((el) => el.scrollIntoView({ block: 'center', inline: 'nearest' }));
    await screenshot(page, 'workflow-3b-box-history');

    const crop = audit()
      .filter((r) => r.action === 'signature.crop')
      .at(-1);
    assert.ok(crop, 'the crop is in the audit trail');
    assert.deepEqual((crop.details.new as { box: number[] }).box, [x - 10, y, w + 20, h]);
    assert.deepEqual((crop.details.old as { box: number[] }).box, [x, y, w, h]);
    // ... and the case's audit trail in the UI shows it.
    await page.getByTestId('crop-audit-link').click();
    const row = page.getByTestId('audit-row').filter({ hasText: 'Box corrected' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(`${x}, ${y}, ${w} × ${h} px → ${x - 10}, ${y}, ${w + 20} × ${h} px`));
    await row.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'workflow-3c-audit-crop');
  });

  it('4. opens the comparison of the corrected document', async () => {
    await page.goto(`${app.url}#/cases/${caseId}/documents/${questionedId}`);
    await page.getByTestId('open-comparison').click();
    await page.getByTestId('decision-panel').waitFor({ timeout: JOB });
    await page.getByTestId('recorded-tag').waitFor();
    assert.equal(await page.getByTestId('distance-row').count(), 4, 'one distance per known signature of the claimed subject');
    await page.getByTestId('reference').first().locator('img').waitFor();
    await screenshot(page, 'workflow-4-compare');
  });

  it('5. explores the threshold with the slider, then sets it through the dialog with a reason: saved and audit-logged', async () => {
    assert.equal(caseShow().threshold, null, 'the model default until now');
    const firstId = (await page.getByTestId('comparison-id').textContent())!;
    const slider = page.getByTestId('threshold-slider');
    const b = (await slider.boundingBox())!;
    const yMid = b.y + b.height / 2;
    await page.mouse.move(b.x + b.width * 0.5, yMid);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width * 0.62, yMid, { steps: 6 });
    await page.getByTestId('preview-tag').waitFor();
    await page.mouse.up();
    assert.equal(caseShow().threshold, null, 'releasing the slider stores nothing');
    await page.getByTestId('propose-threshold').click();
    await page.getByTestId('threshold-reason').fill('agreed with the reviewer');
    await page.getByTestId('save-threshold').click();
    await page.locator('[data-testid=decision][data-preview=false]').waitFor({ timeout: JOB });
    await page.getByTestId('comparison-id').filter({ hasNotText: firstId }).waitFor({ timeout: JOB });
    const t = caseShow().threshold;
    assert.ok(t !== null && t > 0, 'the threshold is stored on the case');
    assert.ok(Math.abs(t - Number(await slider.inputValue())) < 1e-9, `stored ${t}, slider ${await slider.inputValue()}`);
    const change = audit()
      .filter((r) => r.action === 'case.threshold')
      .at(-1);
    assert.deepEqual({ ...change?.details, resultsSeen: undefined }, { old: null, new: t, reason: 'agreed with the reviewer', resultsSeen: undefined });
    await screenshot(page, 'workflow-5-threshold');
  });

  it('6. runs batch verification of the whole case', async () => {
    await page.getByTestId('to-batch').click();
    await page.getByTestId('batch-table').waitFor();
    assert.equal(await page.getByTestId('batch-row').count(), 4);
    assert.match((await page.getByTestId('batch-settings').textContent()) ?? '', new RegExp(model));
    await page.getByTestId('verify-all').click();
    await page.locator('[data-testid=batch-outcome][data-status=done]').waitFor({ timeout: JOB });
    assert.match((await page.getByTestId('batch-outcome').textContent()) ?? '', /4 documents compared/);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=batch-row]')).every((r) => r.getAttribute('data-decision') !== 'none'));
    await page.locator('[data-testid=batch-row] img').first().waitFor();
    await screenshot(page, 'workflow-6-batch');
  });

  it('7. exports the PDF report and downloads it', async () => {
    const download = page.waitForEvent('download', { timeout: JOB });
    await page.getByTestId('export-report').click();
    const bytes = readFileSync(await (await download).path());
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    await page.getByTestId('report-sha').waitFor();
    assert.ok(
      audit().some((r) => r.action === 'report.create'),
      'the report is in the audit trail',
    );
    await screenshot(page, 'workflow-7-report');
  });

  it('logged no renderer errors', () => assertNoPageErrors(app));
});
