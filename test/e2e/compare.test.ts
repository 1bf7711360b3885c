// The Compare view in Chromium through `countersign serve`, with a real (tiny, random-weight,
// calibrated) model embedding real normalised signatures: figures, overlay and difference,
// synchronised zoom, the threshold slider (a live preview that stores nothing; setting the case
// threshold is a dialog with a required reason, audit-logged, with undo), the score in words for
// a kk-ratio model and a legacy mean-distance one, the picker, an uncalibrated model, and a case
// without questioned documents.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { AuditRow, CaseRow } from '../../src-main/core/store/types.ts';
import { ensureModelRow } from '../../src-main/core/model/registry/model-rows.ts';
import { openStore } from '../../src-main/core/store/index.ts';
import { ARTIFACTS } from '../helpers/browser.ts';
import { cli, lastJson } from '../helpers/cli.ts';
import { saveTinyModel, seedVerifiableCase } from '../helpers/verify-fixture.ts';
import { assertNoPageErrors, assertVisibleFocus, startApp, tabTo, type App } from './fixtures/app.ts';
import { seedVerification, type VerificationSeed } from './fixtures/verification.ts';

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

describe('compare', () => {
  let app: App;
  let seed: VerificationSeed;
  let uncalibrated: { caseId: number; documentId: number };
  let ratio: { caseId: number; documentId: number };

  before(async () => {
    app = await startApp(async (dir) => {
      seed = await seedVerification(dir, { threshold: 0.06 });
      // A second case pinned to an uncalibrated model: distances and a decision, but no LR.
      const model = await saveTinyModel(dir, { calibrated: false, name: 'uncalibrated fixture', eerThreshold: 0.06 });
      const store = openStore(dir, { client: 'cli' });
      try {
        const c = await seedVerifiableCase(store, { name: 'Uncalibrated case', subjects: 1, known: 4, questioned: 1, seed: 9 });
        store.write(() => ensureModelRow(store, dir, model.id));
        store.cases.setModel(c.caseId, model.id);
        // A minimum above its 4 references: every comparison warns about the reference set.
        store.write(() => store.db.prepare('UPDATE cases SET min_references = 5 WHERE id = ?').run(c.caseId));
        uncalibrated = { caseId: c.caseId, documentId: c.questioned[0]!.documentId };
        // A third case pinned to a kk-ratio model (scores in units of the references' own spread).
        const kk = await saveTinyModel(dir, { name: 'kk-ratio fixture', eerThreshold: 1.2, scoring: { method: 'kk-ratio', prior: 0.05, priorWeight: 3 } });
        const r = await seedVerifiableCase(store, { name: 'Ratio case', subjects: 1, known: 4, questioned: 1, seed: 5 });
        store.write(() => ensureModelRow(store, dir, kk.id));
        store.cases.setModel(r.caseId, kk.id);
        ratio = { caseId: r.caseId, documentId: r.questioned[0]!.documentId };
      } finally {
        store.close();
      }
    });
    cli(['--data-dir', app.dir, 'case', 'create', 'Empty case', '--json']);
  });
  after(async () => {
    await app?.close();
  });

  const caseShow = (id: number) => lastJson<CaseRow>(cli(['--data-dir', app.dir, 'case', 'show', String(id), '--json']));
  const audit = (id: number) => lastJson<AuditRow[]>(cli(['--data-dir', app.dir, 'audit', 'show', '--case', String(id), '--json']));
  const q0 = () => seed.case.questioned[0]!.documentId;
  const openComparison = async (page: Page) => page.getByTestId('decision-panel').waitFor({ timeout: 60_000 });

  it('opens a comparison from the document page: distances to every reference, their mean, the LR with its verbal band, the decision and what is on record', async () => {
    const page = await app.open(`/cases/${seed.case.caseId}/documents/${q0()}`);
    await page.getByTestId('open-comparison').click();
    await openComparison(page);
    assert.match((await page.getByTestId('compare-title').textContent()) ?? '', /q1\.png/);

    const rows = page.getByTestId('distance-row');
    assert.equal(await rows.count(), 4, 'one row per known signature of the claimed subject');
    const distances = await page.getByTestId('reference').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-distance'))));
    assert.equal(distances.length, 4);
    const mean = distances.reduce((a, b) => a + b, 0) / distances.length;
    assert.equal((await page.getByTestId('aggregate').textContent())?.trim(), mean.toFixed(3), 'the aggregate is the mean of the distances');

    const llr = (await page.getByTestId('llr').textContent())?.trim() ?? '';
    assert.match(llr, /^(≥ |≤ )?[+−]\d+\.\d\d$/);
    assert.match((await page.getByTestId('lr').textContent()) ?? '', /^(≈|≥|≤) (1\/)?[\d.,]+/);
    assert.match((await page.getByTestId('verbal').textContent()) ?? '', /^The findings provide .+ J\. /);
    assert.match((await page.getByTestId('support-short').textContent()) ?? '', /support/);

    const decision = page.getByTestId('decision');
    assert.ok(['genuine', 'not_genuine', 'inconclusive'].includes((await decision.getAttribute('data-decision')) ?? ''));
    assert.equal(await decision.getAttribute('data-preview'), 'false');
    assert.match((await decision.textContent()) ?? '', /at threshold 0\.06/);
    await page.getByTestId('recorded-tag').waitFor();
    assert.match((await page.getByTestId('model-sha').textContent()) ?? '', new RegExp(`^${seed.modelSha256.slice(0, 16)}`));
    assert.match((await page.getByTestId('comparison-id').textContent()) ?? '', /comparison #\d+/);
    assert.ok(
      audit(seed.case.caseId).some((r) => r.action === 'verify.compare'),
      'opening the comparison recorded it',
    );
    await shot(page, 'compare-light');
    // The whole page at once (the content area scrolls inside the frame).
    await page.setViewportSize({ width: 1360, height: 1500 });
    await shot(page, 'compare-light-full');
    await page.close();
  });

  it('overlays Q and K in two colours, shows their difference, and zooms and pans both images together', async () => {
    const page = await app.open(`/compare/${seed.case.caseId}/${q0()}`);
    await openComparison(page);
    await page.getByTestId('mode-overlay').click();
    const img = page.getByTestId('composite-image');
    await img.waitFor();
    const overlaySrc = await img.getAttribute('src');
    assert.match(overlaySrc ?? '', /^data:image\/png/);
    assert.match((await page.getByTestId('composite-legend').textContent()) ?? '', /Q q1\.png.*K1 k1\.png/);
    await shot(page, 'compare-overlay');

    await page.getByTestId('mode-difference').click();
    await page.getByTestId('composite-legend').filter({ hasText: 'ink only in Q' }).waitFor();
    await page.waitForFunction((before) => document.querySelector('[data-testid=composite-image]')?.getAttribute('src') !== before, overlaySrc);
    await shot(page, 'compare-difference');

    await page.getByTestId('mode-side').click();
    await page.getByTestId('pane-q').waitFor();
    await tabTo(page, '[data-testid=signature-stage]');
    await assertVisibleFocus(page);
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.getByTestId('zoom-value').filter({ hasText: '156 %' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    const transforms = () =>
      page.evaluate(() => Array.from(document.querySelectorAll('[data-testid^=pane-] .layer')).map((l) => (l as HTMLElement).style.transform));
    const [tq, tk] = await transforms();
    assert.match(tq ?? '', /scale\(1\.5625\)/);
    assert.equal(tq, tk, 'both panes show the same region');
    // The wheel over the reference zooms the questioned image too.
    const box = (await page.getByTestId('pane-k').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -200);
    await page.waitForFunction(() => !document.querySelector('[data-testid=zoom-value]')?.textContent?.includes('156 %'));
    const [wq, wk] = await transforms();
    assert.equal(wq, wk);
    await page.getByTestId('signature-stage').focus();
    await page.keyboard.press('0');
    await page.getByTestId('zoom-value').filter({ hasText: '100 %' }).waitFor();

    // Another reference: the strip is a group of toggle buttons with arrow keys.
    await page.getByTestId('reference').nth(2).click();
    await page.getByTestId('pane-k').locator('..').getByText('k3.png').waitFor();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByTestId('reference').nth(3).getAttribute('aria-pressed'), 'true');
    await page.close();
  });

  it('previews the decision while the threshold slider moves, and stores nothing: not on release, not with the arrow keys', async () => {
    const page = await app.open(`/compare/${seed.case.caseId}/${q0()}`);
    await openComparison(page);
    const before = caseShow(seed.case.caseId);
    assert.equal(before.threshold, 0.06);
    const auditBefore = audit(seed.case.caseId).length;
    const firstId = (await page.getByTestId('comparison-id').textContent())!;
    const decision = page.getByTestId('decision');

    const slider = page.getByTestId('threshold-slider');
    const box = (await slider.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + 1, y);
    await page.mouse.down();
    // At the smallest threshold nothing can support genuine; the decision shown is a preview.
    await page.locator('[data-testid=decision][data-preview=true]').waitFor();
    assert.notEqual(await decision.getAttribute('data-decision'), 'genuine');
    await page.getByTestId('preview-tag').waitFor();
    await page.mouse.move(box.x + box.width - 1, y, { steps: 8 });
    await page.locator('[data-testid=decision][data-decision=genuine][data-preview=true]').waitFor();
    await shot(page, 'compare-threshold-preview');
    await page.mouse.up();
    // Released: still a preview, nothing stored.
    await page.waitForTimeout(1500);
    assert.equal(await decision.getAttribute('data-preview'), 'true');
    assert.match((await page.getByTestId('shown-threshold').textContent()) ?? '', /^\d+\.\d{2,3}$/, 'the threshold reads to what it can claim, not 1.400000');

    // With the keyboard: one arrow press previews and stores nothing, even after the keys rest.
    await page.keyboard.press('Escape');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-testid=decision][data-preview=true]').waitFor();
    await page.waitForTimeout(1500);
    assert.equal(caseShow(seed.case.caseId).threshold, 0.06, 'the arrow key stored nothing');
    assert.equal(audit(seed.case.caseId).length, auditBefore, 'nothing in the audit trail');
    assert.equal(await page.getByTestId('comparison-id').textContent(), firstId, 'no comparison recorded');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=decision][data-preview=false]').waitFor();
    await page.getByTestId('recorded-tag').waitFor();
    await page.close();
  });

  it('sets the case threshold only through the dialog, with the old and new value and a required reason; one notice; undo restores the old value', async () => {
    const page = await app.open(`/compare/${seed.case.caseId}/${q0()}`);
    await openComparison(page);
    const firstId = (await page.getByTestId('comparison-id').textContent())!;
    assert.equal(await page.getByTestId('propose-threshold').isDisabled(), true, 'nothing to set before exploring');
    const slider = page.getByTestId('threshold-slider');
    const box = (await slider.boundingBox())!;
    await page.mouse.click(box.x + box.width - 1, box.y + box.height / 2);
    await page.locator('[data-testid=decision][data-decision=genuine][data-preview=true]').waitFor();
    const proposed = Number(await page.getByTestId('shown-threshold').textContent());
    await page.getByTestId('propose-threshold').click();
    const dialog = page.getByTestId('threshold-dialog');
    await dialog.waitFor();
    assert.equal((await dialog.getByTestId('threshold-old').textContent())?.trim(), '0.06');
    assert.equal(Number(await dialog.getByTestId('threshold-new').textContent()), proposed);
    await dialog
      .getByTestId('results-seen')
      .filter({ hasText: /already been seen/ })
      .waitFor();
    await shot(page, 'compare-set-threshold-dialog');
    // Without a reason it refuses and stores nothing.
    await dialog.getByTestId('save-threshold').click();
    await dialog.getByTestId('reason-error').waitFor();
    assert.equal(caseShow(seed.case.caseId).threshold, 0.06);
    await dialog.getByTestId('threshold-reason').fill('the laboratory threshold for cheques');
    await dialog.getByTestId('save-threshold').click();

    await page.locator('[data-testid=decision][data-preview=false][data-decision=genuine]').waitFor({ timeout: 60_000 });
    await page.getByTestId('comparison-id').filter({ hasNotText: firstId }).waitFor();
    const notices = page.locator('.notice').filter({ hasText: 'Case threshold' });
    await notices.first().waitFor();
    await page.waitForTimeout(600);
    assert.equal(await notices.count(), 1, 'one notice, not two');
    assert.equal(caseShow(seed.case.caseId).threshold, proposed);
    const change = audit(seed.case.caseId)
      .filter((r) => r.action === 'case.threshold')
      .at(-1)!;
    assert.equal(change.details.old, 0.06);
    assert.equal(change.details.new, proposed);
    assert.equal(change.details.reason, 'the laboratory threshold for cheques');
    assert.ok((change.details.resultsSeen as number) > 0, 'recorded as set after results were seen');

    // Undo restores the old value, also audit-logged with a reason.
    await page.getByTestId('threshold-changed').waitFor();
    await page.getByTestId('undo-threshold').click();
    await page.getByTestId('threshold-changed').waitFor({ state: 'detached', timeout: 60_000 });
    assert.equal(caseShow(seed.case.caseId).threshold, 0.06);
    const undo = audit(seed.case.caseId)
      .filter((r) => r.action === 'case.threshold')
      .at(-1)!;
    assert.deepEqual([undo.details.old, undo.details.new], [proposed, 0.06]);
    assert.match(String(undo.details.reason), /^undo of the change/);
    await page.locator('[data-testid=decision][data-preview=false]').waitFor();
    assert.match((await page.getByTestId('decision').textContent()) ?? '', /at threshold 0\.06/);
    await page.close();
  });

  it('names the score of a kk-ratio model, explains it, and plots distances and the threshold on one axis in score units', async () => {
    const page = await app.open(`/compare/${ratio.caseId}/${ratio.documentId}`);
    await openComparison(page);
    const panel = page.getByTestId('distance-panel');
    assert.equal(await panel.getAttribute('data-score-method'), 'kk-ratio');
    assert.match(
      (await page.getByTestId('score-explanation').textContent()) ?? '',
      /Score \(Q-K ÷ K-K\) \d+\.\d\d: Q is [\d.]+ times as far from the references as they are from each other/,
    );
    assert.match((await page.getByTestId('chart-axis-label').textContent()) ?? '', /score units/);
    // The chart's Q mark is the score (the mean of the plotted Q-K points), not the mean distance.
    const scoreText = (await page.getByTestId('aggregate').textContent())!.trim();
    const meanText = (await page.getByTestId('mean-distance').textContent())!.trim();
    assert.notEqual(scoreText, meanText);
    assert.match((await page.getByTestId('chart-q-label').textContent()) ?? '', new RegExp(`^Q score ${scoreText.replace('.', '\\.')}$`));
    assert.match((await page.getByTestId('decision-reason').textContent()) ?? '', /^score /);
    assert.match((await page.getByTestId('score-method').textContent()) ?? '', /divided by the references' own spread/);
    // The natural-variation sentence never contradicts the decision.
    const position = page.getByTestId('nv-position');
    const d = await page.getByTestId('decision').getAttribute('data-decision');
    const where = await position.getAttribute('data-position');
    if ((d === 'not_genuine' && where !== 'farther') || (d === 'genuine' && where === 'farther')) {
      assert.match((await position.textContent()) ?? '', /nevertheless/);
    }
    await shot(page, 'compare-kk-ratio');
    await page.close();
  });

  it('reads well in the dark theme', async () => {
    const page = await app.open(`/compare/${seed.case.caseId}/${seed.case.questioned[1]!.documentId}`, { theme: 'dark' });
    await openComparison(page);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.getByTestId('reference').first().locator('img').waitFor();
    await shot(page, 'compare-dark');
    await page.close();
  });

  it('lets the examiner pick a case and a questioned document at #/compare', async () => {
    const page = await app.open('/compare');
    await page.getByTestId('compare-case').selectOption(String(seed.case.caseId));
    const docs = page.getByTestId('compare-document');
    await docs.first().waitFor();
    assert.equal(await docs.count(), 4);
    await shot(page, 'compare-picker');
    await docs.nth(1).click();
    await openComparison(page);
    assert.match((await page.getByTestId('compare-title').textContent()) ?? '', /q2\.png/);
    await page.getByTestId('next-questioned').click();
    await page.getByTestId('compare-title').filter({ hasText: 'q1.png' }).waitFor();
    await openComparison(page);
    await page.close();
  });

  it('says so when the model is not calibrated, and places each warning beside the figure it concerns', async () => {
    const page = await app.open(`/compare/${uncalibrated.caseId}/${uncalibrated.documentId}`);
    await openComparison(page);
    assert.match((await page.getByTestId('uncalibrated').textContent()) ?? '', /No likelihood ratio is given: the model used has not been calibrated/);
    await page.getByRole('list', { name: 'Warnings about the likelihood ratio' }).getByText('the model is not calibrated').waitFor();
    assert.equal(await page.getByTestId('llr').count(), 0);
    await page.getByRole('list', { name: 'Warnings about the references' }).getByText('only 4 known signatures (minimum 5)').waitFor();
    assert.ok(await page.getByTestId('decision').getAttribute('data-decision'), 'a decision at the threshold all the same');
    await shot(page, 'compare-uncalibrated');
    await page.close();
  });

  it('explains a case without questioned documents', async () => {
    const id = lastJson<CaseRow[]>(cli(['--data-dir', app.dir, 'case', 'list', '--json'])).find((c) => c.name === 'Empty case')!.id;
    const page = await app.open(`/compare/${id}`);
    await page.getByRole('heading', { name: 'This case has no questioned documents' }).waitFor();
    await page.goto(`${app.url}#/compare/${id}/abc`);
    await page.getByRole('heading', { name: 'This address does not name a comparison' }).waitFor();
    await page.close();
  });

  it('logged no renderer errors', () => assertNoPageErrors(app));
});
