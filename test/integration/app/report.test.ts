// core/app/report.ts: a stored report handed out and saved; no other object of the store.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { saveReportAs, storedReportPdf } from '../../../src-main/core/app/report.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

describe('core/app/report', () => {
  const dir = tempDir('cs-app-report-');
  const store = openStore(path.join(dir, 'data'), { client: 'cli' });
  after(() => store.close());
  const pdf = Buffer.from('%PDF-1.7 not really a report');
  const sha = store.objects.put(pdf);
  const other = store.objects.put(Buffer.from('a crop'));
  store.write(() => store.audit.append({ action: 'report.create', details: { sha256: sha } }));

  test('storedReportPdf: the bytes of a recorded report; NOT_FOUND for any other object', () => {
    assert.equal(storedReportPdf(store, sha).equals(pdf), true);
    throwsCode(() => storedReportPdf(store, other), 'NOT_FOUND', `report ${other}: no report with this SHA-256 was created in this data directory`);
  });

  test('saveReportAs writes where it is told and audit-logs it; cancelled writes nothing; unknown is refused before asking', async () => {
    const file = path.join(dir, 'out', 'report.pdf');
    assert.deepEqual(await saveReportAs(store, sha, async () => file), { path: file });
    assert.equal(readFileSync(file).equals(pdf), true);
    const saved = store.audit.list().filter((r) => r.action === 'report.save');
    assert.deepEqual(
      saved.map((r) => [r.entity, r.details.sha256, r.details.path]),
      [[`report:${sha}`, sha, file]],
    );

    assert.deepEqual(await saveReportAs(store, sha, async () => null), { path: null });
    assert.equal(store.audit.list().filter((r) => r.action === 'report.save').length, 1, 'a cancelled save is not logged');

    let asked = false;
    await assert.rejects(
      saveReportAs(store, other, async () => ((asked = true), path.join(dir, 'x.pdf'))),
      (err: Error & { code?: string }) => err.code === 'NOT_FOUND',
    );
    assert.equal(asked, false, 'no dialog for a report that does not exist');
    assert.equal(existsSync(path.join(dir, 'x.pdf')), false);
  });

  test('saveReportAs names the file it cannot write', async () => {
    const blocked = path.join(dir, 'out', 'report.pdf', 'inside.pdf');
    await assert.rejects(
      saveReportAs(store, sha, async () => blocked),
      (err: Error & { code?: string }) => err.code === 'IO' && err.message.startsWith(`${blocked}: cannot write the report`),
    );
  });
});
