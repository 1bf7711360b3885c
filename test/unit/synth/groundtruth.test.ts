import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWriter, rasteriseCheque } from '../../../src-main/core/synth/index.ts';

/** Pixels that change when the signature is drawn: its ink, as the file shows it. */
function inkMask(withSig: Uint8Array, without: Uint8Array): Uint8Array {
  const n = withSig.length / 3;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs((withSig[i * 3 + c] as number) - (without[i * 3 + c] as number)));
    mask[i] = d > 6 ? 1 : 0;
  }
  return mask;
}

describe('cheque ground truth', () => {
  it('the signature box holds at least 98% of the signature ink, and only the signature zone', () => {
    let checked = 0;
    for (let w = 0; w < 6; w++) {
      const writer = createWriter(77, `w${w}`);
      for (const kind of ['genuine', 'skilled'] as const) {
        const opts = { kind, sampleIndex: w, dpi: 120 };
        const a = rasteriseCheque(writer, opts);
        const b = rasteriseCheque(writer, { ...opts, omitSignature: true });
        assert.deepEqual(a.box, b.box, 'the box must not depend on whether the signature is drawn');
        const mask = inkMask(a.pixels, b.pixels);
        const [bx, by, bw, bh] = a.box;
        let total = 0;
        let inside = 0;
        for (let y = 0; y < a.height; y++) {
          for (let x = 0; x < a.width; x++) {
            if (!mask[y * a.width + x]) continue;
            total++;
            if (x >= bx && x < bx + bw && y >= by && y < by + bh) inside++;
          }
        }
        assert.ok(total > 300, `${writer.id} ${kind}: only ${total} signature pixels`);
        assert.ok(inside / total >= 0.98, `${writer.id} ${kind}: box holds ${((100 * inside) / total).toFixed(1)}% of the ink`);
        // Tight: the box is not much larger than the ink it holds, and sits in the signature zone.
        assert.ok(bw * bh < 0.2 * a.width * a.height, `${writer.id} ${kind}: box ${a.box} is too large`);
        assert.ok(bx > a.width * 0.4 && by > a.height * 0.35, `${writer.id} ${kind}: box ${a.box} is outside the signature zone`);
        checked++;
      }
    }
    assert.equal(checked, 12);
  });
});
