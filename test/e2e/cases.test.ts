// Cases in Chromium through `countersign serve`: the list, the create dialog and its field
// errors, search, archive, a seeded case's grid and audit trail, and a document's page.
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CaseRow } from '../../src-main/core/store/types.ts';
import { screenshot } from '../helpers/browser.ts';
import { cli, lastJson } from '../helpers/cli.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';
import { seedCase, type SeededCase } from './fixtures/seed.ts';

describe('cases', () => {
  let app: App;
  let seeded: SeededCase;

  before(async () => {
    app = await startApp(async (dir) => {
      seeded = await seedCase(dir);
    });
  });
  after(async () => {
    await app?.close();
  });

  const caseList = (all = false) => lastJson<CaseRow[]>(cli(['--data-dir', app.dir, 'case', 'list', ...(all ? ['--all'] : []), '--json']));

  it('lists a case created with the CLI, with its threshold and counts', async () => {
    const r = cli(['--data-dir', app.dir, 'case', 'create', 'Case 1', '--threshold', '0.42', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const created = lastJson<CaseRow>(r);

    const page = await app.open('/cases');
    const row = page.locator(`[data-testid=case-row][data-case-id="${created.id}"]`);
    await row.waitFor();
    assert.equal(await row.getByRole('link').textContent(), 'Case 1');
    assert.equal((await row.getByTestId('case-threshold').textContent())?.trim(), '0.42');
    const smith = page.locator(`[data-testid=case-row][data-case-id="${seeded.caseId}"]`);
    // Subjects, known, questioned, failed: 2 writers, 6 exemplars, 3 cheques + 1 broken file.
    assert.deepEqual(
      (await smith.locator('td.num').allTextContents()).slice(1, 5).map((t) => t.trim()),
      ['2', '6', '4', '1'],
    );
    assert.match((await page.getByTestId('case-count').textContent()) ?? '', /2 open cases/);
    await screenshot(page, 'cases-list');
    await page.close();
  });

  it('creates a case in the dialog that `case list --json` then shows', async () => {
    const page = await app.open('/cases');
    await page.getByTestId('new-case').click();
    const dialog = page.getByTestId('create-case-dialog');
    await dialog.getByTestId('case-name').fill('Harper estate');
    await dialog.getByTestId('case-examiner').fill('J. Okafor');
    await dialog.getByTestId('case-threshold-input').fill('0.5');
    await dialog.getByLabel('Notes').fill('Will dated 2019; two witnesses.');
    await dialog.getByTestId('create-case').click();
    await page.getByTestId('case-title').filter({ hasText: 'Harper estate' }).waitFor();
    assert.match((await page.getByTestId('case-threshold-value').textContent()) ?? '', /0\.50/);

    const row = caseList().find((c) => c.name === 'Harper estate');
    assert.ok(row, 'the CLI lists the case created in the UI');
    assert.equal(row.threshold, 0.5);
    assert.equal(row.examiner, 'J. Okafor');
    assert.equal(row.notes, 'Will dated 2019; two witnesses.');
    await page.close();
  });

  it("shows the store's message next to the field for a duplicate name and a threshold out of range", async () => {
    const page = await app.open('/cases');
    await page.getByTestId('new-case').click();
    const dialog = page.getByTestId('create-case-dialog');
    await dialog.getByTestId('case-name').fill('case 1');
    await dialog.getByTestId('create-case').click();
    const nameError = dialog.getByTestId('error-name');
    await nameError.waitFor();
    assert.match((await nameError.textContent()) ?? '', /a case named 'Case 1' already exists/);
    assert.equal(await dialog.getByTestId('case-name').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'new-case-name', 'the focus goes to the field at fault');
    await screenshot(page, 'case-create-duplicate');

    await dialog.getByTestId('case-name').fill('Case 2');
    await dialog.getByTestId('case-threshold-input').fill('12');
    await dialog.getByTestId('create-case').click();
    const tError = dialog.getByTestId('error-threshold');
    await tError.waitFor();
    assert.match((await tError.textContent()) ?? '', /at most 10/);
    assert.equal(await dialog.getByTestId('error-name').count(), 0, 'the name error is gone');
    await page.keyboard.press('Escape');
    await dialog.getByTestId('case-name').waitFor({ state: 'hidden' });
    assert.equal(
      caseList().some((c) => c.name === 'Case 2'),
      false,
      'nothing was created',
    );
    await page.close();
  });

  it('changes the threshold of a case after showing the zones it gives, only with a reason, and audits old, new and the reason', async () => {
    const id = caseList().find((c) => c.name === 'Harper estate')!.id;
    const page = await app.open(`/cases/${id}`);
    await page.getByTestId('change-threshold').click();
    const dialog = page.getByTestId('threshold-dialog');
    const input = dialog.getByTestId('threshold-input');
    assert.equal(await input.inputValue(), '0.50');
    await input.fill('0.55');
    await dialog.getByText('up to 0.50 supports genuine, from 0.60 supports not genuine').waitFor();
    assert.match((await dialog.getByTestId('threshold-change').textContent()) ?? '', /Now\s*0\.50\s*→\s*new\s*0\.55/);
    // No reason: refused, nothing stored.
    await dialog.getByTestId('save-threshold').click();
    await dialog.getByTestId('reason-error').filter({ hasText: 'say why the threshold changes' }).waitFor();
    assert.equal(caseList().find((c) => c.id === id)?.threshold, 0.5);
    await dialog.getByTestId('threshold-reason').fill('laboratory policy for wills');
    await input.fill('0');
    await dialog.getByTestId('save-threshold').click();
    await dialog.getByTestId('threshold-error').filter({ hasText: 'greater than 0' }).waitFor();
    await input.fill('0.55');
    await dialog.getByTestId('save-threshold').click();
    await page.getByTestId('case-threshold-value').filter({ hasText: '0.55' }).waitFor();
    assert.equal(caseList().find((c) => c.id === id)?.threshold, 0.55);
    await page.getByRole('tab', { name: /Audit trail/ }).click();
    await page
      .getByTestId('audit-row')
      .filter({ hasText: 'Threshold changed' })
      .filter({ hasText: '0.50 → 0.55' })
      .filter({ hasText: 'laboratory policy for wills' })
      .waitFor();
    await page.close();
  });

  it('says what went wrong for a case that does not exist or an address that names none', async () => {
    const page = await app.open('/cases/999');
    await page.getByRole('alert').filter({ hasText: 'no case 999' }).waitFor();
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    await page.goto(`${app.url}#/cases/not-a-number`);
    await page.getByRole('heading', { name: 'This address does not name a case' }).waitFor();
    await page.close();
  });

  it('searches by name and by examiner', async () => {
    const page = await app.open('/cases');
    const search = page.getByTestId('case-search');
    const names = async () => (await page.locator('[data-testid=case-row] td.name a').allTextContents()).sort();
    await page.locator('[data-testid=case-row]').first().waitFor();

    await search.fill('okafor');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-row]').length === 1);
    assert.deepEqual(await names(), ['Harper estate']);

    await search.fill('JONES');
    await page.waitForFunction(() => document.querySelector('[data-testid=case-row] td.name a')?.textContent === 'Smith v. Jones');
    assert.deepEqual(await names(), ['Smith v. Jones']);

    await search.fill('no such case');
    await page.getByRole('heading', { name: 'No case matches “no such case”' }).waitFor();
    await page.getByRole('button', { name: 'Clear the search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-row]').length === 3);
    await page.close();
  });

  it('archives a case after confirmation; it leaves the open list and is marked archived', async () => {
    const id = caseList().find((c) => c.name === 'Case 1')!.id;
    const page = await app.open(`/cases/${id}`);
    await page.getByTestId('case-title').filter({ hasText: 'Case 1' }).waitFor();
    await page.getByTestId('archive-case').click();
    const dialog = page.getByTestId('archive-dialog');
    await dialog.getByText('accepts no further changes').waitFor();
    await screenshot(page, 'case-archive-confirm');
    await dialog.getByTestId('confirm').click();
    await page.getByTestId('archived-banner').waitFor();
    assert.equal(await page.getByTestId('archive-case').count(), 0, 'an archived case offers no changes');
    assert.equal(caseList(true).find((c) => c.id === id)?.status, 'archived');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases', exact: true }).click();
    await page.getByTestId('case-table').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-row]').length === 2);
    await page.getByTestId('include-archived').check();
    const row = page.locator(`[data-testid=case-row][data-case-id="${id}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /archived/);
    await page.close();
  });

  it('shows a seeded case: details, subjects, known and questioned crops per subject, decisions, warnings', async () => {
    const page = await app.open(`/cases/${seeded.caseId}`);
    await page.getByTestId('case-title').filter({ hasText: seeded.caseName }).waitFor();
    assert.match((await page.getByTestId('case-details').textContent()) ?? '', /A\. Examiner/);
    assert.match((await page.getByTestId('decision-zones').textContent()) ?? '', /≤ 0\.37.*supports genuine.*≥ 0\.47.*supports not genuine/);
    assert.equal(await page.getByTestId('subject-row').count(), 2);

    const groups = page.getByTestId('subject-group');
    assert.equal(await groups.count(), 2);
    for (let i = 0; i < 2; i++) {
      assert.equal(await groups.nth(i).getByTestId('known-cards').getByTestId('document-card').count(), 3);
      // Only 3 references against a minimum of 4: the subject is flagged.
      await groups.nth(i).getByText('fewer than 4 references').waitFor();
    }
    // Every thumbnail arrived as an image (no placeholder left).
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=document-card] img').length === 9);
    // ...loaded from the bridge's object URLs (with the session token), not carried as base64 through the API.
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid=document-card] img')).every((i) => i.complete && i.naturalWidth > 0),
    );
    const thumbs = await page.locator('[data-testid=document-card] img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src') ?? ''));
    for (const src of thumbs) assert.match(src, /^\/objects\/[0-9a-f]{64}\?w=\d+&token=[0-9a-f]+$/);

    const card = (id: number) => page.locator(`[data-testid=document-card][data-document-id="${id}"]`);
    assert.match((await card(seeded.questioned[0]!).textContent()) ?? '', /supports genuine/);
    assert.match((await card(seeded.questioned[0]!).getByTestId('card-distance').textContent()) ?? '', /distance 0\.310.*threshold 0\.42.*lower = more alike/);
    assert.match((await card(seeded.questioned[2]!).textContent()) ?? '', /supports not genuine/);
    assert.match((await card(seeded.questioned[1]!).textContent()) ?? '', /not verified/);
    assert.match((await card(seeded.lowConfidenceDocument).textContent()) ?? '', /low confidence \(0\.38\)/);
    assert.match((await card(seeded.failedDocument).textContent()) ?? '', /truncated JPEG/);
    await screenshot(page, 'case-page');

    await page.getByTestId('filter-attention').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=document-card]').length === 2);
    await page.close();
  });

  it("shows the case's audit trail and that the chain verifies", async () => {
    const page = await app.open(`/cases/${seeded.caseId}`);
    await page.getByRole('tab', { name: /Audit trail/ }).click();
    const status = page.getByTestId('chain-status');
    await status.waitFor();
    assert.equal(await status.getAttribute('data-ok'), 'true');
    // case.create + 10 document.import rows.
    assert.equal(await page.getByTestId('audit-row').count(), 11);
    assert.match((await page.getByTestId('audit-row').first().textContent()) ?? '', /Case created/);
    assert.match(page.url(), new RegExp(`#/cases/${seeded.caseId}/audit$`));
    await screenshot(page, 'case-audit');
    await page.close();
  });

  it('shows a document: the scan with its box, crop, quality figures and warnings, box history', async () => {
    const page = await app.open(`/cases/${seeded.caseId}`);
    await page.locator(`[data-testid=document-card][data-document-id="${seeded.lowConfidenceDocument}"]`).click();
    await page.getByTestId('document-title').filter({ hasText: 'q02.png' }).waitFor();
    const viewer = page.getByTestId('scan-viewer');
    await viewer.locator('svg image').first().waitFor({ state: 'attached' });
    const scanUrl = (await viewer.locator('svg image').first().getAttribute('href')) ?? '';
    assert.match(scanUrl, /^\/objects\/[0-9a-f]{64}\?w=2400&token=/);
    const scan = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get('content-type'), bytes: (await r.arrayBuffer()).byteLength };
    }, scanUrl);
    assert.equal(scan.status, 200);
    assert.equal(scan.type, 'image/png');
    assert.ok(scan.bytes > 1000);
    const box = page.getByTestId('signature-box');
    await box.waitFor();
    const readout = page.getByTestId('box-readout');
    const before = (await readout.textContent())?.replace(/\s+/g, ' ').trim();
    assert.match(before ?? '', /x \d+ · y \d+ · \d+ × \d+ px/);

    const panel = page.getByTestId('signature-panel');
    assert.match((await panel.textContent()) ?? '', /found with low confidence \(0\.38\)/);
    assert.match((await panel.getByTestId('quality-table').textContent()) ?? '', /Ink coverage\s*0\.30 %/);
    assert.equal(await page.getByTestId('box-history-row').count(), 1);
    assert.match((await page.getByTestId('verification-panel').textContent()) ?? '', /Not verified yet/);

    // The box moves with the keyboard; saving says what it does (the workflow and import tests save); Reset puts it back.
    await box.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await page.getByText('changed, not saved').waitFor();
    assert.notEqual((await readout.textContent())?.replace(/\s+/g, ' ').trim(), before);
    assert.equal(await page.getByTestId('save-box').isDisabled(), false);
    await page.getByTestId('save-hint').filter({ hasText: 'records it in the audit trail; the comparison is then run again' }).waitFor();
    await screenshot(page, 'document-page');
    await page.getByTestId('reset-box').click();
    await page.getByText('changed, not saved').waitFor({ state: 'hidden' });
    assert.equal((await readout.textContent())?.replace(/\s+/g, ' ').trim(), before);

    await page.getByTestId('next-document').click();
    await page.getByTestId('document-title').filter({ hasText: 'q03.png' }).waitFor();
    assert.match((await page.getByTestId('verification-panel').textContent()) ?? '', /supports not genuine.*0\.670.*lower = more alike/s);
    await page.close();
  });

  it('approves a proposed box from the keyboard, drags exactly in "Around the box" with many small moves, and restores an earlier box', async () => {
    const page = await app.open(`/cases/${seeded.caseId}/documents/${seeded.lowConfidenceDocument}`);
    await page.getByTestId('document-title').filter({ hasText: 'q02.png' }).waitFor();
    const box = page.getByTestId('signature-box');
    await box.waitFor();
    assert.equal(await box.getAttribute('data-status'), 'proposed');
    await page.getByTestId('approve-box').waitFor();
    // Approve from the keyboard: focus the box, Enter.
    await box.focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=signature-box][data-status=approved]').waitFor();
    await page.getByTestId('approve-box').waitFor({ state: 'detached' });
    await page.getByTestId('box-history-status').filter({ hasText: 'approved' }).waitFor();
    const trail = lastJson<{ action: string; details: { signatureId: number } }[]>(
      cli(['--data-dir', app.dir, 'audit', 'show', '--case', String(seeded.caseId), '--json']),
    );
    assert.equal(trail.filter((r) => r.action === 'signature.approve').length, 1, 'one audit row');

    const readBox = async () => {
      const t = ((await page.getByTestId('box-readout').textContent()) ?? '').replace(/\s+/g, ' ');
      const m = /x (\d+) · y (\d+) · (\d+) × (\d+) px/.exec(t)!;
      return { x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) };
    };
    const original = await readBox();
    await page.getByRole('button', { name: 'Around the box' }).click();
    const scale = await page
      .getByTestId('scan-viewer')
      .locator('svg')
      .first()
      .evaluate((el) => (el as SVGSVGElement).getScreenCTM()!.a);
    // Widen by 30 image pixels with the east handle, in 10 small mouse moves.
    const east = box.locator('rect.handle').nth(3);
    const hb = (await east.boundingBox())!;
    const cx = hb.x + hb.width / 2;
    const cy = hb.y + hb.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(cx + (30 * scale * i) / 10, cy);
    await page.mouse.up();
    const widened = await readBox();
    assert.ok(Math.abs(widened.w - original.w - 30) <= 2, `width ${original.w} -> ${widened.w}: 30 px (±2), the box does not run away`);
    assert.equal(widened.x, original.x);
    // Move it 30 image pixels down, again in 10 moves.
    const frame = (await box.locator('rect.frame-rect').boundingBox())!;
    const fx = frame.x + frame.width / 2;
    const fy = frame.y + frame.height / 2;
    await page.mouse.move(fx, fy);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(fx, fy + (30 * scale * i) / 10);
    await page.mouse.up();
    const moved = await readBox();
    assert.ok(Math.abs(moved.y - widened.y - 30) <= 2, `y ${widened.y} -> ${moved.y}: 30 px (±2)`);
    assert.equal(moved.w, widened.w);
    await screenshot(page, 'document-box-around');

    // Save it, then restore the earlier box from the history.
    await page.getByTestId('save-box').click();
    await page.getByText('changed, not saved').waitFor({ state: 'hidden', timeout: 60_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=box-history-row]').length === 2, undefined, { timeout: 60_000 });
    await page.getByTestId('restore-box').first().click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=box-history-row]').length === 3, undefined, { timeout: 60_000 });
    assert.deepEqual(await readBox(), original, 'the earlier box is the one in use again');
    await page.close();
  });

  it('shows why a failed document has no scan', async () => {
    const page = await app.open(`/cases/${seeded.caseId}/documents/${seeded.failedDocument}`);
    await page.getByTestId('failure-reason').waitFor();
    assert.match((await page.getByTestId('failure-reason').textContent()) ?? '', /truncated JPEG/);
    await page.getByTestId('original-problem').waitFor();
    await screenshot(page, 'document-failed');
    await page.close();
    assertNoPageErrors(app);
  });
});
