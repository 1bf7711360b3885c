// `countersign models import` is all or nothing: a clash leaves nothing behind and says what it clashes with.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { modelIdentity } from '../../../src-main/core/model/registry/identity.ts';
import { exportModel } from '../../../src-main/core/model/registry/registry.ts';
import { writeTarFile } from '../../../src-main/core/util/tar.ts';
import { saveTinyModel } from '../../helpers/verify-fixture.ts';
import { cli, lastJson, tempDir } from '../../helpers/cli.ts';

describe('models import', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const data = path.join(tmp.dir, 'data');

  it('imports a bundle with an audit row; a bundle whose name and version clash is refused with nothing left behind', async () => {
    const src = path.join(tmp.dir, 'src');
    const m = await saveTinyModel(src);
    const good = (await exportModel(src, m.id, path.join(tmp.dir, 'good.tar'))).file;
    const imported = cli(['--data-dir', data, 'models', 'import', good, '--json']);
    assert.equal(imported.status, 0, imported.stderr);
    assert.equal(lastJson<{ identity: string }>(imported).identity, m.identitySha256);

    // The same name and version under another id.
    const meta = JSON.parse(readFileSync(path.join(src, 'models', m.id, 'metadata.json'), 'utf8'));
    meta.id = 'copy-of-tiny-v1';
    meta.identitySha256 = modelIdentity(meta);
    const clash = path.join(tmp.dir, 'clash.tar');
    await writeTarFile(clash, [
      { name: 'copy-of-tiny-v1/metadata.json', data: Buffer.from(JSON.stringify(meta)) },
      { name: 'copy-of-tiny-v1/weights.bin', data: readFileSync(path.join(src, 'models', m.id, 'weights.bin')) },
    ]);
    const refused = cli(['--data-dir', data, 'models', 'import', clash]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`'${meta.name}' version ${meta.version} is already registered as '${m.id}'`));
    assert.doesNotMatch(refused.stderr, /UNIQUE|SQLITE/);
    const list = lastJson<{ id: string }[]>(cli(['--data-dir', data, 'models', 'list', '--json']));
    assert.deepEqual(
      list.map((x) => x.id),
      [m.id],
    );
    const audit = lastJson<{ action: string }[]>(cli(['--data-dir', data, 'audit', 'show', '--json']));
    assert.equal(audit.filter((a) => a.action === 'model.import').length, 1);
    assert.equal(cli(['--data-dir', data, 'audit', 'verify']).status, 0);
  });
});
