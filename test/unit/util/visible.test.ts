import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasControls, terminalSafeJson, visible } from '../../../src-main/core/util/visible.ts';

describe('visible: control characters shown, not obeyed (issue 15, item 10)', () => {
  it('escapes C0, DEL, C1, separators and bidirectional controls; leaves other text alone', () => {
    assert.equal(visible('a\nb\rc\td'), 'a\\nb\\rc\\td');
    assert.equal(visible('\x1b[31mred\x07\x00\x7f\x85\x9b'), '\\x1b[31mred\\x07\\x00\\x7f\\x85\\x9b');
    assert.equal(visible('x\u202ey\u2066z\u2028\u200f'), 'x\\u202ey\\u2066z\\u2028\\u200f');
    for (const plain of ['Zoë Ωμέγα Жанна', '李小龍', 'राम', 'C:\\Users\\x', '😀', '']) assert.equal(visible(plain), plain);
    assert.equal(visible(visible('a\x1bb\nc')), visible('a\x1bb\nc'), 'idempotent');
  });

  it('hasControls says whether visible would change the text', () => {
    assert.equal(hasControls('a\x1bb'), true);
    assert.equal(hasControls('plain 李'), false);
  });

  it('terminalSafeJson parses back to the same value and holds no raw control character', () => {
    const value = { name: 'a\x1b[2J\nb\u0085\u202e\u2028c', list: ['\x7f'] };
    for (const space of [undefined, 2]) {
      const text = terminalSafeJson(value, space);
      assert.deepEqual(JSON.parse(text), value);
      assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202e]/.test(text), text);
    }
  });
});
