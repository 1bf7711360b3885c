// The Batch view in Chromium through `countersign serve`: every questioned document of a case,
// Verify all as a job (progress from job events, the jobs indicator), rows updated when it
// finishes, sorting and filtering, opening a comparison, and the PDF report downloaded.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { AuditRow } from '../../src-main/core/store/types.ts';
import { openStore } from '../../src-main/core/store/index.ts';
import { ARTIFACTS } from '../helpers/browser.ts';
import { cli, lastJson } from '../helpers/cli.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';
import { seedVerification, type VerificationSeed } from './fixtures/verification.ts';

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

describe('batch', () => {
  let app: App;
  let seed: VerificationSeed;
  let page: Page;

  before(async () => {
    app = await startApp(async (dir) => {
      seed = await seedVerification(dir, { subjects: 3, known: 4, questioned: 2 });
      // One of the third subject's exemplars excluded by the examiner: 3 references left, below the minimum of 4.
      const store = openStore(dir, { client: 'cli' });
      try {
        const k = seed.case.known.filter((d) => d.subjectId === seed.case.subjects[2]!.id)[0]!;
        store.write(() => store.db.prepare("UPDATE documents SET status = 'excluded' WHERE id = ?").run(k.documentId));
      } finally {
        store.close();
      }
    });
    page = await app.open(`/batch/${seed.case.caseId}`);
  });
  after(async () => {
    await app?.close();
  });

  const rows = () => page.getByTestId('batch-row');
  const decisions = () => rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-decision')));

  it('lists every questioned document as not verified yet, with its crop and claimed subject', async () => {
    await page.getByTestId('batch-table').waitFor();
    assert.equal(await rows().count(), 6);
    assert.deepEqual(new Set(await decisions()), new Set(['none']));
    assert.match((await page.getByTestId('row-pending').first().textContent()) ?? '', /not verified yet/);
    assert.match((await page.getByTestId('batch-settings').textContent()) ?? '', new RegExp(seed.modelId));
    await shot(page, 'batch-unverified');
  });

  it('verifies every document as a job with progress, shown in the jobs indicator too, and updates the rows when it finishes', async () => {
    // Record what the page shows while the job runs (it may be quick), without sleeping.
    await page.evaluate(() => {
      const seen = { progress: 0, stages: new Set<string>(), indicator: false };
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid=batch-progress] [role=progressbar]');
        if (bar) {
          seen.progress = Math.max(seen.progress, Number(bar.getAttribute('aria-valuenow') ?? 0));
          seen.stages.add(document.querySelector('[data-testid=batch-progress] strong')?.textContent ?? '');
        }
        if (document.querySelector('[data-testid=jobs-indicator][data-running="1"]')) seen.indicator = true;
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.getByTestId('verify-all').click();
    await page.getByTestId('cancel-batch').or(page.getByTestId('batch-outcome')).first().waitFor();
    await page.locator('[data-testid=batch-outcome][data-status=done]').waitFor({ timeout: 120_000 });
    const seen = await page.evaluate(() => {
      const s = (window as unknown as { seen: { progress: number; stages: Set<string>; indicator: boolean } }).seen;
      return { progress: s.progress, stages: [...s.stages], indicator: s.indicator };
    });
    assert.ok(seen.progress > 0, `a progress bar with a value was shown (${JSON.stringify(seen)})`);
    assert.ok(
      seen.stages.some((s) => /Embedding|Comparing/.test(s)),
      `the stage was named (${seen.stages.join(', ')})`,
    );
    assert.ok(seen.indicator, 'the status bar showed the running job');
    assert.match((await page.getByTestId('batch-outcome').textContent()) ?? '', /6 documents compared/);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=batch-row]')).every((r) => r.getAttribute('data-decision') !== 'none'));
    assert.equal((await decisions()).filter((d) => d === 'none').length, 0);
    assert.match((await page.getByTestId('row-support').first().textContent()) ?? '', /support/);
    await page.getByTestId('jobs-indicator').filter({ hasText: 'none running' }).waitFor();
    await shot(page, 'batch-light');
  });

  it('sorts by mean distance both ways and filters by decision and text', async () => {
    await page.getByTestId('sort-distance').click();
    const dist = () =>
      page
        .getByTestId('row-distance')
        .allTextContents()
        .then((t) => t.map(Number));
    const up = await dist();
    assert.deepEqual(
      up,
      [...up].sort((a, b) => a - b),
    );
    assert.equal(await page.locator('th[aria-sort=ascending]').textContent(), 'Mean distance▲');
    await page.getByTestId('sort-distance').click();
    const down = await dist();
    assert.deepEqual(down, [...up].reverse());

    const all = await decisions();
    for (const d of ['genuine', 'inconclusive', 'not_genuine'] as const) {
      await page.getByTestId(`filter-${d}`).click();
      const n = all.filter((x) => x === d).length;
      if (n)
        await page.waitForFunction(
          ([want, count]) => {
            const r = Array.from(document.querySelectorAll('[data-testid=batch-row]'));
            return r.length === count && r.every((x) => x.getAttribute('data-decision') === want);
          },
          [d, n] as const,
        );
      else await page.getByTestId('batch-none').waitFor();
    }
    await page.getByTestId('filter-all').click();
    // The two documents claimed to be from the subject with too few references carry the warning.
    await page.getByTestId('filter-warnings').check();
    // (Other rows may warn too: e.g. THRESHOLD_OUTSIDE_VARIATION when the case threshold lies below a writer's own spread.)
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid=batch-row]')).every((r) => r.querySelector('[data-testid=row-warnings] .chip')),
    );
    const warned = await page.getByTestId('row-warnings').allTextContents();
    assert.equal(warned.filter((t) => t.includes('few references')).length, 2);
    await page.getByTestId('filter-warnings').uncheck();
    const subject = seed.case.subjects[1]!.name;
    await page.getByTestId('batch-search').fill(subject.split(' ').at(-1)!.toLowerCase());
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=batch-row]').length === n, 2);
    assert.match((await page.getByTestId('batch-shown').textContent()) ?? '', /2 of 6 shown/);
    await page.getByTestId('batch-search').fill('');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=batch-row]').length === 6);
  });

  it('exports the PDF report: it downloads, starts with %PDF, and its SHA-256 and page count are shown', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export-report').click();
    const file = await (await download).path();
    const bytes = readFileSync(file);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    const sha = createHash('sha256').update(bytes).digest('hex');
    await page.getByTestId('report-sha').filter({ hasText: sha }).waitFor();
    assert.ok(Number(await page.getByTestId('report-pages').textContent()) >= 1);
    const audit = lastJson<AuditRow[]>(cli(['--data-dir', app.dir, 'audit', 'show', '--case', String(seed.case.caseId), '--json']));
    assert.ok(
      audit.some((r) => r.action === 'report.create' && r.details.sha256 === sha),
      'the report is in the audit trail',
    );
    await shot(page, 'batch-report');
  });

  it('opens a row as its comparison', async () => {
    await rows().nth(1).getByTestId('open-compare').click();
    await page.getByTestId('decision-panel').waitFor({ timeout: 60_000 });
    await page.getByTestId('recorded-tag').waitFor();
    await page.getByTestId('to-batch').click();
    await page.getByTestId('batch-table').waitFor();
  });

  it('groups the questioned signatures by hand: every one in one group or as a singleton, nothing stored', async () => {
    const audit = () => lastJson<AuditRow[]>(cli(['--data-dir', app.dir, 'audit', 'show', '--case', String(seed.case.caseId), '--json'])).length;
    const before = audit();
    await page.getByTestId('series-run').click();
    await page.getByTestId('series-summary').waitFor();
    assert.match(
      ((await page.getByTestId('series-summary').textContent()) ?? '').replace(/\s+/g, ' '),
      /from 6 questioned signatures; average linkage, cut \d+\.\d\d \((model|case) threshold\)/,
    );
    const listed = await page.getByTestId('series-panel').locator('li .path').allTextContents();
    assert.deepEqual(listed.sort(), seed.case.questioned.map((q) => q.path).sort());
    // Every member links to its comparison.
    assert.equal(await page.getByTestId('series-panel').locator('li a[href^="#/compare/"]').count(), 6);
    assert.equal(audit(), before, 'grouping records nothing');
    await page.getByTestId('series-panel').screenshot({ path: path.join(ARTIFACTS, 'series-light.png') });
    const dark = await app.open(`/batch/${seed.case.caseId}`, { theme: 'dark' });
    await dark.getByTestId('series-run').click();
    await dark.getByTestId('series-summary').waitFor();
    await dark.getByTestId('series-panel').screenshot({ path: path.join(ARTIFACTS, 'series-dark.png') });
    await dark.close();
  });

  it('reads well in the dark theme', async () => {
    const dark = await app.open(`/batch/${seed.case.caseId}`, { theme: 'dark' });
    await dark.locator('[data-testid=batch-row] img').first().waitFor();
    await shot(dark, 'batch-dark');
    await dark.close();
  });

  it('logged no renderer errors', () => assertNoPageErrors(app));
});
