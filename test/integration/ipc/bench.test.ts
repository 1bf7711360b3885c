// bench.* through the dispatcher (argument validation, errors as values) over a real store.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { verifyStore } from '../../../src-main/core/store/index.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { verifyCase } from '../../../src-main/core/verify/verify-case.ts';
import { contractHarness } from '../../helpers/ipc.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';

const { app, dataDir, ok, fails } = contractHarness('cs-ipc-bench-');
let fx: VerifiableCase;

describe('bench methods', () => {
  before(async () => {
    const m = await saveTinyModel(dataDir);
    setActiveModel(dataDir, m.id);
    fx = await seedVerifiableCase(app.store, { subjects: 1, known: 2, questioned: 1 });
    await verifyCase(app.store, fx.caseId, { workers: 1 });
  });

  it('measurements: create computes the value, list and delete (with a reason) round-trip', async () => {
    const q = fx.questioned[0]!.signatureId;
    const m = await ok('bench.measurements.create', {
      signatureId: q,
      kind: 'length',
      points: [
        [0, 10],
        [59.055, 10],
      ],
      dpi: 150,
      label: 'loop',
    });
    assert.equal(m.unit, 'mm');
    assert.ok(Math.abs(m.value - 10) < 0.01);
    const h = await ok('bench.measurements.create', {
      signatureId: q,
      kind: 'height_ratio',
      points: [
        [5, 5],
        [5, 45],
        [20, 25],
        [20, 45],
      ],
    });
    assert.deepEqual([h.value, h.unit, h.dpi], [2, 'ratio', null]);
    assert.deepEqual(
      (await ok('bench.measurements.list', { caseId: fx.caseId })).map((x) => x.id),
      [m.id, h.id],
    );
    const d = await ok('bench.measurements.delete', { id: h.id, reason: 'measured the wrong letter' });
    assert.equal(d.deletedReason, 'measured the wrong letter');
    assert.deepEqual(
      (await ok('bench.measurements.list', { signatureId: q })).map((x) => x.id),
      [m.id],
    );
    assert.equal((await ok('bench.measurements.list', { signatureId: q, includeDeleted: true })).length, 2);
  });

  it('annotations and alignments round-trip; the audit chain and bindings verify', async () => {
    const q = fx.questioned[0]!.signatureId;
    const k = fx.known[1]!.signatureId;
    const c = await ok('bench.annotations.create', { kind: 'circle', signatureId: k, center: [30, 20], radius: 12, text: 'blunt start' });
    assert.deepEqual(c.geometry, { center: [30, 20], radius: 12 });
    await ok('bench.annotations.create', { kind: 'note', signatureId: q, text: 'Tremor throughout.' });
    assert.equal((await ok('bench.annotations.list', { caseId: fx.caseId })).length, 2);
    const fit = await ok('bench.autoAlign', { questionedSignatureId: q, referenceSignatureId: k, questionedDpi: 150, referenceDpi: 150 });
    const a = await ok('bench.alignments.create', {
      questionedSignatureId: q,
      referenceSignatureId: k,
      dxMm: fit.dxMm,
      dyMm: fit.dyMm,
      rotationDeg: fit.rotationDeg,
      scale: fit.scale,
      questionedDpi: 150,
      referenceDpi: 150,
    });
    assert.equal(a.autoFit, null);
    assert.deepEqual(
      (await ok('bench.alignments.list', { questionedSignatureId: q })).map((x) => x.id),
      [a.id],
    );
    await ok('bench.alignments.delete', { id: a.id, reason: 'redone' });
    assert.deepEqual(await ok('bench.alignments.list', { caseId: fx.caseId }), []);
    const actions = app.store.audit
      .list({ caseId: fx.caseId })
      .map((r) => r.action)
      .filter((x) => x.startsWith('bench.'));
    assert.deepEqual(actions, ['bench.measure', 'bench.measure', 'bench.delete', 'bench.annotate', 'bench.note', 'bench.align', 'bench.delete']);
    assert.deepEqual(verifyStore(app.store, { objects: false }).problems, []);
  });

  it('errors are values that name the field', async () => {
    const q = fx.questioned[0]!.signatureId;
    await fails(
      'bench.measurements.create',
      {
        signatureId: q,
        kind: 'length',
        points: [
          [0, 0],
          ['a', 1],
        ],
      },
      'INVALID_ARGUMENT',
      /^bench\.measurements\.create: points\.1\.0: /,
    );
    await fails(
      'bench.measurements.create',
      {
        signatureId: q,
        kind: 'length',
        points: [
          [0, 0],
          [20, 0],
        ],
      },
      'INVALID_ARGUMENT',
      /^dpi: a length in mm needs the DPI/,
    );
    await fails('bench.annotations.create', { kind: 'star', signatureId: q }, 'INVALID_ARGUMENT', /kind/);
    await fails('bench.annotations.create', { kind: 'text', signatureId: q, at: [1, 1] }, 'INVALID_ARGUMENT', /text/);
    await fails('bench.measurements.list', {}, 'INVALID_ARGUMENT', /caseId: give caseId or signatureId/);
    await fails('bench.annotations.delete', { id: 424242, reason: 'x' }, 'NOT_FOUND', /^id: no annotation 424242/);
    await fails(
      'bench.alignments.create',
      { questionedSignatureId: q, referenceSignatureId: fx.known[0]!.signatureId, dxMm: 0, dyMm: 0, rotationDeg: 0, scale: 0 },
      'INVALID_ARGUMENT',
      /scale/,
    );
  });
});
