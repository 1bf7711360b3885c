// Batch and single verification of a case: stored, reproducible, audit-logged comparisons.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getModel, setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { APP_VERSION } from '../../../src-main/core/paths.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { ComparisonRepository } from '../../../src-main/core/store/comparison-store.ts';
import { compareDocument, verifyCase } from '../../../src-main/core/verify/verify-case.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'cs-verify-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(root, `d${n++}`);

const count = (store: Store, sql: string, ...args: unknown[]) => (store.db.prepare(sql).get(...args) as { n: number }).n;

describe('verifyCase', () => {
  let dir: string;
  let store: Store;
  let fx: VerifiableCase;
  let modelId: string;
  let modelSha: string;

  before(async () => {
    dir = fresh();
    const m = await saveTinyModel(dir, { eerThreshold: 0.5 });
    modelId = m.id;
    modelSha = m.sha256;
    setActiveModel(dir, modelId);
    store = openStore(dir, { client: 'cli' });
    fx = await seedVerifiableCase(store, { subjects: 2, known: 4, questioned: 2 });
  });
  after(() => store.close());

  it('compares every questioned signature with its subject, records model, version and threshold, and pins the model', async () => {
    const progress: string[] = [];
    const r = await verifyCase(store, fx.caseId, { workers: 1, onProgress: (p) => progress.push(p.stage) });
    assert.equal(r.items.length, fx.questioned.length);
    assert.equal(r.skipped.length, 0);
    assert.equal(r.cancelled, false);
    assert.equal(r.thresholdSource, 'model', "no case threshold: the model's own");
    const meta = getModel(dir, modelId);
    const neutral = -meta.calibration!.a / meta.calibration!.b;
    assert.ok(Math.abs(r.threshold - neutral) < 1e-12, 'a calibrated model proposes the score where its LR is 1');
    assert.ok(progress.includes('embed') && progress.includes('compare'));
    assert.equal(store.cases.get(fx.caseId).modelId, modelId, 'the active model is pinned on the case');
    for (const it of r.items) {
      const c = it.comparison;
      const q = fx.questioned.find((d) => d.documentId === it.documentId)!;
      assert.equal(it.subjectId, q.subjectId);
      assert.equal(c.modelId, modelId);
      assert.equal(c.modelSha256, modelSha);
      assert.equal(c.appVersion, APP_VERSION);
      assert.equal(c.threshold, r.threshold);
      assert.equal(c.batchId, r.batchId);
      assert.equal(c.distances.perReference.length, 4, 'one distance per known signature of the subject');
      const ds = c.distances.perReference.map((d) => d.distance);
      assert.ok(Math.abs(c.aggregate - ds.reduce((a, b) => a + b, 0) / ds.length) < 1e-9, 'aggregate = mean distance');
      assert.equal(c.distances.naturalVariation.pairDistances.length, 6, 'K-K pairs of 4 references');
      assert.equal(typeof c.llr, 'number', 'calibrated model gives an LR');
      assert.match(c.verbal ?? '', /support/);
      const codes = c.warnings.map((w) => w.code);
      assert.ok(
        !codes.includes('LOW_QUALITY_QUESTIONED') && !codes.includes('LOW_QUALITY_REFERENCE'),
        `clean synthetic crops read as good quality: ${codes.join(', ')}`,
      );
      const [lo, hi] = c.distances.inconclusiveZone!;
      assert.ok(lo <= r.threshold - 0.05 && hi >= r.threshold + 0.05, 'the zone is at least the band around the threshold');
      assert.equal(c.decision, c.aggregate <= lo ? 'genuine' : c.aggregate >= hi ? 'not_genuine' : 'inconclusive');
      if (c.decision !== 'inconclusive') assert.equal(c.decision === 'genuine', c.llr! > 0, 'the decision and the LR agree at the model threshold');
    }
    const actions = store.audit.list({ caseId: fx.caseId }).map((a) => a.action);
    assert.equal(actions.filter((a) => a === 'verify.compare').length, fx.questioned.length);
    assert.ok(actions.includes('verify.batch.start') && actions.includes('verify.batch.finish') && actions.includes('case.model'));
    assert.equal(store.audit.verify().ok, true);
  });

  it('computes each embedding once per signature and model', async () => {
    const before = store.db.prepare('SELECT signature_id, created_at FROM embeddings ORDER BY signature_id').all();
    assert.equal(before.length, fx.known.length + fx.questioned.length);
    await verifyCase(store, fx.caseId, { workers: 1 });
    assert.deepEqual(store.db.prepare('SELECT signature_id, created_at FROM embeddings ORDER BY signature_id').all(), before);
  });

  it('a new case threshold changes the decisions of the next verification and is audit-logged', async () => {
    store.cases.setThreshold(fx.caseId, 0.001, 'test');
    const low = await verifyCase(store, fx.caseId, { workers: 1 });
    assert.ok(low.items.every((i) => i.comparison.decision === 'not_genuine' && i.comparison.threshold === 0.001));
    store.cases.setThreshold(fx.caseId, 9, 'test');
    const high = await verifyCase(store, fx.caseId, { workers: 1 });
    assert.ok(high.items.every((i) => i.comparison.decision === 'genuine'));
    const changes = store.audit
      .list({ caseId: fx.caseId })
      .filter((a) => a.action === 'case.threshold')
      .map((a) => a.details);
    assert.deepEqual(
      changes.slice(-2).map(({ old, new: now, reason }) => ({ old, new: now, reason })),
      [
        { old: null, new: 0.001, reason: 'test' },
        { old: 0.001, new: 9, reason: 'test' },
      ],
    );
    assert.ok((changes.at(-1)!.resultsSeen as number) > (changes.at(-2)!.resultsSeen as number), 'the second change was made after more results had been seen');
    store.cases.setThreshold(fx.caseId, null, 'test');
  });

  it('compareDocument reuses the newest comparison until something it depends on changes', async () => {
    const doc = fx.questioned[0]!.documentId;
    const rows = () => count(store, 'SELECT COUNT(*) AS n FROM comparisons');
    const first = await compareDocument(store, fx.caseId, doc, { workers: 1 });
    const n1 = rows();
    const again = await compareDocument(store, fx.caseId, doc, { workers: 1 });
    assert.equal(again.comparison.id, first.comparison.id);
    assert.equal(rows(), n1, 'nothing new recorded');
    store.cases.setThreshold(fx.caseId, 0.7, 'test');
    const changed = await compareDocument(store, fx.caseId, doc, { workers: 1 });
    assert.notEqual(changed.comparison.id, first.comparison.id);
    assert.equal(changed.comparison.threshold, 0.7);
    assert.equal(rows(), n1 + 1);
    store.cases.setThreshold(fx.caseId, null, 'test');
  });

  it('stops when cancelled: finished comparisons stay, nothing half-written', async () => {
    const ctl = new AbortController();
    const before = count(store, 'SELECT COUNT(*) AS n FROM comparisons');
    const r = await verifyCase(store, fx.caseId, {
      workers: 1,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.stage === 'compare' && p.done === 1) ctl.abort();
      },
    });
    assert.equal(r.cancelled, true);
    assert.equal(r.items.length, 1);
    assert.equal(count(store, 'SELECT COUNT(*) AS n FROM comparisons') - before, 1);
    assert.ok(store.audit.list({ caseId: fx.caseId }).some((a) => a.action === 'verify.batch.cancel'));
    assert.equal(store.integrityCheck().ok, true);
  });

  it('an archived case shows its newest recorded comparison and records nothing new', async () => {
    const other = await seedVerifiableCase(store, { name: 'To archive', subjects: 1, known: 4, questioned: 2 });
    const first = await compareDocument(store, other.caseId, other.questioned[0]!.documentId, { workers: 1 });
    store.cases.archive(other.caseId);
    const rows = count(store, 'SELECT COUNT(*) AS n FROM comparisons');
    const shown = await compareDocument(store, other.caseId, other.questioned[0]!.documentId);
    assert.equal(shown.comparison.id, first.comparison.id);
    assert.equal(shown.references.length, 4);
    assert.equal(count(store, 'SELECT COUNT(*) AS n FROM comparisons'), rows);
    await assert.rejects(compareDocument(store, other.caseId, other.questioned[1]!.documentId), /archived and document #\d+ was never compared/);
  });

  it('reads back every stored comparison of the case, newest per signature', () => {
    const latest = new ComparisonRepository(store).latestForCase(fx.caseId);
    assert.equal(latest.length, fx.questioned.length);
    assert.deepEqual(new Set(latest.map((c) => c.questionedSignatureId)), new Set(fx.questioned.map((q) => q.signatureId)));
  });
});

describe('verification refuses or warns', () => {
  it('an uncalibrated model gives no LR and says so', async () => {
    const dir = fresh();
    const m = await saveTinyModel(dir, { calibrated: false });
    setActiveModel(dir, m.id);
    const store = openStore(dir, { client: 'cli' });
    try {
      const fx = await seedVerifiableCase(store, { subjects: 1, known: 3, questioned: 1, threshold: 0.4 });
      const r = await verifyCase(store, fx.caseId, { workers: 1 });
      const c = r.items[0]!.comparison;
      assert.equal(c.llr, null);
      assert.match(c.verbal ?? '', /not been calibrated/);
      const codes = c.warnings.map((w) => w.code);
      assert.ok(codes.includes('UNCALIBRATED'));
      assert.ok(codes.includes('TOO_FEW_REFERENCES'), '3 references is below the default minimum of 4');
      assert.equal(r.thresholdSource, 'case');
    } finally {
      store.close();
    }
  });

  it('skips a questioned document whose claimed subject has no references, naming why', async () => {
    const dir = fresh();
    setActiveModel(dir, (await saveTinyModel(dir)).id);
    const store = openStore(dir, { client: 'cli' });
    try {
      const fx = await seedVerifiableCase(store, { subjects: 1, known: 4, questioned: 1 });
      const lonely = store.write(() =>
        Number(
          store.db
            .prepare("INSERT INTO subjects (case_id, scope, name, name_key, created_at) VALUES (?, 'case', 'Nobody', 'nobody', ?)")
            .run(fx.caseId, new Date().toISOString()).lastInsertRowid,
        ),
      );
      store.write(() => store.db.prepare('UPDATE documents SET claimed_subject_id = ? WHERE id = ?').run(lonely, fx.questioned[0]!.documentId));
      const r = await verifyCase(store, fx.caseId, { workers: 1 });
      assert.equal(r.items.length, 0);
      assert.match(r.skipped[0]!.reason, /'Nobody' has no known signatures/);
      await assert.rejects(compareDocument(store, fx.caseId, fx.questioned[0]!.documentId), /no known signatures/);
    } finally {
      store.close();
    }
  });

  it('a model whose weights changed on disk is refused before anything is recorded', async () => {
    const dir = fresh();
    const m = await saveTinyModel(dir);
    setActiveModel(dir, m.id);
    const store = openStore(dir, { client: 'cli' });
    try {
      const fx = await seedVerifiableCase(store, { subjects: 1, known: 4, questioned: 1 });
      const weights = path.join(dir, 'models', m.id, 'weights.bin');
      const bytes = readFileSync(weights);
      bytes[10] = bytes[10]! ^ 0xff;
      rmSync(weights, { force: true });
      writeFileSync(weights, bytes);
      const rows = store.audit.list().length;
      await assert.rejects(verifyCase(store, fx.caseId), (err: Error & { code?: string }) => err.code === 'INTEGRITY' && /weights\.bin/.test(err.message));
      assert.equal(count(store, 'SELECT COUNT(*) AS n FROM comparisons'), 0);
      assert.equal(store.audit.list().length, rows, 'nothing logged');
    } finally {
      store.close();
    }
  });

  it('no model at all is a clear error', async () => {
    const dir = fresh();
    const store = openStore(dir, { client: 'cli' });
    try {
      const c = store.cases.create({ name: 'No model' });
      await assert.rejects(verifyCase(store, c.id), /no model is installed or selected/);
    } finally {
      store.close();
    }
  });
});
