// identify(): real images through the import path, real tfjs embeddings (random-weight
// signet-tiny), the library and a case as scopes, LRs from the model's calibration, the
// open-set outcome, and the record + audit row of every identification.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { identify } from '../../../src-main/core/identify/identify.ts';
import { IdentificationRepository } from '../../../src-main/core/store/identifications.ts';
import { withdrawLibrarySubject } from '../../../src-main/core/library/copy.ts';
import { enrolFiles } from '../../../src-main/core/library/enrol.ts';
import { getModel, setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { DEFAULT_MIN_REFERENCES, openStore, type Store } from '../../../src-main/core/store/index.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { calibrate } from '../../../src-main/core/scoring/calibration.ts';
import { distance } from '../../../src-main/core/scoring/distance.ts';
import { saveTinyModel, seedVerifiableCase } from '../../helpers/verify-fixture.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-identify-');
const data = path.join(root, 'data');
const images = path.join(root, 'images');
let store: Store;
let modelId: string;
const g = (w: string, i: number) => path.join(images, w, 'genuine', `${w}-g${String(i).padStart(2, '0')}.png`);
const rows = () => store.db.prepare('SELECT count(*) FROM identifications').pluck().get() as number;

before(async () => {
  await generateDataset(images, { writers: 3, genuine: 4, forged: 0, seed: 9 });
  modelId = (await saveTinyModel(data)).id;
  setActiveModel(data, modelId);
  store = openStore(data);
  // Enrolled without embeddings: the first identification embeds all nine exemplars at once.
  for (const w of ['w0001', 'w0002', 'w0003']) await enrolFiles(store, { name: `Writer ${w}`, paths: [1, 2, 3].map((i) => g(w, i)), modelId: null });
});
after(() => store.close());

describe('identify', () => {
  it('ranks every enrolled writer for an image file: mean distances to the exemplars, calibrated LRs, recorded and audit-logged', async () => {
    const auditBefore = store.audit.list().length;
    const r = await identify(store, { imagePath: g('w0002', 4) }, { top: 5 });
    assert.equal(r.scope.kind, 'library');
    assert.equal(r.writersSearched, 3);
    assert.equal(r.exemplarsSearched, 9);
    assert.equal(r.candidates.length, 3);
    assert.equal(r.metric, 'euclidean');
    assert.equal(r.method, 'hnsw');
    assert.equal(r.query.kind, 'image');
    assert.ok(store.objects.has(r.query.originalSha256) && store.objects.has(r.query.normalisedSha256));
    // Each aggregate is the mean of the listed exemplar distances; each LR is the calibration's at it.
    const cal = getModel(data, modelId).calibration!;
    for (const c of r.candidates) {
      assert.equal(c.exemplars.length, 3);
      const mean = c.exemplars.reduce((s, e) => s + e.distance, 0) / 3;
      assert.ok(Math.abs(mean - c.aggregate) < 1e-12);
      assert.equal(c.llr, calibrate(cal, c.aggregate).log10LR);
      assert.match(c.verbal, new RegExp(c.name));
      assert.equal(c.withinThreshold, c.aggregate <= r.threshold!);
    }
    assert.deepEqual(
      r.candidates.map((c) => c.aggregate),
      [...r.candidates.map((c) => c.aggregate)].sort((a, b) => a - b),
    );
    assert.equal(r.thresholdSource, 'model');
    const stored = new IdentificationRepository(store).get(r.id)!;
    assert.deepEqual(stored.candidates, r.candidates);
    const audit = store.audit.list().slice(auditBefore);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['model.register', 'identify.query'],
      'the model is registered (with its identity) at its first use',
    );
    assert.equal(audit[1]!.entity, `identification:${r.id}`);
    assert.deepEqual(
      (audit[1]!.details.top as { name: string }[]).map((t) => t.name),
      r.candidates.map((c) => c.name),
    );
  });

  it('open set: beyond the threshold no enrolled writer is close enough; within it, the candidates are named', async () => {
    // A stored exemplar as the query (its embedding is reused; its own row does not count).
    const q = { signatureId: store.db.prepare('SELECT MAX(id) FROM signatures').pluck().get() as number };
    const far = await identify(store, q, { threshold: 1e-6 });
    assert.equal(far.outcome, 'no-match');
    assert.match(
      far.statement,
      /^No enrolled writer is close enough: among 3 enrolled writers of the reference library, the closest, Writer w000\d, has a score of [\d.]+ \(.*\), beyond the threshold given of 0\.000/,
    );
    assert.ok(far.candidates.every((c) => c.withinThreshold === false));
    const near = await identify(store, q, { threshold: 9 });
    assert.equal(near.outcome, 'candidates');
    assert.match(near.statement, /^3 of 3 enrolled writers of the reference library are within the threshold given of 9\.000/);
    assert.equal(near.thresholdSource, 'given');
    // One story: where "within/beyond the threshold" and the LR's band disagree, the candidate says so.
    const log2 = Math.log10(2);
    for (const c of [...far.candidates, ...near.candidates]) {
      const against = c.withinThreshold ? c.llr! <= -log2 : c.llr! >= log2;
      assert.equal(
        c.warnings.some((w) => /yet the likelihood ratio gives/.test(w)),
        against,
        `${c.name}: within ${c.withinThreshold}, llr ${c.llr}`,
      );
    }
    assert.ok(
      [...far.candidates, ...near.candidates].some((c) =>
        c.warnings.some((w) => /^(within|beyond) the threshold given .* yet the likelihood ratio gives .*support for (another|same) writer/.test(w)),
      ),
      'a far threshold produces at least one disagreement',
    );
    // At the model's threshold (where the LR is 1) they never disagree.
    const atModel = await identify(store, q, {});
    assert.ok(atModel.candidates.every((c) => !c.warnings.some((w) => /yet the likelihood ratio/.test(w))));
  });

  it('a stored signature as the query: its own row and its original are left out; a withdrawn writer is no longer ranked', async () => {
    const sig = store.db
      .prepare(
        "SELECT s.id FROM signatures s JOIN documents d ON d.id = s.document_id JOIN subjects sub ON sub.id = d.subject_id WHERE sub.name = 'Writer w0003' ORDER BY s.id LIMIT 1",
      )
      .pluck()
      .get() as number;
    const r = await identify(store, { signatureId: sig }, { method: 'exact' });
    assert.equal(r.method, 'exact');
    assert.equal(r.excluded.signatureId, sig);
    const own = r.candidates.find((c) => c.name === 'Writer w0003')!;
    assert.equal(own.exemplars.length, 2);
    assert.ok(r.candidates.every((c) => c.exemplars.every((e) => e.signatureId !== sig)));
    assert.match(own.warnings.join(' '), new RegExp(`only 2 exemplars \\(minimum ${DEFAULT_MIN_REFERENCES}\\)`));
    withdrawLibrarySubject(store, 'Writer w0003', 'test: withdrawn');
    const after = await identify(store, { signatureId: sig });
    assert.equal(after.writersSearched, 2);
    assert.ok(!after.candidates.some((c) => c.name === 'Writer w0003'));
  });

  it("a case's writers with the case's model and threshold; the questioned signature's distances match verification's", async () => {
    const fx = await seedVerifiableCase(store, { name: 'Identify in a case', subjects: 2, known: 3, questioned: 1, threshold: 0.7 });
    const q = fx.questioned[0]!;
    const r = await identify(store, { signatureId: q.signatureId }, { caseRef: fx.caseId, top: 2 });
    assert.deepEqual(r.scope, { kind: 'case', caseId: fx.caseId, caseName: 'Identify in a case' });
    assert.equal(r.threshold, 0.7);
    assert.equal(r.thresholdSource, 'case');
    assert.equal(r.method, 'exact');
    assert.equal(r.writersSearched, 2);
    const vec = (id: number) => {
      const b = store.db.prepare('SELECT vector FROM embeddings WHERE signature_id = ? AND model_id = ?').pluck().get(id, modelId) as Buffer;
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    for (const c of r.candidates) for (const e of c.exemplars) assert.equal(e.distance, distance('euclidean', vec(q.signatureId), vec(e.signatureId)));
    assert.equal(store.audit.list({ caseId: fx.caseId }).at(-1)!.action, 'identify.query');
  });

  it('refuses bad input naming it, recording nothing', async () => {
    const n = rows();
    const bad = path.join(root, 'scan.png');
    writeFileSync(bad, 'not a picture');
    await assert.rejects(identify(store, { imagePath: bad }), (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && e.message.includes(bad));
    await assert.rejects(identify(store, { signatureId: 999999 }), /no signature #999999/);
    await assert.rejects(identify(store, { signatureId: 1 }, { top: 0 }), /top: expected a whole number in 1\.\.100/);
    await assert.rejects(identify(store, { signatureId: 1 }, { threshold: -1 }), /threshold: expected a positive distance/);
    assert.equal(rows(), n);
  });

  it('an uncalibrated model gives no LR and, without an EER threshold, no open-set decision', async () => {
    const dir = path.join(root, 'uncal');
    const m = await saveTinyModel(dir, { calibrated: false, name: 'uncalibrated tiny' });
    // Without a calibration the fixture still records metrics.eerThreshold; a model without one is undecided.
    const s = openStore(dir);
    try {
      const e = await enrolFiles(s, { name: 'Only writer', paths: [g('w0001', 1), g('w0001', 2)], modelId: m.id });
      const r = await identify(s, { signatureId: e.files[0]!.signatureId! }, { modelId: m.id });
      assert.equal(r.model.calibrated, false);
      assert.equal(r.candidates[0]!.llr, null);
      assert.match(r.candidates[0]!.verbal, /not calibrated|no likelihood ratio/i);
      assert.notEqual(r.outcome, 'empty');
    } finally {
      s.close();
    }
  });
});
