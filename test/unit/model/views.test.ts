// Test-time views (embedding/views.ts): shifting a network input, averaging per signature, and
// reading the views from a model's metadata with every malformed list refused by field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meanOfViews, testTimeViewsOf, VIEW_SETS, writeShifted } from '../../../src-main/core/model/embedding/views.ts';

const meta = (testTimeViews?: unknown) => ({ preprocessing: testTimeViews === undefined ? {} : { testTimeViews }, inputShape: [8, 12, 1] as const });

describe('test-time views', () => {
  it('shifts the input by whole pixels with background (0) moving in, channels kept together', () => {
    const [h, w, c] = [3, 4, 2];
    const x = Float32Array.from({ length: h * w * c }, (_, i) => i + 1);
    const at = (a: Float32Array, y: number, xx: number, ch: number) => a[(y * w + xx) * c + ch]!;
    const dst = new Float32Array(5 + h * w * c).fill(-1);
    writeShifted(dst, 5, x, [h, w, c], [1, -2]);
    const out = dst.subarray(5);
    assert.deepEqual([...dst.subarray(0, 5)], [-1, -1, -1, -1, -1], 'nothing before the offset is touched');
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let ch = 0; ch < c; ch++) {
          const sy = y - 1;
          const sx = xx + 2;
          const want = sy >= 0 && sx < w ? at(x, sy, sx, ch) : 0;
          assert.equal(at(out, y, xx, ch), want, `pixel ${y},${xx},${ch}`);
        }
    const same = new Float32Array(h * w * c);
    writeShifted(same, 0, x, [h, w, c], [0, 0]);
    assert.deepEqual(same, x);
    const gone = new Float32Array(h * w * c).fill(7);
    writeShifted(gone, 0, x, [h, w, c], [0, 5]);
    assert.ok(
      gone.every((v) => v === 0),
      'a shift past the edge leaves only background',
    );
  });

  it('averages each run of views into one vector per input', () => {
    const out = Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]);
    const v = meanOfViews(out, 2, 3, 2);
    assert.deepEqual(
      v.map((a) => [...a]),
      [
        [3, 4],
        [30, 40],
      ],
    );
  });

  it('reads the views of a model: absent means the input once; each malformed list is refused naming the field', () => {
    assert.deepEqual(testTimeViewsOf(meta()), [[0, 0]]);
    assert.deepEqual(
      testTimeViewsOf(
        meta([
          [0, 0],
          [1, -2],
        ]),
      ),
      [
        [0, 0],
        [1, -2],
      ],
    );
    assert.equal(VIEW_SETS.grid9.length, 9);
    assert.deepEqual(testTimeViewsOf({ preprocessing: { testTimeViews: VIEW_SETS.grid9 }, inputShape: [155, 220, 1] }), VIEW_SETS.grid9);
    const bad: [unknown, RegExp][] = [
      [[], /expected a list of 1 to 32/],
      ['grid9', /expected a list/],
      [[[0, 0], [1]], /testTimeViews\[1\]: expected \[dy, dx\]/],
      [
        [
          [0, 0],
          [0.5, 1],
        ],
        /testTimeViews\[1\]: expected \[dy, dx\]/,
      ],
      [
        [
          [0, 0],
          [3, 0],
        ],
        /testTimeViews\[1\]: the shift \[3, 0\] moves the 8 x 12 input by more than a quarter/,
      ],
      [
        [
          [0, 0],
          [1, 1],
          [1, 1],
        ],
        /testTimeViews\[2\]: \[1, 1\] is listed twice/,
      ],
      [[[1, 1]], /the unshifted view \[0, 0\] is missing/],
    ];
    for (const [views, message] of bad) {
      assert.throws(
        () => testTimeViewsOf(meta(views), 'model m'),
        (e: Error & { code?: string }) => e.code === 'INTEGRITY' && /^model m: preprocessing\.testTimeViews/.test(e.message) && message.test(e.message),
        JSON.stringify(views),
      );
    }
  });
});
