// settings.get / settings.update: defaults, ranges naming the field, audit log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { readSettings, settingsFile, updateSettings } from '../../../src-main/core/settings.ts';
import { contractHarness } from '../../helpers/ipc.ts';

const { dir, app, dispatch, ok } = contractHarness('cs-ipc-settings-');

describe('settings.*', () => {
  it('starts from the defaults and names the data directory', async () => {
    const s = await ok('settings.get', {});
    assert.deepEqual(s, { dataDir: dir, minReferences: 4, inconclusiveBand: 0.05, activeModel: null, defaults: { minReferences: 4, inconclusiveBand: 0.05 } });
  });

  it('updates within range, keeps other keys, and audit-logs old and new values', async () => {
    updateSettings(dir, { somethingElse: 'kept' });
    const s = await ok('settings.update', { minReferences: 6, inconclusiveBand: 0.1 });
    assert.equal(s.minReferences, 6);
    assert.equal(s.inconclusiveBand, 0.1);
    assert.equal(readSettings(dir).somethingElse, 'kept');
    const row = app.store.audit
      .list()
      .filter((r) => r.action === 'settings.update')
      .at(-1)!;
    assert.deepEqual(row.details, { inconclusiveBand: { old: 0.05, new: 0.1 }, minReferences: { old: 4, new: 6 } });
    const n = app.store.audit.list().length;
    await ok('settings.update', { minReferences: 6 });
    assert.equal(app.store.audit.list().length, n, 'no row when nothing changes');
  });

  it('refuses values out of range with a message naming the field; nothing written', async () => {
    for (const [args, pattern] of [
      [{ minReferences: 0 }, /^minReferences: expected a whole number from 1 to 1000, got 0$/],
      [{ minReferences: 2.5 }, /^minReferences:/],
      [{ inconclusiveBand: -0.1 }, /^inconclusiveBand: expected a distance from 0 to 10/],
      [{ inconclusiveBand: 11 }, /^inconclusiveBand:/],
    ] as const) {
      const r = await dispatch('settings.update', args);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.code, 'INVALID_ARGUMENT');
        assert.match(r.error.message, pattern);
      }
    }
    const typed = await dispatch('settings.update', { minReferences: 'five' });
    assert.equal(typed.ok, false);
    const s = await ok('settings.get', {});
    assert.deepEqual([s.minReferences, s.inconclusiveBand], [6, 0.1]);
  });

  it('falls back to the default for a hand-edited value out of range', async () => {
    updateSettings(dir, { minReferences: -3 });
    assert.equal((await ok('settings.get', {})).minReferences, 4);
  });

  it('a hand-edited value of the wrong type is refused naming settings.json and the field, not taken as unset', async () => {
    const file = settingsFile(dir);
    for (const [text, field] of [
      ['{ "activeModel": 5 }', 'activeModel'],
      ['{ "minReferences": "six" }', 'minReferences'],
      ['{ "inconclusiveBand": [0.1] }', 'inconclusiveBand'],
    ] as const) {
      writeFileSync(file, text);
      assert.throws(
        () => readSettings(dir),
        (e: Error & { code?: string }) => e.code === 'IO' && e.message.startsWith(`${file}: ${field}: `),
      );
      const r = await dispatch('settings.get', {});
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.error.message.startsWith(`${file}: ${field}: `), r.error.message);
    }
    writeFileSync(file, '{ "activeModel": null, "other": { "kept": true } }');
    assert.deepEqual(readSettings(dir), { activeModel: null, other: { kept: true } }, 'null is no choice; keys of other modules are kept as they are');
    assert.equal((await ok('settings.get', {})).activeModel, null);
  });
});
