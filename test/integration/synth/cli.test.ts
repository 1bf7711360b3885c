import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { ROOT, cli, lastJson, tempDir } from '../../helpers/cli.ts';

/** Relative path -> SHA-256 of every file under dir. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const full = path.join(dir, f);
    if (statSync(full).isFile()) out[f.split(path.sep).join('/')] = createHash('sha256').update(readFileSync(full)).digest('hex');
  }
  return out;
}

describe('countersign synth', () => {
  const tmp = tempDir('countersign-synth-');
  after(() => tmp.cleanup());

  it('synth dataset: the same seed gives byte-identical folders across processes', () => {
    const run = (name: string, seed: string) => {
      const out = path.join(tmp.dir, name);
      const r = cli(['synth', 'dataset', out, '--writers', '2', '--genuine', '2', '--forged', '1', '--seed', seed, '--dpi', '120', '--json']);
      assert.equal(r.status, 0, r.stderr);
      const s = lastJson<{ ok: boolean; images: number; genuine: number; forged: number; manifest: string }>(r);
      assert.deepEqual([s.ok, s.images, s.genuine, s.forged], [true, 6, 4, 2]);
      assert.equal(s.manifest, path.join(out, 'manifest.csv'));
      return tree(out);
    };
    const a = run('a', '9');
    const b = run('b', '9');
    assert.equal(Object.keys(a).length, 7);
    assert.deepEqual(a, b);
    assert.equal(new Set(Object.values(a)).size, 7, 'every file differs from the others');
  });

  it('synth case: import layout, truth.json and a human summary', () => {
    const out = path.join(tmp.dir, 'case');
    const r = cli(['synth', 'case', out, '--subjects', '2', '--known', '2', '--questioned', '2', '--seed', '3']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 subjects: 4 known, 4 questioned \(2 genuine, 2 forged\)/);
    const truth = JSON.parse(readFileSync(path.join(out, 'truth.json'), 'utf8')) as Record<string, { subject: string; genuine: boolean; box: number[] }>;
    assert.equal(Object.keys(truth).length, 4);
    for (const [file, t] of Object.entries(truth)) {
      assert.match(file, /^questioned\/[a-z0-9-]+\/q\d\d\.(png|jpg|tif)$/);
      assert.ok(readdirSync(path.join(out, 'known', t.subject)).length === 2, `known/${t.subject}`);
      assert.equal(t.box.length, 4);
    }
  });

  it('synth preview writes the contact sheet to test-artifacts', async () => {
    const dir = path.join(ROOT, 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'synth-preview.png');
    const r = cli(['synth', 'preview', file, '--seed', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const meta = await sharp(file).metadata();
    assert.equal(meta.format, 'png');
    assert.ok(meta.width! >= 1800 && meta.height! >= 700, `${meta.width}x${meta.height}`);
    assert.equal(lastJson<{ file: string }>(r).file, file);
  });

  it('refuses to write into a non-empty folder', () => {
    const again = cli(['synth', 'case', path.join(tmp.dir, 'case'), '--subjects', '1', '--known', '1', '--questioned', '1', '--json']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists and is not empty/);
    assert.equal(lastJson<{ error: { code: string } }>(again).error.code, 'CONFLICT');
  });
});
