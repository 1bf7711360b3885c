// Keyboard-only use and the dark theme: skip link, view keys, a case created and its audit
// trail opened without the mouse, a document's box moved with the arrow keys, the theme
// switched in Settings, and screenshots of the views in dark.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from '../helpers/browser.ts';
import { assertNoPageErrors, assertVisibleFocus, startApp, tabTo, type App } from './fixtures/app.ts';
import { seedModels } from './fixtures/models.ts';
import { seedCase, type SeededCase } from './fixtures/seed.ts';

describe('keyboard and dark theme', () => {
  let app: App;
  let seeded: SeededCase;

  before(async () => {
    app = await startApp(async (dir) => {
      seeded = await seedCase(dir);
      await seedModels(dir);
    });
  });
  after(async () => {
    await app?.close();
  });

  const waitForFocus = (page: Page, selector: string) => page.waitForFunction((s) => !!document.activeElement?.matches(s), selector, { timeout: 10_000 });
  const focused = (page: Page) =>
    page.evaluate(() => ({ tag: document.activeElement?.tagName, text: document.activeElement?.textContent?.trim(), id: document.activeElement?.id }));

  it('creates a case and reads its audit trail with the keyboard only', async () => {
    const page = await app.open('/cases');
    await page.getByTestId('case-table').waitFor();

    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).text, 'Skip to content', 'the skip link comes first');
    await assertVisibleFocus(page);
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).id, 'main');

    await tabTo(page, '[data-testid=new-case]');
    await assertVisibleFocus(page);
    await page.keyboard.press('Enter');
    await waitForFocus(page, '#new-case-name'); // 'the dialog opens on its first field'
    // Escape closes it and gives the focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await page.getByTestId('case-name').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'new-case');

    await page.keyboard.press('Enter');
    // Typing starts once the dialog has put the focus in its first field (on a loaded machine the
    // keys could otherwise arrive before the dialog opens, and the case would have no name).
    await waitForFocus(page, '#new-case-name');
    await page.keyboard.type('Keyboard case');
    await page.keyboard.press('Tab');
    await page.keyboard.type('K. Board');
    await page.keyboard.press('Tab');
    await page.keyboard.type('0.45');
    await page.keyboard.press('Enter'); // submits the form
    await page
      .getByTestId('case-title')
      .filter({ hasText: 'Keyboard case' })
      .waitFor()
      .catch(async (err: Error) => {
        // Say what the dialog showed instead of only "timeout".
        const dialog = await page
          .getByTestId('create-case-dialog')
          .textContent()
          .catch(() => null);
        throw new Error(`${err.message}\nthe dialog reads: ${dialog}\nfocus: ${JSON.stringify(await focused(page))}`);
      });
    assert.equal((await focused(page)).tag, 'H1', 'the new page announces itself: its heading has the focus');

    await tabTo(page, '[role=tab][aria-selected=true]');
    await assertVisibleFocus(page);
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('audit-row').first().waitFor();
    assert.match((await page.getByTestId('audit-row').first().textContent()) ?? '', /Case created.*examiner: K\. Board.*threshold: 0\.45/s);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-selected')), 'true');

    await page.keyboard.press('Alt+5');
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    assert.equal((await focused(page)).text, 'Models');
    await page.close();
  });

  it('opens a document and moves its box with the keyboard only', async () => {
    const page = await app.open('/cases');
    await page.getByTestId('case-table').waitFor();
    await tabTo(page, `a[href="#/cases/${seeded.caseId}"]`);
    await page.keyboard.press('Enter');
    await page.getByTestId('case-title').filter({ hasText: seeded.caseName }).waitFor();
    await tabTo(page, `[data-testid=document-card][data-document-id="${seeded.questioned[0]}"]`);
    await assertVisibleFocus(page);
    await page.keyboard.press('Enter');
    await page.getByTestId('document-title').filter({ hasText: 'q01.png' }).waitFor();
    await tabTo(page, '[data-testid=signature-box]');
    const before = await page.getByTestId('box-readout').textContent();
    await page.keyboard.press('Shift+ArrowRight');
    await page.getByText('changed, not saved').waitFor();
    assert.notEqual(await page.getByTestId('box-readout').textContent(), before);
    await tabTo(page, '[data-testid=reset-box]');
    await page.keyboard.press('Enter');
    await page.getByText('changed, not saved').waitFor({ state: 'hidden' });
    await page.close();
  });

  it('switches to the dark theme in Settings and keeps it', async () => {
    const page = await app.open('/settings');
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await tabTo(page, '[data-testid=theme-dark]');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.reload();
    await page.getByTestId('app-frame').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.getByTestId('min-references').waitFor();
    await screenshot(page, 'dark-settings');
    await page.close();
  });

  it('renders every view in the dark theme', async () => {
    const page = await app.open('/cases', { theme: 'dark' });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark', 'follows the system preference');
    await page.getByTestId('case-table').waitFor();
    await screenshot(page, 'dark-cases-list');

    await page.goto(`${app.url}#/cases/${seeded.caseId}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=document-card] img').length === 9);
    await screenshot(page, 'dark-case-page');

    await page.goto(`${app.url}#/cases/${seeded.caseId}/documents/${seeded.questioned[2]}`);
    await page.getByTestId('scan-viewer').locator('svg image').first().waitFor({ state: 'attached' });
    await page.getByTestId('verification-panel').filter({ hasText: 'supports not genuine' }).waitFor();
    await screenshot(page, 'dark-document-page');

    await page.goto(`${app.url}#/models`);
    await page.getByTestId('model-table').waitFor();
    await screenshot(page, 'dark-models');
    await page.close();
    assertNoPageErrors(app);
  });
});
