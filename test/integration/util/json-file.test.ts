// JSON read from disk is checked by a zod schema (core/util/json-file.ts): a malformed file is an
// AppError naming the file and the field, never a TypeError later. Also the demo's truth.json.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { runDemo } from '../../../src-main/core/demo.ts';
import type { Store } from '../../../src-main/core/store/index.ts';
import { checkJson, readJsonFile } from '../../../src-main/core/util/json-file.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-json-file-');
const schema = z.object({ a: z.object({ b: z.array(z.number()) }) });

describe('readJsonFile', () => {
  it('names the file and the path of the first wrong field', () => {
    const file = path.join(root, 'x.json');
    writeFileSync(file, '{ "a": { "b": [1, "two"] } }');
    assert.throws(
      () => readJsonFile(schema, file),
      (e: Error & { code?: string; details?: Record<string, unknown> }) => {
        assert.equal(e.code, 'INTEGRITY');
        assert.match(e.message, new RegExp(`^${file}: a\\.b\\.1: .*expected number`));
        assert.deepEqual(e.details, { file, field: 'a.b.1' });
        return true;
      },
    );
    assert.throws(() => checkJson(schema, [], 'here', 'IO'), { code: 'IO', message: /^here: \(root\): / });
  });

  it('invalid JSON and a missing file are AppErrors naming the file', () => {
    const file = path.join(root, 'bad.json');
    writeFileSync(file, '{ "a": ');
    assert.throws(() => readJsonFile(schema, file), { code: 'INTEGRITY', message: new RegExp(`^${file}: not valid JSON`) });
    assert.throws(() => readJsonFile(schema, path.join(root, 'none.json')), { code: 'IO', message: /none\.json: cannot be read/ });
  });
});

describe('demo truth.json', () => {
  it('a damaged truth.json in the demo folder is refused naming it, before anything is imported', async () => {
    const out = path.join(root, 'demo');
    mkdirSync(path.join(out, 'case'), { recursive: true });
    const file = path.join(out, 'case', 'truth.json');
    writeFileSync(file, JSON.stringify({ 'questioned/a/q01.png': { subject: 'a', genuine: 'yes' } }));
    // The store is never reached: the truth is read first.
    const store = new Proxy({} as Store, { get: () => assert.fail('the store was used') });
    await assert.rejects(runDemo(store, { out }), { code: 'INTEGRITY', message: new RegExp(`^${file}: questioned/a/q01\\.png\\.genuine: `) });
  });
});
