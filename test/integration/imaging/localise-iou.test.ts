// The acceptance figure: on synthetic cases from `countersign synth case`, the boxes
// the import job finds on questioned cheques overlap truth.json with IoU >= 0.8 for at
// least 95% of the cheques. Measured through the whole import (files in PNG, JPEG and TIFF,
// worker threads), not on the localiser alone.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { importCaseFolder } from '../../../src-main/core/imaging/import.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { tempDir } from '../../helpers/store.ts';
import { iou, synthCase } from '../../helpers/import-fixtures.ts';

const SEEDS = [41, 42, 43];
const root = tempDir('cs-iou-');
const store = openStore(path.join(root, 'data'), { client: 'cli' });
after(() => store.close());

test(`localisation: IoU >= 0.8 with truth.json on at least 95% of questioned cheques (seeds ${SEEDS.join(', ')})`, async (t) => {
  const scores: { file: string; iou: number; flagged: boolean }[] = [];
  for (const seed of SEEDS) {
    const { dir, truth } = await synthCase(path.join(root, `case-${seed}`), seed, { subjects: 3, known: 1, questioned: 4 });
    const c = store.cases.create({ name: `IoU ${seed}` });
    const r = await importCaseFolder(store, { caseRef: c.id, folder: dir, workers: 2 });
    for (const [file, entry] of Object.entries(truth)) {
      const f = r.files.find((x) => x.path === file);
      assert.equal(f?.status, 'imported', `${file} imported`);
      scores.push({ file: `${seed}/${file}`, iou: f!.box ? iou(f!.box, entry.box) : 0, flagged: f!.lowConfidence });
    }
  }
  const good = scores.filter((s) => s.iou >= 0.8).length;
  const share = good / scores.length;
  t.diagnostic(
    `IoU >= 0.8 on ${good} of ${scores.length} questioned cheques (${(share * 100).toFixed(1)}%), mean IoU ${(scores.reduce((a, s) => a + s.iou, 0) / scores.length).toFixed(3)}`,
  );
  for (const s of scores.filter((x) => x.iou < 0.8))
    t.diagnostic(`  below: ${s.file} IoU ${s.iou.toFixed(3)}${s.flagged ? ' (flagged for the examiner)' : ''}`);
  assert.equal(scores.length, SEEDS.length * 3 * 4);
  assert.ok(share >= 0.95, `${(share * 100).toFixed(1)}% of cheques with IoU >= 0.8`);
});
