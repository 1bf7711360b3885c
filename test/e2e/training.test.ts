// The Training view in Chromium through `countersign serve`: a run of signet-tiny from scratch
// on a tiny synthetic collection (live loss chart, pairs/s, ETA, the new model registered but
// not active, the run in the history), and a second run cancelled mid-way (reported as
// cancelled, its 'last' checkpoint kept).
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS } from '../helpers/browser.ts';
import { cli } from '../helpers/cli.ts';
import { saveTinyModel } from '../helpers/verify-fixture.ts';
import { setActiveModel } from '../../src-main/core/model/registry/registry.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';

async function shot(page: Page, name: string) {
  await page.evaluate(() => document.getElementById('main')?.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

describe('training', () => {
  let app: App;
  let page: Page;
  let data: string;
  let active: string;

  before(async () => {
    app = await startApp(async (dir) => {
      const m = await saveTinyModel(dir, { name: 'institution base' });
      setActiveModel(dir, m.id);
      active = m.id;
    });
    data = path.join(app.dir, 'collection');
    const r = cli(['synth', 'dataset', data, '--writers', '6', '--genuine', '4', '--forged', '2', '--seed', '1']);
    assert.equal(r.status, 0, r.stderr);
    page = await app.open('/training');
  });
  after(async () => {
    await app?.close();
  });

  const points = (id: string) => page.getByTestId(id).getAttribute('data-points').then(Number);

  async function fill(opts: { epochs: string; pairs: string; name: string }) {
    await page.getByTestId('training-data').fill(data);
    await page.getByTestId('training-start-from').selectOption('scratch');
    await page.getByTestId('training-architecture').selectOption('signet-tiny');
    await page.getByTestId('training-name').fill(opts.name);
    await page.getByTestId('training-epochs').fill(opts.epochs);
    await page.getByTestId('training-batchSize').fill('8');
    await page.getByTestId('training-pairsPerEpoch').fill(opts.pairs);
  }

  it('offers the defaults and explains the fields; the browser has no folder dialog', async () => {
    await page.getByTestId('training-form').waitFor();
    assert.equal(await page.getByTestId('training-epochs').getAttribute('placeholder'), '5');
    assert.equal(await page.getByTestId('training-learningRate').getAttribute('placeholder'), '0.0001');
    assert.equal(await page.getByTestId('choose-folder').count(), 0, 'Choose… is desktop-only');
    await page.getByText('In the browser, type the folder').waitFor();
    assert.equal(await page.getByTestId('training-start-from').inputValue(), active, 'fine-tuning the active model is the default');
    await page.getByTestId('training-live').getByText('No training run in this session yet').waitFor();
    // A bad number is refused beside its field before anything starts.
    await page.getByTestId('training-data').fill(data);
    await page.getByTestId('training-epochs').fill('two');
    await page.getByTestId('training-submit').click();
    await page.getByTestId('error-epochs').filter({ hasText: "expected a whole number, got 'two'" }).waitFor();
  });

  it("speaks the UI's words beside the field, shows the base model's architecture, and lays the form out without clipping or overlap", async () => {
    // Fine-tuning: the architecture shown is the base model's own (signet-tiny), not the default 'signet'.
    await page.getByTestId('training-start-from').selectOption(active);
    assert.equal(await page.getByTestId('training-architecture').isDisabled(), true);
    assert.equal((await page.getByTestId('training-architecture').inputValue()).trim(), 'signet-tiny');
    // A data path that does not exist is refused beside the data field, before any run starts, without CLI flags.
    await page.getByTestId('training-epochs').fill('');
    await page.getByTestId('training-data').fill(path.join(app.dir, 'no-such-collection'));
    await page.getByTestId('training-submit').click();
    const err = page.getByTestId('error-data');
    await err.filter({ hasText: 'no such file or folder' }).waitFor();
    assert.doesNotMatch((await err.textContent()) ?? '', /--/);
    assert.equal(await page.getByTestId('training-error').count(), 0, 'not a general error');
    await page.getByTestId('training-live').getByText('No training run in this session yet').waitFor();
    // A hyperparameter the run would refuse (fewer pairs than one batch) beside its own field.
    await page.getByTestId('training-data').fill(data);
    await page.getByTestId('training-batchSize').fill('64');
    await page.getByTestId('training-pairsPerEpoch').fill('8');
    await page.getByTestId('training-submit').click();
    await page.getByTestId('error-pairsPerEpoch').filter({ hasText: 'the batch size (64)' }).waitFor();
    assert.doesNotMatch((await page.getByTestId('error-pairsPerEpoch').textContent()) ?? '', /^pairs per epoch|--/);
    await page.getByTestId('training-batchSize').fill('');
    await page.getByTestId('training-pairsPerEpoch').fill('');

    for (const width of [1360, 1200, 1000]) {
      await page.setViewportSize({ width, height: 860 });
      const layout = await page.evaluate(() => {
        const form = document.querySelector('[data-testid=training-form]')!;
        // (no named functions in here: tsx's helpers for them do not exist in the page)
        const labels = Array.from(form.querySelectorAll('label > span:first-child')).map((e) => ({ text: e.textContent ?? '', r: e.getBoundingClientRect() }));
        const overlaps: string[] = [];
        for (let i = 0; i < labels.length; i++) {
          for (let j = i + 1; j < labels.length; j++) {
            const a = labels[i]!.r;
            const b = labels[j]!.r;
            if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0)
              overlaps.push(`${labels[i]!.text} / ${labels[j]!.text}`);
          }
        }
        // Every option of Start from fits the list's width (text plus the arrow).
        const sel = form.querySelector('[data-testid=training-start-from]') as HTMLSelectElement;
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = getComputedStyle(sel).font;
        const widest = Math.max(...Array.from(sel.options).map((o) => ctx.measureText(o.text).width));
        return { overlaps, widest, room: sel.clientWidth - 40 };
      });
      assert.deepEqual(layout.overlaps, [], `labels overlap at ${width} px`);
      assert.ok(layout.widest <= layout.room, `Start from cut off at ${width} px: ${layout.widest} px of text in ${layout.room} px`);
    }
    await page.setViewportSize({ width: 1360, height: 860 });
    await shot(page, 'training-form-errors');
  });

  it('trains signet-tiny from scratch for one epoch: the loss chart fills live, and the new model is registered but not made active', async () => {
    await fill({ epochs: '1', pairs: '64', name: 'e2e tiny' });
    await page.getByTestId('training-submit').click();
    await page.getByTestId('training-status').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) >= 1, undefined, {
      timeout: 120_000,
    });
    const first = await points('loss-chart');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) > n, first, { timeout: 60_000 });
    await page.locator('[data-testid=training-outcome][data-status=done]').waitFor({ timeout: 120_000 });
    assert.ok((await points('loss-chart')) >= 8, 'a point per batch (64 pairs / 8) and the epoch mean');
    assert.equal(await points('eer-chart'), 1, 'one validation EER for one epoch');
    assert.match((await page.getByTestId('stat-epoch').textContent()) ?? '', /1 \/ 1/);
    assert.match((await page.getByTestId('stat-ips').textContent()) ?? '', /^\d+\.\d$/);
    const modelId = (await page.getByTestId('new-model-link').textContent())!.trim();
    assert.match(modelId, /^e2e-tiny-v1$/);
    const row = page.locator('[data-testid=run-row][data-status=completed]');
    await row.waitFor();
    await row.getByRole('link', { name: modelId }).waitFor();
    await shot(page, 'training-done');

    await page.getByTestId('new-model-link').click();
    const modelRow = page.locator(`[data-testid=model-row][data-model-id="${modelId}"]`);
    await modelRow.waitFor();
    assert.equal(await modelRow.getByTestId('active-chip').count(), 0, 'never made active automatically');
    await page.locator(`[data-testid=model-row][data-model-id="${active}"]`).getByTestId('active-chip').waitFor();
    await page.getByTestId('model-details').waitFor();
    await page.goBack();
    await page.getByTestId('training-form').waitFor();
  });

  it('cancels a second run mid-way from the jobs indicator; it is reported as cancelled and can resume', async () => {
    await fill({ epochs: '3', pairs: '2048', name: 'e2e cancelled' });
    await page.getByTestId('training-submit').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) >= 2, undefined, {
      timeout: 120_000,
    });
    await page.locator('[data-testid=training-live][data-phase=training]').waitFor();
    assert.notEqual((await page.getByTestId('stat-eta').textContent())?.trim(), '–', 'an ETA is shown');
    await shot(page, 'training-running');

    await page.getByTestId('jobs-indicator').filter({ hasText: '1 job running' }).click();
    const item = page.locator('[data-testid=job-item][data-kind=training][data-status=running]');
    await item.waitFor();
    await shot(page, 'jobs-panel');
    await item.getByTestId('job-cancel').click();
    await page.locator('[data-testid=training-outcome][data-status=cancelled]').waitFor({ timeout: 120_000 });
    await page.getByTestId('resume-run').waitFor();
    await page.locator('[data-testid=job-item][data-kind=training][data-status=cancelled]').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('jobs-panel').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'jobs-indicator', 'the focus returns to the indicator');
    await page.locator('[data-testid=run-row][data-status=cancelled]').waitFor();
    assert.equal(await page.locator('[data-testid=run-row]').count(), 2);
    await shot(page, 'training-cancelled');
  });

  it('logged no renderer errors', () => assertNoPageErrors(app));
});
