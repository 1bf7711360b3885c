// Models and Settings in Chromium through `countersign serve`: versions with metrics and
// lineage, making one active after a confirmation that says what changes; the data
// directory, the backend and why better ones are unavailable, defaults for new cases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CaseRow } from '../../src-main/core/store/types.ts';
import { screenshot } from '../helpers/browser.ts';
import { cli, lastJson } from '../helpers/cli.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';
import { seedBrokenModel, seedModels } from './fixtures/models.ts';

describe('models and settings', () => {
  let app: App;
  let ids: { parent: string; child: string };
  let broken: string;

  before(async () => {
    app = await startApp(async (dir) => {
      ids = await seedModels(dir);
      broken = seedBrokenModel(dir);
    });
  });
  after(async () => {
    await app?.close();
  });

  it('lists model versions with metrics, calibration, lineage and SHA-256', async () => {
    const page = await app.open('/models');
    const row = (id: string) => page.locator(`[data-testid=model-row][data-model-id="${id}"]`);
    await row(ids.child).waitFor();
    assert.equal((await row(ids.parent).getByTestId('model-eer').textContent())?.trim(), '8.1 %');
    assert.equal((await row(ids.child).getByTestId('model-eer').textContent())?.trim(), '6.2 %');
    assert.match((await row(ids.parent).textContent()) ?? '', /from scratch.*not calibrated/s);
    assert.match((await row(ids.child).textContent()) ?? '', new RegExp(`↳ ${ids.parent}.*calibrated`, 's'));
    assert.match((await row(ids.child).textContent()) ?? '', /user/);
    // Each EER with its 95 % interval and what it rests on; a model from before intervals says so.
    assert.equal((await row(ids.child).getByTestId('model-eer-interval').textContent())?.trim(), '95 % CI 3.1–10.4 %');
    assert.equal((await row(ids.child).getByTestId('model-n').textContent())?.trim(), '12 writers, 96 genuine / 60 forged');
    assert.equal((await row(ids.parent).getByTestId('model-eer-interval').textContent())?.trim(), 'interval not recorded');
    assert.match((await row(ids.parent).getByTestId('model-n').textContent()) ?? '', /^writers not recorded, genuine: number not recorded/);
    // None chosen: the newest base model applies if one ships, else the view says none is active.
    const base = await page.locator('[data-testid=model-row] .chip.source', { hasText: 'base' }).count();
    await page.getByTestId(base ? 'active-model' : 'no-active-model').waitFor();
    // A folder the registry cannot read is listed with why, not silently skipped.
    const problems = page.getByTestId('model-problems');
    await problems.locator('.mono', { hasText: broken }).waitFor();
    assert.match((await problems.textContent()) ?? '', /metadata\.json/);

    await row(ids.child)
      .getByRole('button', { name: /Institution v2/ })
      .click();
    const details = page.getByTestId('model-details');
    await details.waitFor();
    assert.match((await details.textContent()) ?? '', new RegExp(`Lineage\\s*${ids.parent}`));
    assert.match((await details.textContent()) ?? '', /[0-9a-f]{64}/);
    const fig = (key: string) => details.locator(`[data-testid=model-figure][data-key=${key}]`);
    assert.equal((await fig('eer').getByTestId('figure-interval').textContent())?.trim(), '3.1–10.4 %');
    assert.equal((await fig('eerRandom').getByTestId('figure-sample').textContent())?.trim(), '12 writers, 96 genuine / 120 random forgeries');
    assert.equal((await fig('auc').getByTestId('figure-interval').textContent())?.trim(), '0.955–0.996');
    assert.equal((await fig('cllr').getByTestId('figure-interval').textContent())?.trim(), '0.180–0.340');
    assert.equal((await fig('eerRandom').getByTestId('figure-interval').textContent())?.trim(), '0.4–5.0 %');
    assert.doesNotMatch((await details.getByTestId('model-figures').textContent()) ?? '', /validationWriters|eerRandom|cllrMin/, 'no raw keys');
    // The CLI reads the same figures out.
    const shown = cli(['--data-dir', app.dir, 'models', 'show', ids.child]).stdout;
    assert.match(shown, /EER 6\.2 % \(95 % CI 3\.1–10\.4 %; 12 writers, 96 genuine \/ 60 forged\)/);
    assert.match(cli(['--data-dir', app.dir, 'models', 'show', ids.parent]).stdout, /EER 8\.1 % \(interval not recorded; writers not recorded/);
    await page.close();
  });

  it('makes a model active after a confirmation that compares it with the current one', async () => {
    const page = await app.open('/models');
    const row = (id: string) => page.locator(`[data-testid=model-row][data-model-id="${id}"]`);
    await row(ids.parent).getByTestId('make-active').click();
    let dialog = page.getByTestId('activate-dialog');
    await dialog.getByText('has no calibration').waitFor();
    await dialog.getByTestId('confirm').click();
    await row(ids.parent).getByTestId('active-chip').waitFor();

    await row(ids.child).getByTestId('make-active').click();
    dialog = page.getByTestId('activate-dialog');
    await dialog.getByText('Comparisons already recorded are not changed').waitFor();
    // Now vs after: the EER of both, side by side.
    assert.match((await dialog.locator('table').textContent()) ?? '', /EER.*8\.1 %.*6\.2 %/s);
    await screenshot(page, 'models-activate-confirm');
    await dialog.getByTestId('confirm').click();
    await row(ids.child).getByTestId('active-chip').waitFor();
    assert.equal(await row(ids.parent).getByTestId('active-chip').count(), 0);
    await page.getByTestId('active-model').filter({ hasText: ids.child }).waitFor();

    const list = lastJson<{ id: string; active: boolean }[]>(cli(['--data-dir', app.dir, 'models', 'list', '--json']));
    assert.deepEqual(
      list.filter((m) => m.active).map((m) => m.id),
      [ids.child],
    );
    await row(ids.child)
      .getByRole('button', { name: /Institution v2/ })
      .click();
    await page.getByTestId('model-details').waitFor();
    await screenshot(page, 'models');
    await page.close();
  });

  it('shows the data directory, the backend in use and why each better backend is unavailable', async () => {
    const page = await app.open('/settings');
    await page.getByTestId('settings-datadir').filter({ hasText: app.dir }).waitFor();
    const doctor = lastJson<{ backend: string; backendsTried: { name: string; ok: boolean; reason?: string }[] }>(
      cli(['--data-dir', app.dir, 'doctor', '--json']),
    );
    assert.equal((await page.getByTestId('backend-in-use').textContent())?.trim(), doctor.backend);
    const table = (await page.getByTestId('backend-table').textContent()) ?? '';
    for (const b of doctor.backendsTried) {
      assert.ok(table.includes(b.name), `${b.name} listed`);
      if (!b.ok && b.reason) assert.ok(table.includes(b.reason), `why ${b.name} is unavailable`);
    }
    const search = (await page.getByTestId('vector-search').textContent()) ?? '';
    assert.match(search, /Writer search: HNSW \(usearch \d+\.\d+\.\d+\)/, 'identification search named as doctor reports it');
    await page.close();
  });

  it('changes the defaults for new cases, with field errors from the core', async () => {
    const page = await app.open('/settings');
    const minRefs = page.getByTestId('min-references');
    await minRefs.waitFor();
    assert.equal(await minRefs.inputValue(), '4');
    assert.equal(await page.getByTestId('inconclusive-band').inputValue(), '0.05');

    await minRefs.fill('0');
    await page.getByTestId('save-defaults').click();
    const err = page.getByTestId('error-minReferences');
    await err.waitFor();
    assert.match((await err.textContent()) ?? '', /whole number from 1 to 1000, got 0/);
    await page.getByTestId('inconclusive-band').fill('11');
    await minRefs.fill('6');
    await page.getByTestId('save-defaults').click();
    await page.getByTestId('error-inconclusiveBand').filter({ hasText: 'from 0 to 10, got 11' }).waitFor();
    await screenshot(page, 'settings-field-error');

    await page.getByTestId('inconclusive-band').fill('0.08');
    await page.getByTestId('save-defaults').click();
    await page.getByText('Defaults for new cases saved').waitFor();
    await screenshot(page, 'settings');

    // A case created now takes them.
    await page.reload();
    await page.getByTestId('min-references').waitFor();
    assert.equal(await page.getByTestId('min-references').inputValue(), '6');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases', exact: true }).click();
    await page.getByTestId('new-case').click();
    await page.getByTestId('case-name').fill('After the change');
    await page.getByTestId('create-case').click();
    await page.getByTestId('case-title').filter({ hasText: 'After the change' }).waitFor();
    const rule = (await page.getByTestId('case-rule').textContent()) ?? '';
    assert.match(rule, /± 0\.08/);
    assert.match(rule, /Min\. references\s*6/);
    assert.match((await page.getByTestId('case-model').textContent()) ?? '', new RegExp(ids.child));
    const row = lastJson<CaseRow[]>(cli(['--data-dir', app.dir, 'case', 'list', '--json'])).find((c) => c.name === 'After the change');
    assert.equal(row?.minReferences, 6);
    assert.equal(row?.inconclusiveBand, 0.08);
    await page.close();
  });

  it('shows honest empty states in Compare, Batch and Training before anything is imported or run', async () => {
    const page = await app.open('/compare');
    for (const [view, key, text] of [
      ['compare', '2', 'The questioned documents of the case appear here'],
      ['batch', '3', 'verify every questioned document of a case'],
      ['training', '4', 'No training run in this session yet'],
    ] as const) {
      await page.keyboard.press(`Alt+${key}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(view, 'i') }).waitFor();
      await page.getByText(text, { exact: false }).first().waitFor();
      await screenshot(page, `empty-${view}`);
    }
    // A case without questioned documents says where they come from, in both views.
    const id = lastJson<CaseRow[]>(cli(['--data-dir', app.dir, 'case', 'list', '--json']))[0]!.id;
    for (const view of ['compare', 'batch']) {
      await page.goto(`${app.url}#/${view}/${id}`);
      await page.getByRole('heading', { name: 'This case has no questioned documents' }).waitFor();
    }
    await page.close();
    assertNoPageErrors(app);
  });
});
