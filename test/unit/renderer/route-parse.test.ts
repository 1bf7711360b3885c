import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSegments } from '../../../src-renderer/src/lib/route-parse.ts';

describe('hash route parsing (issue 15, item 11)', () => {
  it('decodes well-formed segments', () => {
    assert.deepEqual(hashSegments('#/cases/12/documents/40'), ['cases', '12', 'documents', '40']);
    assert.deepEqual(hashSegments('#cases//%C3%A9t%C3%A9/'), ['cases', 'été']);
    assert.deepEqual(hashSegments(''), []);
  });

  it('never throws on a malformed hash: a bad segment stays as typed (and names nothing)', () => {
    assert.deepEqual(hashSegments('#/cases/%E0%A4%A'), ['cases', '%E0%A4%A']);
    assert.deepEqual(hashSegments('#/%/%%/%ZZ/ok%20'), ['%', '%%', '%ZZ', 'ok ']);
    for (const hash of ['#/%', '#/cases/%E0%A4%A/documents/%', '#/\uD800', '#/' + '%'.repeat(10_000)]) {
      assert.doesNotThrow(() => hashSegments(hash), hash.slice(0, 40));
    }
  });
});
