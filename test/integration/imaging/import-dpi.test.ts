// Resolution on import: the file's when it has one ('file'), else the examiner's --dpi
// ('entered'), else unknown (null); recorded on the document and in its audit row (schema 7).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { importCaseFolder } from '../../../src-main/core/imaging/import.ts';
import { resolution } from '../../../src-main/core/imaging/import-file.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { tempDir } from '../../helpers/store.ts';
import { copyCase, synthCase } from '../../helpers/import-fixtures.ts';

const stores: Store[] = [];
after(() => stores.forEach((s) => s.close()));

const synthRoot = tempDir('cs-dpi-case-');
const copyRoot = tempDir('cs-dpi-copy-');
let caseDir = '';
/** Files whose resolution was stripped, relative to the case folder. */
const stripped: string[] = [];
before(async () => {
  const { dir } = await synthCase(path.join(synthRoot, 'case'), 7, { subjects: 1, known: 3, questioned: 1 });
  caseDir = copyCase(dir, path.join(copyRoot, 'case'));
  // The first known file of the subject loses its resolution (re-encoded as PNG without pHYs).
  const subject = readdirSync(path.join(caseDir, 'known'))[0]!;
  const file = readdirSync(path.join(caseDir, 'known', subject)).sort()[0]!;
  const abs = path.join(caseDir, 'known', subject, file);
  const { data, info } = await sharp(readFileSync(abs)).raw().toBuffer({ resolveWithObject: true });
  const png = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .png()
    .toBuffer();
  assert.equal((await sharp(png).metadata()).density, undefined);
  writeFileSync(abs, png);
  stripped.push(`known/${subject}/${file}`);
});

interface Doc {
  original_path: string;
  dpi: number | null;
  dpi_source: string | null;
}
const dataDirs = [tempDir('cs-dpi-data-'), tempDir('cs-dpi-data-')];
async function importWith(assumedDpi?: number): Promise<{ store: Store; docs: Doc[] }> {
  const store = openStore(dataDirs[stores.length]!, { client: 'cli' });
  stores.push(store);
  const c = store.cases.create({ name: 'DPI' });
  await importCaseFolder(store, { caseRef: c.id, folder: caseDir, workers: 0, ...(assumedDpi !== undefined ? { assumedDpi } : {}) });
  const docs = store.db.prepare('SELECT original_path, dpi, dpi_source FROM documents ORDER BY original_path').all() as Doc[];
  return { store, docs };
}

test('without --dpi a file without a resolution is recorded as unknown, the others as read from the file', async () => {
  const { store, docs } = await importWith();
  assert.ok(docs.length >= 4);
  for (const d of docs) {
    if (stripped.includes(d.original_path)) assert.deepEqual([d.dpi, d.dpi_source], [null, null], d.original_path);
    else assert.ok(d.dpi !== null && d.dpi >= 200 && d.dpi_source === 'file', `${d.original_path}: ${d.dpi} ${d.dpi_source}`);
  }
  const row = store.documents.documentsOfCase(1).find((d) => stripped.includes(d.originalPath))!;
  assert.deepEqual([row.dpi, row.dpiSource], [null, null]);
});

test('--dpi is used only for files without a resolution, recorded as entered, in the row and the audit row', async () => {
  const { store, docs } = await importWith(250);
  for (const d of docs) {
    if (stripped.includes(d.original_path)) assert.deepEqual([d.dpi, d.dpi_source], [250, 'entered'], d.original_path);
    else assert.ok(d.dpi !== 250 && d.dpi_source === 'file', `${d.original_path}: ${d.dpi} ${d.dpi_source}`);
  }
  const audit = store.db.prepare("SELECT details FROM audit_log WHERE action = 'document.import'").pluck().all() as string[];
  const entered = audit.map((d) => JSON.parse(d) as { path: string; dpi: number | null; dpiSource: string | null }).filter((d) => d.dpiSource === 'entered');
  assert.deepEqual(
    entered.map((d) => [d.path, d.dpi]),
    [[stripped[0], 250]],
  );
  assert.equal(store.audit.verify().ok, true);
  assert.deepEqual(store.integrityCheck(), { ok: true, problems: [] });
});

test('resolution(): the file first, then the entered one, else unknown', () => {
  assert.deepEqual(resolution(300, { assumedDpi: 600 }), { dpi: 300, dpiSource: 'file' });
  assert.deepEqual(resolution(null, { assumedDpi: 600 }), { dpi: 600, dpiSource: 'entered' });
  assert.deepEqual(resolution(null, {}), { dpi: null, dpiSource: null });
});
