// Enrolling writers from "Who wrote this?" in Chromium through `countersign serve`: an empty
// library is explained and offers enrolment; a case's subjects are enrolled from the UI with
// progress and a result, after which the library is not empty; a folder with a bad file is
// enrolled and the file is named with the reason.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { setActiveModel } from '../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../src-main/core/store/index.ts';
import { generateDataset } from '../../src-main/core/synth/index.ts';
import { screenshot } from '../helpers/browser.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../helpers/verify-fixture.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';

describe('enrolling writers from "Who wrote this?"', () => {
  let app: App;
  let fx: VerifiableCase;
  let folder: string;

  before(async () => {
    app = await startApp(async (dir) => {
      setActiveModel(dir, (await saveTinyModel(dir)).id);
      folder = path.join(dir, 'writers');
      await generateDataset(folder, { writers: 2, genuine: 3, forged: 1, seed: 8 });
      rmSync(path.join(folder, 'manifest.csv'));
      writeFileSync(path.join(folder, 'w0002', 'genuine', 'broken.png'), 'not an image');
      const store = openStore(dir, { client: 'cli' });
      try {
        fx = await seedVerifiableCase(store, { name: 'Harper estate', subjects: 3, known: 4, questioned: 1 });
      } finally {
        store.close();
      }
    });
  });
  after(async () => {
    await app?.close();
  });

  it("explains the empty library and enrols a case's subjects from the page, with progress and a result", async () => {
    const q = fx.questioned[0]!;
    const page = await app.open(`/compare/identify/${fx.caseId}/${q.documentId}`);
    const panel = page.getByTestId('enrol-panel');
    await panel.waitFor();
    assert.match((await panel.getByRole('heading').first().textContent()) ?? '', /The reference library is empty/);
    assert.match((await page.getByTestId('enrol-explained').textContent()) ?? '', /known signatures of writers your institution has on file/);
    assert.match((await page.getByTestId('library-size').textContent()) ?? '', /no enrolled writers yet/);
    assert.equal(await page.getByTestId('enrol-open').count(), 0, 'nothing to open: the panel is shown');

    // Note every state the panel goes through, so a quick job's progress is not missed.
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="enrol-progress"] [role="progressbar"]')) w.sawProgress = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByRole('radio', { name: "Enrol a case's subjects" }).click();
    await page.getByLabel('Case', { exact: true }).selectOption({ label: 'Harper estate (3 subjects, 12 known signatures)' });
    await page.getByRole('button', { name: "Enrol the case's subjects" }).click();
    const result = page.getByTestId('enrol-result');
    await result.waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress), true, 'the progress bar was shown while it ran');
    assert.match((await result.textContent()) ?? '', /3 writers enrolled with 12 signatures\./);
    await screenshot(page, 'identify-enrol-result');

    // The library is no longer empty; enrolment stays reachable.
    await page.getByTestId('library-size').getByText('3 enrolled writers, 12 exemplars').waitFor();
    assert.match((await panel.getByRole('heading').first().textContent()) ?? '', /Enrol writers/);
    await page.getByTestId('enrol-close').click();
    await page.getByTestId('enrol-panel').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Enrol writers…' }).waitFor();

    await page.getByTestId('identify-search').click();
    await page.getByTestId('identify-statement').waitFor();
    assert.match((await page.getByTestId('identify-statement').textContent()) ?? '', /3 enrolled writers of the reference library/);
    await page.close();

    const db = new Database(path.join(app.dir, 'countersign.db'), { readonly: true });
    try {
      assert.equal(db.prepare("SELECT count(*) FROM subjects WHERE scope = 'library'").pluck().get(), 3);
      assert.equal(db.prepare("SELECT count(*) FROM audit_log WHERE action = 'library.enrol'").pluck().get(), 3);
      assert.equal(db.prepare('SELECT count(*) FROM subjects WHERE case_id = ? AND library_subject_id IS NOT NULL').pluck().get(fx.caseId), 3);
    } finally {
      db.close();
    }
  });

  it('enrols a folder typed into the path field, naming the file that failed and why', async () => {
    const q = fx.questioned[0]!;
    const page = await app.open(`/compare/identify/${fx.caseId}/${q.documentId}`);
    const open = page.getByRole('button', { name: 'Enrol writers…' });
    await open.waitFor();
    // Keyboard: open the panel with Enter; the folder mode is the default.
    await open.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('enrol-panel').waitFor();
    const field = page.getByLabel('Folder', { exact: true });
    await field.fill('writers');
    await page.getByRole('button', { name: 'Enrol the folder' }).click();
    assert.match((await page.getByTestId('enrol-error').textContent()) ?? '', /not a full path/);
    await field.fill(path.join(app.dir, 'nowhere'));
    await field.press('Enter');
    await page.getByTestId('enrol-error').getByText('no such folder').waitFor();

    await field.fill(folder);
    await field.press('Enter');
    const result = page.getByTestId('enrol-result');
    await result.waitFor({ timeout: 60_000 });
    assert.match((await result.textContent()) ?? '', /2 writers enrolled with 6 signatures; 1 file failed\. 2 forged signatures left out/);
    const failed = page.getByTestId('enrol-failed-file');
    assert.equal(await failed.count(), 1);
    assert.match((await failed.textContent()) ?? '', /^w0002\/genuine\/broken\.png \(w0002\): .*broken\.png/);
    await page.getByTestId('library-size').getByText('5 enrolled writers, 18 exemplars').waitFor();
    await screenshot(page, 'identify-enrol-folder');
    await page.close();
    assertNoPageErrors(app);
  });
});
