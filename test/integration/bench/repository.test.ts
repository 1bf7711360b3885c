// Bench records on a real data directory: validation naming the field, audit rows, tombstones,
// the chain and row bindings verifying after writes and naming a row edited behind the app's back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BenchRepository } from '../../../src-main/core/bench/index.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { buildCaseReport } from '../../../src-main/core/report/from-case.ts';
import { openStore, verifyStore, type Store } from '../../../src-main/core/store/index.ts';
import { ComparisonRepository } from '../../../src-main/core/store/comparison-store.ts';
import { verifyCase } from '../../../src-main/core/verify/verify-case.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-bench-');
const dir = path.join(root, 'data');
let store: Store;
let bench: BenchRepository;
let fx: VerifiableCase;

async function rejects(p: Promise<unknown> | (() => unknown), code: string, pattern: RegExp) {
  await assert.rejects(
    async () => (typeof p === 'function' ? p() : p),
    (e: { code?: string; message?: string }) => {
      assert.equal(e.code, code, e.message);
      assert.match(e.message!, pattern);
      return true;
    },
  );
}

function problems(d: string): string[] {
  const s = openStore(d);
  try {
    return verifyStore(s, { objects: false }).problems;
  } finally {
    s.close();
  }
}

describe('bench records', () => {
  before(async () => {
    const m = await saveTinyModel(dir);
    setActiveModel(dir, m.id);
    store = openStore(dir);
    fx = await seedVerifiableCase(store, { subjects: 1, known: 3, questioned: 1, threshold: 0.5 });
    await verifyCase(store, fx.caseId, { workers: 1 });
    bench = new BenchRepository(store);
  });
  after(() => store.close());

  it('a measurement: value and unit computed from the points and the DPI given (the document has none), audit-logged and bound', async () => {
    const q = fx.questioned[0]!;
    const before = store.audit.list().length;
    const m = await bench.createMeasurement({
      signatureId: q.signatureId,
      kind: 'length',
      points: [
        [10, 20],
        [10 + 118.11, 20],
      ],
      dpi: 150,
      label: 'width of the capital',
    });
    assert.equal(m.unit, 'mm');
    assert.ok(Math.abs(m.value - 20) < 0.01, `${m.value}`);
    assert.deepEqual([m.dpi, m.dpiSource, m.caseId, m.deletedAt], [150, 'given', fx.caseId, null]);
    const rows = store.audit.list().slice(before);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.action, 'bench.measure');
    assert.equal(rows[0]!.entity, `measurement:${m.id}`);
    assert.ok(rows[0]!.bound?.rows[`bench_measurements:${m.id}`], 'the row hash is in the audit row');
    const angle = await bench.createMeasurement({
      signatureId: q.signatureId,
      kind: 'angle',
      points: [
        [10, 50],
        [30, 10],
      ],
    });
    assert.deepEqual([angle.unit, angle.dpi, angle.dpiSource], ['deg', null, null]);
    assert.ok(Math.abs(angle.value - 63.435) < 0.01);
  });

  it('refuses what it cannot record, naming the field', async () => {
    const q = fx.questioned[0]!;
    await rejects(
      bench.createMeasurement({
        signatureId: q.signatureId,
        kind: 'length',
        points: [
          [0, 0],
          [10, 0],
        ],
      }),
      'INVALID_ARGUMENT',
      /^dpi: a length in mm needs the DPI/,
    );
    await rejects(
      bench.createMeasurement({
        signatureId: q.signatureId,
        kind: 'length',
        points: [
          [0, 0],
          [1e5, 0],
        ],
        dpi: 300,
      }),
      'INVALID_ARGUMENT',
      /^points\[1\]: \[100000, 0\] lies outside the crop/,
    );
    await rejects(
      bench.createMeasurement({
        signatureId: q.signatureId,
        kind: 'slope' as 'angle',
        points: [
          [0, 0],
          [1, 1],
        ],
      }),
      'INVALID_ARGUMENT',
      /^kind: /,
    );
    await rejects(
      bench.createMeasurement({
        signatureId: 9999,
        kind: 'angle',
        points: [
          [0, 0],
          [5, 5],
        ],
      }),
      'NOT_FOUND',
      /^signatureId: no signature 9999/,
    );
    await rejects(bench.createAnnotation({ kind: 'circle', signatureId: q.signatureId, center: [5, 5], radius: -2 }), 'INVALID_ARGUMENT', /^radius: /);
    await rejects(
      bench.createAnnotation({ kind: 'text', signatureId: q.signatureId, at: [5, 5], text: '  ' }),
      'INVALID_ARGUMENT',
      /^text: expected some text/,
    );
    await rejects(
      bench.createAnnotation({ kind: 'arrow', signatureId: q.signatureId, from: [-1, 5], to: [5, 5] }),
      'INVALID_ARGUMENT',
      /^from: \[-1, 5\] lies outside the crop/,
    );
    await rejects(
      bench.createAlignment({
        questionedSignatureId: fx.known[0]!.signatureId,
        referenceSignatureId: fx.known[1]!.signatureId,
        dxMm: 0,
        dyMm: 0,
        rotationDeg: 0,
        scale: 1,
        questionedDpi: 150,
        referenceDpi: 150,
      }),
      'INVALID_ARGUMENT',
      /^questionedSignatureId: signature \d+ is on a known document/,
    );
    await rejects(
      bench.createAlignment({
        questionedSignatureId: q.signatureId,
        referenceSignatureId: fx.known[0]!.signatureId,
        dxMm: 0,
        dyMm: 0,
        rotationDeg: 0,
        scale: 1,
      }),
      'INVALID_ARGUMENT',
      /^questionedDpi: document \d+ has no recorded DPI/,
    );
    await rejects(
      bench.createAlignment({
        questionedSignatureId: q.signatureId,
        referenceSignatureId: fx.known[0]!.signatureId,
        dxMm: 0,
        dyMm: 0,
        rotationDeg: 200,
        scale: 1,
        questionedDpi: 150,
        referenceDpi: 150,
      }),
      'INVALID_ARGUMENT',
      /^rotationDeg: /,
    );
  });

  it('a document with a recorded DPI: that DPI is used, and a different one given is refused', async () => {
    const k = fx.known[2]!;
    // the import records a DPI when the file has one; the fixture's files have none, so set one as an import would
    store.write(() => store.db.prepare("UPDATE documents SET dpi = 150, dpi_source = 'file' WHERE id = ?").run(k.documentId));
    const m = await bench.createMeasurement({
      signatureId: k.signatureId,
      kind: 'length',
      points: [
        [0, 0],
        [59.055, 0],
      ],
    });
    assert.deepEqual([m.dpi, m.dpiSource], [150, 'document']);
    assert.ok(Math.abs(m.value - 10) < 0.01);
    await rejects(
      bench.createMeasurement({
        signatureId: k.signatureId,
        kind: 'length',
        points: [
          [0, 0],
          [10, 0],
        ],
        dpi: 300,
      }),
      'INVALID_ARGUMENT',
      /^dpi: document \d+ was recorded at 150 dpi; 300 was given/,
    );
  });

  it('an alignment per (Q, K, comparison) with the automatic best fit it started from; a K outside the comparison is refused', async () => {
    const q = fx.questioned[0]!;
    const cmp = new ComparisonRepository(store).latestForCase(fx.caseId)[0]!;
    const auto = await bench.autoAlign({
      questionedSignatureId: q.signatureId,
      referenceSignatureId: fx.known[0]!.signatureId,
      questionedDpi: 150,
      referenceDpi: 150,
    });
    assert.ok(auto.overlap > 0 && auto.overlap <= 1);
    assert.deepEqual(auto.dpiSource, { questioned: 'given', reference: 'given' });
    const a = await bench.createAlignment({
      questionedSignatureId: q.signatureId,
      referenceSignatureId: fx.known[0]!.signatureId,
      comparisonId: cmp.id,
      dxMm: auto.dxMm + 0.5,
      dyMm: auto.dyMm,
      rotationDeg: auto.rotationDeg,
      scale: auto.scale,
      opacity: 0.5,
      questionedDpi: 150,
      referenceDpi: 150,
      fromAutoFit: true,
    });
    assert.deepEqual(
      a.autoFit && { dx: a.autoFit.dxMm, rot: a.autoFit.rotationDeg },
      { dx: auto.dxMm, rot: auto.rotationDeg },
      'the recorded fit is the one shown',
    );
    assert.equal(a.comparisonId, cmp.id);
    assert.equal(store.audit.list().at(-1)!.action, 'bench.align');
    assert.deepEqual(
      bench.listAlignments({ comparisonId: cmp.id }).map((x) => x.id),
      [a.id],
    );
    // a reference of another subject is not one of the comparison's references
    const other = await seedVerifiableCase(store, { name: 'Other', subjects: 1, known: 2, questioned: 1 });
    await rejects(
      bench.createAlignment({
        questionedSignatureId: q.signatureId,
        referenceSignatureId: other.known[0]!.signatureId,
        dxMm: 0,
        dyMm: 0,
        rotationDeg: 0,
        scale: 1,
        questionedDpi: 150,
        referenceDpi: 150,
      }),
      'INVALID_ARGUMENT',
      /^referenceSignatureId: signature \d+ belongs to case \d+, the questioned signature to case \d+/,
    );
  });

  it('annotations and notes; a deletion is a tombstone with its reason, listed only when asked, and final', async () => {
    const q = fx.questioned[0]!;
    const arrow = await bench.createAnnotation({ kind: 'arrow', signatureId: q.signatureId, from: [5, 5], to: [40, 30], text: 'pen lift', color: '#c0392b' });
    const note = await bench.createAnnotation({ kind: 'note', signatureId: q.signatureId, text: 'Hesitation in the final stroke.' });
    assert.deepEqual(note.geometry, null);
    assert.equal(store.audit.list().at(-1)!.action, 'bench.note');
    assert.deepEqual(
      bench.listAnnotations({ signatureId: q.signatureId }).map((x) => x.id),
      [arrow.id, note.id],
    );
    const deleted = bench.deleteAnnotation({ id: arrow.id, reason: 'placed on the wrong stroke' });
    assert.equal(deleted.deletedReason, 'placed on the wrong stroke');
    assert.ok(deleted.deletedAt);
    const last = store.audit.list().at(-1)!;
    assert.deepEqual([last.action, last.entity, last.details.reason], ['bench.delete', `annotation:${arrow.id}`, 'placed on the wrong stroke']);
    assert.deepEqual(
      bench.listAnnotations({ caseId: fx.caseId }).map((x) => x.id),
      [note.id],
    );
    assert.deepEqual(
      bench.listAnnotations({ caseId: fx.caseId, includeDeleted: true }).map((x) => x.id),
      [arrow.id, note.id],
    );
    assert.throws(() => bench.deleteAnnotation({ id: arrow.id, reason: 'again' }), /id: annotation \d+ was already deleted/);
    assert.throws(() => bench.deleteAnnotation({ id: arrow.id, reason: '' }), /reason: expected some text/);
    // the database itself refuses an edit or a removal, whoever writes
    assert.throws(
      () => store.write(() => store.db.prepare('UPDATE bench_annotations SET text = ? WHERE id = ?').run('edited', note.id)),
      /annotations and notes are never changed/,
    );
    assert.throws(() => store.write(() => store.db.prepare('DELETE FROM bench_annotations WHERE id = ?').run(note.id)), /never deleted/);
    assert.throws(
      () => store.write(() => store.db.prepare(`UPDATE bench_annotations SET deleted_at = 'x', deleted_reason = 'y' WHERE id = ?`).run(arrow.id)),
      /stays deleted/,
    );
  });

  it('the chain and every bench row verify; the schema still matches the migrations at open', () => {
    const r = verifyStore(store, { objects: false });
    assert.deepEqual(r.problems, []);
    assert.ok((r.rowBindings.checked.bench_measurements ?? 0) >= 3);
    assert.ok((r.rowBindings.checked.bench_annotations ?? 0) >= 2);
    assert.equal(r.rowBindings.checked.bench_alignments, 1);
  });

  it("a measurement, an annotation or an alignment edited or inserted behind the app's back is named, and the report refuses the case", async () => {
    store.close();
    const copy = path.join(root, 'tampered');
    fs.cpSync(dir, copy, { recursive: true });
    store = openStore(dir);
    bench = new BenchRepository(store);
    const raw = new Database(path.join(copy, 'countersign.db'));
    raw.exec('DROP TRIGGER bench_measurements_no_update; DROP TRIGGER bench_annotations_no_update');
    const mid = raw.prepare(`SELECT min(id) FROM bench_measurements WHERE kind = 'length'`).pluck().get() as number;
    raw.prepare('UPDATE bench_measurements SET value = value * 1.1 WHERE id = ?').run(mid);
    const nid = raw.prepare(`SELECT id FROM bench_annotations WHERE kind = 'note'`).pluck().get() as number;
    raw.prepare(`UPDATE bench_annotations SET text = 'No hesitation.' WHERE id = ?`).run(nid);
    raw
      .prepare(
        `INSERT INTO bench_alignments (case_id, questioned_signature_id, reference_signature_id, dx_mm, dy_mm, rotation_deg, scale, questioned_dpi, reference_dpi, created_at)
      SELECT case_id, questioned_signature_id, reference_signature_id, 0, 0, 0, 1, 150, 150, created_at FROM bench_alignments LIMIT 1`,
      )
      .run();
    raw.close();
    const found = problems(copy).join('\n');
    assert.match(found, new RegExp(`^bench measurement ${mid} \\(case ${fx.caseId}\\): changed after audit row #\\d+ recorded it$`, 'm'));
    assert.match(found, new RegExp(`^bench annotation ${nid} \\(case ${fx.caseId}\\): changed after audit row`, 'm'));
    assert.match(found, /^bench alignment \d+ \(case \d+\): no audit row recorded it: it was written outside Countersign$/m);
    const s = openStore(copy);
    try {
      await assert.rejects(
        buildCaseReport(s, fx.caseId),
        (e: { code?: string; message?: string }) =>
          e.code === 'INTEGRITY' &&
          /its data does not match its audit chain: bench (alignment|measurement|annotation) \d+ .*\(and 2 more problems\)/.test(e.message!),
      );
      // and a later deletion of the edited row is refused instead of laundering it
      assert.throws(
        () => new BenchRepository(s).deleteMeasurement({ id: mid, reason: 'tidy up' }),
        /bench_measurements row \d+ was changed outside Countersign/,
      );
    } finally {
      s.close();
    }
  });

  it('an archived case accepts no bench records', async () => {
    store.cases.archive(fx.caseId);
    await rejects(bench.createAnnotation({ kind: 'note', signatureId: fx.questioned[0]!.signatureId, text: 'late' }), 'CONFLICT', /archived/);
  });
});
