// `countersign library enrol --writers FOLDER` and `--case C` (every writer at once, the same core
// function as the app's enrolment) as a user runs them: a child process, real images, a tiny model.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { cli, lastJson, tempDir } from '../../helpers/cli.ts';
import { saveTinyModel, seedVerifiableCase } from '../../helpers/verify-fixture.ts';

describe('countersign library enrol --writers / --case', () => {
  const tmp = tempDir('countersign-enrol-writers-');
  const home = path.join(tmp.dir, 'home');
  const images = path.join(tmp.dir, 'images');
  const run = (...args: string[]) => cli(['--data-dir', home, ...args]);
  after(() => tmp.cleanup());

  before(async () => {
    await generateDataset(images, { writers: 2, genuine: 2, forged: 1, seed: 9 });
    rmSync(path.join(images, 'manifest.csv'));
    writeFileSync(path.join(images, 'w0001', 'genuine', 'torn.png'), 'no image here');
    setActiveModel(home, (await saveTinyModel(home)).id);
    const store = openStore(home);
    try {
      await seedVerifiableCase(store, { name: 'Estate', subjects: 2, known: 2, questioned: 1 });
    } finally {
      store.close();
    }
  });

  it('enrols every writer of a folder, naming the failed file, and every subject of a case', () => {
    const r = run('library', 'enrol', '--writers', images);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 of 2 writers enrolled, 4 signatures enrolled, 0 already in the library, 1 file failed/);
    assert.match(r.stdout, /failed file {2}w0001\/genuine\/torn\.png: torn\.png: /);
    assert.match(r.stdout, /2 forged signatures left out/);
    const c = run('library', 'enrol', '--case', 'Estate', '--json');
    assert.equal(c.status, 0, c.stderr);
    const out = lastJson<{ source: { kind: string }; totals: { writersEnrolled: number; enrolled: number } }>(c);
    assert.deepEqual([out.source.kind, out.totals.writersEnrolled, out.totals.enrolled], ['case', 2, 4]);
    const list = run('library', 'list', '--json');
    assert.equal(lastJson<{ subjects: unknown[] }>(list).subjects.length, 4);
  });

  it('refuses a folder without writer folders, and a name with --writers', () => {
    const loose = run('library', 'enrol', '--writers', path.join(images, 'w0002', 'genuine'));
    assert.equal(loose.status, 1);
    assert.match(loose.stderr, /folder: .*holds images but no writer folders/);
    const both = run('library', 'enrol', 'Somebody', '--writers', images);
    assert.equal(both.status, 2, 'a name with --writers is a usage error');
    assert.match(both.stderr, /give no name or files/);
  });
});
