// "Who wrote this?" in Chromium through `countersign serve`: from a questioned document to the
// ranked writers of the reference library and of the case, their exemplars side by side with
// the questioned signature, the outcome in words, and the searches on record.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { enrolFiles } from '../../src-main/core/library/enrol.ts';
import { setActiveModel } from '../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../src-main/core/store/index.ts';
import { generateDataset } from '../../src-main/core/synth/index.ts';
import { screenshot } from '../helpers/browser.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../helpers/verify-fixture.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';

describe('who wrote this?', () => {
  let app: App;
  let fx: VerifiableCase;

  before(async () => {
    app = await startApp(async (dir) => {
      setActiveModel(dir, (await saveTinyModel(dir)).id);
      const images = path.join(dir, 'images');
      await generateDataset(images, { writers: 3, genuine: 3, forged: 0, seed: 6 });
      const store = openStore(dir, { client: 'cli' });
      try {
        fx = await seedVerifiableCase(store, { name: 'Harper estate', subjects: 2, known: 3, questioned: 1 });
        for (const w of ['w0001', 'w0002', 'w0003']) await enrolFiles(store, { name: `Library ${w}`, paths: [path.join(images, w, 'genuine')] });
      } finally {
        store.close();
      }
    });
  });
  after(async () => {
    await app?.close();
  });

  it('goes from a questioned document to the ranked library writers with their exemplars beside Q', async () => {
    const q = fx.questioned[0]!;
    const page = await app.open(`/cases/${fx.caseId}/documents/${q.documentId}`);
    await page.getByTestId('who-wrote-this').click();
    await page.getByTestId('identify-title').waitFor();
    assert.match(page.url(), new RegExp(`#/compare/identify/${fx.caseId}/${q.documentId}$`));
    await page.getByTestId('identify-empty').waitFor();
    assert.equal(await page.getByTestId('scope-library').getAttribute('aria-checked'), 'true');

    await page.getByTestId('identify-search').click();
    const statement = page.getByTestId('identify-statement');
    await statement.waitFor();
    assert.match((await statement.textContent()) ?? '', /3 enrolled writers of the reference library/);
    const names = await page.getByTestId('candidate-name').allTextContents();
    assert.deepEqual([...names].sort(), ['Library w0001', 'Library w0002', 'Library w0003']);
    // Ranked by the score (here a mean-distance model: the mean distance), lowest first, named and explained.
    const d = (await page.getByTestId('candidate-score').allTextContents()).map(Number);
    assert.deepEqual(
      d,
      [...d].sort((a, b) => a - b),
    );
    assert.match((await page.getByTestId('candidate').first().textContent()) ?? '', /Mean distance/);
    assert.match(
      (await page.getByTestId('candidate-explanation').first().textContent()) ?? '',
      /^the questioned signature's mean distance to the references is \d\.\d{3}\.$/,
    );
    // Every candidate shows Q and its three exemplars, as images that loaded.
    const first = page.getByTestId('candidate').first();
    assert.equal(await first.getByTestId('exemplar').count(), 3);
    await first.locator('img').nth(3).waitFor();
    const loaded = await first
      .locator('img')
      .evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    assert.deepEqual(loaded, [true, true, true, true]);
    assert.match((await page.getByTestId('identify-facts').textContent()) ?? '', /3 writers, 9 exemplars/);
    await screenshot(page, 'identify-library');
    await page.close();
  });

  it("searches the case's writers instead, keeps both on record, and shows the newest again on return", async () => {
    const q = fx.questioned[0]!;
    const page = await app.open(`/compare/identify/${fx.caseId}/${q.documentId}`);
    // The library search of the previous test is on record and shown without searching again.
    await page.getByTestId('identify-statement').waitFor();
    await page.getByTestId('scope-case').click();
    await page.getByTestId('identify-empty').waitFor();
    await page.getByTestId('identify-top').selectOption('3');
    await page.getByTestId('identify-search').click();
    await page.getByTestId('identify-statement').waitFor();
    assert.match((await page.getByTestId('identify-statement').textContent()) ?? '', /of case 'Harper estate'/);
    assert.deepEqual([...(await page.getByTestId('candidate-name').allTextContents())].sort(), fx.subjects.map((s) => s.name).sort());
    await screenshot(page, 'identify-case');
    await page.close();

    const db = new Database(path.join(app.dir, 'countersign.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT scope, top_k AS top FROM identifications ORDER BY id').all();
      assert.deepEqual(rows, [
        { scope: 'library', top: 5 },
        { scope: 'case', top: 3 },
      ]);
      assert.equal(db.prepare("SELECT count(*) FROM audit_log WHERE action = 'identify.query' AND case_id = ?").pluck().get(fx.caseId), 2);
    } finally {
      db.close();
    }
  });

  it('says what the address should look like when it names no document', async () => {
    const page = await app.open('/compare/identify/x/7');
    await page.getByText('This address does not name a questioned document').waitFor();
    await page.close();
    assertNoPageErrors(app);
  });
});
