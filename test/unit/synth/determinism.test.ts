import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createWriter, renderCheque, renderSignature } from '../../../src-main/core/synth/index.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('synth determinism', () => {
  it('the same seed and id give the same writer; another seed gives another', () => {
    const a = createWriter(42, 'w0001');
    const b = createWriter(42, 'w0001');
    const c = createWriter(43, 'w0001');
    assert.deepEqual(a, b);
    assert.notEqual(a.name + JSON.stringify(a.plan), c.name + JSON.stringify(c.plan));
  });

  it('renders byte-identical signature files for the same seed, different ones otherwise', async () => {
    const w = createWriter(42, 'w0001');
    for (const kind of ['genuine', 'skilled'] as const) {
      const a = await renderSignature(w, { kind, sampleIndex: 3 });
      const b = await renderSignature(createWriter(42, 'w0001'), { kind, sampleIndex: 3 });
      assert.equal(sha(a.data), sha(b.data), `${kind} sample differs between two renders`);
      assert.deepEqual(a.inkBox, b.inkBox);
    }
    const g3 = await renderSignature(w, { sampleIndex: 3 });
    const g4 = await renderSignature(w, { sampleIndex: 4 });
    const other = await renderSignature(createWriter(43, 'w0001'), { sampleIndex: 3 });
    assert.notEqual(sha(g3.data), sha(g4.data));
    assert.notEqual(sha(g3.data), sha(other.data));
  });

  it('renders byte-identical cheques (PNG, JPEG, TIFF) for the same seed', async () => {
    const w = createWriter('case-seed', 'w0002');
    for (const format of ['png', 'jpeg', 'tiff'] as const) {
      const a = await renderCheque(w, { kind: 'skilled', sampleIndex: 1, format, dpi: 100 });
      const b = await renderCheque(createWriter('case-seed', 'w0002'), { kind: 'skilled', sampleIndex: 1, format, dpi: 100 });
      assert.equal(sha(a.data), sha(b.data), `${format} cheque differs between two renders`);
      assert.deepEqual(a.box, b.box);
    }
    const c0 = await renderCheque(w, { sampleIndex: 0, dpi: 100 });
    const c1 = await renderCheque(w, { sampleIndex: 1, dpi: 100 });
    assert.notEqual(sha(c0.data), sha(c1.data));
  });

  it('a cheque does not depend on what was rendered before it', async () => {
    const w = createWriter(5, 'w0003');
    const first = await renderCheque(w, { sampleIndex: 2, dpi: 100 });
    await renderCheque(createWriter(6, 'w0009'), { sampleIndex: 0, dpi: 100 });
    await renderSignature(w, { kind: 'skilled', sampleIndex: 0 });
    const again = await renderCheque(w, { sampleIndex: 2, dpi: 100 });
    assert.equal(sha(first.data), sha(again.data));
  });
});
