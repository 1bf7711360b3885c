import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { generateCase, generateDataset, type CaseTruth } from '../../../src-main/core/synth/index.ts';

const tmp: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'cs-synth-'));
  tmp.push(d);
  return d;
}
after(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

describe('generateDataset', () => {
  it('writes every image listed in manifest.csv, balanced per writer', async () => {
    const dir = path.join(await tempDir(), 'ds');
    const progress: number[] = [];
    const r = await generateDataset(dir, { writers: 3, genuine: 3, forged: 2, seed: 5, dpi: 120 }, (done) => progress.push(done));
    assert.deepEqual([r.writers, r.genuine, r.forged, r.images], [3, 9, 6, 15]);
    assert.deepEqual(
      progress,
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    const lines = (await readFile(path.join(dir, 'manifest.csv'), 'utf8')).trimEnd().split('\n');
    assert.equal(lines[0], 'path,writer,label');
    const rows = lines.slice(1).map((l) => l.split(','));
    assert.equal(rows.length, 15);
    for (const w of ['w0001', 'w0002', 'w0003']) {
      assert.equal(rows.filter((r) => r[1] === w && r[2] === 'genuine').length, 3, `${w} genuine`);
      assert.equal(rows.filter((r) => r[1] === w && r[2] === 'forged').length, 2, `${w} forged`);
    }
    for (const [p, w] of rows) {
      assert.ok(!path.isAbsolute(p!) && p!.startsWith(`${w}/`), `path ${p} should be relative and under its writer`);
      const meta = await sharp(path.join(dir, p!)).metadata();
      assert.equal(meta.format, 'png');
      assert.ok(meta.width! > 100 && meta.height! > 40, `${p}: ${meta.width}x${meta.height}`);
    }
  });

  it('refuses a non-empty folder and accepts forged = 0', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'keep.txt'), 'x');
    await assert.rejects(generateDataset(dir, { writers: 1, genuine: 1, forged: 0 }), (e: Error & { code?: string }) => e.code === 'CONFLICT');
    const r = await generateDataset(path.join(dir, 'new'), { writers: 1, genuine: 2, forged: 0, dpi: 100 });
    assert.equal(r.forged, 0);
    await assert.rejects(generateDataset(path.join(dir, 'bad'), { writers: 0, genuine: 1, forged: 0 }), /writers: expected an integer/);
  });

  it('stops at the next image when cancelled', async () => {
    const dir = path.join(await tempDir(), 'ds');
    const ac = new AbortController();
    await assert.rejects(
      generateDataset(dir, { writers: 2, genuine: 5, forged: 5, dpi: 100 }, { signal: ac.signal, onProgress: (d) => d === 2 && ac.abort() }),
      (e: Error & { code?: string }) => e.code === 'CANCELLED',
    );
    const written = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.png'));
    assert.ok(written.length < 20, `${written.length} images written after cancelling`);
  });
});

describe('generateCase', () => {
  it('writes the import layout and a truth entry for every questioned file', async () => {
    const dir = path.join(await tempDir(), 'case');
    const r = await generateCase(dir, { subjects: 2, known: 3, questioned: 3, seed: 11 });
    assert.equal(r.subjects.length, 2);
    assert.equal(r.known, 6);
    assert.equal(r.questioned, 6);
    const truth = JSON.parse(await readFile(path.join(dir, 'truth.json'), 'utf8')) as CaseTruth;
    const questioned = (await readdir(path.join(dir, 'questioned'), { recursive: true }))
      .filter((f) => /\.(png|jpg|tif)$/.test(f))
      .map((f) => `questioned/${f}`);
    assert.deepEqual(Object.keys(truth).sort(), questioned.sort());
    for (const s of r.subjects) {
      const known = await readdir(path.join(dir, 'known', s.id));
      assert.equal(known.length, 3, `${s.id} known`);
      const mine = Object.entries(truth).filter(([, t]) => t.subject === s.id);
      assert.equal(mine.length, 3);
      const genuine = mine.filter(([, t]) => t.genuine).length;
      assert.ok(genuine === 1 || genuine === 2, `${s.id}: ${genuine} of 3 genuine`);
      for (const [file] of mine) assert.ok(file.startsWith(`questioned/${s.id}/`), file);
    }
    for (const [file, t] of Object.entries(truth)) {
      const meta = await sharp(path.join(dir, file)).metadata();
      const [x, y, w, h] = t.box;
      assert.ok(x >= 0 && y >= 0 && w > 20 && h > 10 && x + w <= meta.width! && y + h <= meta.height!, `${file}: box ${t.box} in ${meta.width}x${meta.height}`);
      assert.ok((await stat(path.join(dir, file))).size > 10000);
    }
    assert.equal(r.genuine + r.forged, 6);
    for (const [file, t] of Object.entries(truth)) {
      if (t.genuine) assert.equal(t.hand, t.subject, `${file}: a genuine signature is the subject's hand`);
      else assert.match(t.hand, new RegExp(`^${t.subject}/forger-[1-4]$`), `${file}: the subject's own forger`);
    }
  });

  it('--series: each series forger forges one subject at least three times; the rest are genuine', async () => {
    const dir = path.join(await tempDir(), 'series');
    const r = await generateCase(dir, { subjects: 2, known: 2, questioned: 2, series: 3, seed: 12 });
    const truth = JSON.parse(await readFile(path.join(dir, 'truth.json'), 'utf8')) as CaseTruth;
    const byHand = new Map<string, { subject: string; genuine: boolean }[]>();
    for (const t of Object.values(truth)) byHand.set(t.hand, [...(byHand.get(t.hand) ?? []), t]);
    assert.deepEqual([...byHand.keys()].sort(), ['forger-1', 'forger-2', 'forger-3', ...r.subjects.map((s) => s.id)].sort());
    // Round robin: forgers 1 and 3 forge the first subject, forger 2 the second.
    const target = (f: string) => [...new Set(byHand.get(f)!.map((t) => t.subject))];
    assert.deepEqual(target('forger-1'), [r.subjects[0]!.id]);
    assert.deepEqual(target('forger-2'), [r.subjects[1]!.id]);
    assert.deepEqual(target('forger-3'), [r.subjects[0]!.id]);
    for (const f of ['forger-1', 'forger-2', 'forger-3']) {
      assert.equal(byHand.get(f)!.length, 3, `${f} forges three times`);
      assert.ok(byHand.get(f)!.every((t) => !t.genuine));
    }
    for (const s of r.subjects) assert.equal(byHand.get(s.id)!.length, 1, `${s.id}: ceil(2 / 2) genuine`);
    assert.equal(r.forged, 9);
    // The same options give the same files.
    const again = path.join(await tempDir(), 'series');
    await generateCase(again, { subjects: 2, known: 2, questioned: 2, series: 3, seed: 12 });
    const first = Object.keys(truth)[0]!;
    assert.deepEqual(await readFile(path.join(again, first)), await readFile(path.join(dir, first)));
  });
});
