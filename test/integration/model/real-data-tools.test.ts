// The tools around real data: weighted sources and their errors, `prepare`'s network inputs and
// ink check, the pixel baseline, and scan augmentation.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { evaluatePixels } from '../../../src-main/core/model/evaluate.ts';
import { oneNumberEer, prepareDataset } from '../../../src-main/core/model/prepare.ts';
import { augment } from '../../../src-main/core/model/training/augment.ts';
import { parseDataSource, readSources } from '../../../src-main/core/model/training/sources.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'cs-real-tools-'));
after(() => rmSync(root, { recursive: true, force: true }));
const data = path.join(root, 'data');
before(async () => {
  await generateDataset(data, { writers: 4, genuine: 4, forged: 2, seed: 'real-tools', dpi: 120 });
});

/** A manifest of the generated data restricted to some rows. */
function manifestOf(name: string, keep: (writer: string, label: string) => boolean): string {
  const lines = readFileSync(path.join(data, 'manifest.csv'), 'utf8').trim().split('\n');
  const rows = lines.slice(1).filter((l) => {
    const [, writer, label] = l.split(',');
    return keep(writer!, label!);
  });
  const file = path.join(data, `${name}.csv`);
  writeFileSync(file, [lines[0], ...rows].join('\n') + '\n');
  return file;
}

describe('training data sources', () => {
  it('parses path@weight and refuses a bad weight, naming the spec', () => {
    assert.deepEqual(parseDataSource('a/b.csv@0.5'), { path: 'a/b.csv', weight: 0.5 });
    assert.deepEqual(parseDataSource('a/b'), { path: 'a/b', weight: 1 });
    assert.throws(() => parseDataSource('@2'), /'@2': no path/);
  });

  it('qualifies writers by source when mixing, and refuses one writer or a first source without forgeries', () => {
    const all = path.join(data, 'manifest.csv');
    const mixed = readSources([
      { path: all, weight: 1 },
      { path: all, weight: 0.5 },
    ]);
    assert.equal(mixed.writersBySource.length, 2);
    assert.ok(
      mixed.writersBySource[1]!.every((w) => w.startsWith('manifest-2/')),
      mixed.writersBySource[1]!.join(','),
    );
    assert.deepEqual(mixed.weights, [1, 0.5]);
    const first = mixed.writersBySource[0]![0]!.split('/')[1]!;
    const one = manifestOf('one-writer', (w) => w === first);
    assert.throws(
      () => readSources([{ path: one, weight: 1 }]),
      (e: Error) => e.message.includes(one) && /at least 2 writers/.test(e.message),
    );
    const noForged = manifestOf('no-forged', (_w, l) => l === 'genuine');
    assert.throws(
      () => readSources([{ path: noForged, weight: 1 }]),
      (e: Error) => e.message.includes(noForged) && /no forged signatures/.test(e.message),
    );
    assert.doesNotThrow(
      () =>
        readSources([
          { path: all, weight: 1 },
          { path: noForged, weight: 1 },
        ]),
      'later sources may lack forgeries',
    );
    assert.throws(() => readSources([{ path: all, weight: 0 }]), /every source has weight 0/);
  });

  it('an unreadable image is named when its inputs are prepared', async () => {
    const bad = path.join(data, 'bad');
    mkdirSync(path.join(bad, 'w1', 'genuine'), { recursive: true });
    mkdirSync(path.join(bad, 'w2', 'genuine'), { recursive: true });
    writeFileSync(path.join(bad, 'w1', 'genuine', 'a.png'), 'not a png');
    writeFileSync(path.join(bad, 'w2', 'genuine', 'b.png'), 'not a png');
    await assert.rejects(prepareDataset({ data: bad, out: path.join(root, 'bad-out') }), /a\.png|b\.png/);
  });
});

describe('countersign prepare', () => {
  it('writes the network inputs as 8-bit PNGs with a manifest, and the ink check', async () => {
    const out = path.join(root, 'prepared');
    const r = await prepareDataset({ data, out, version: 2 });
    const lines = readFileSync(r.manifest, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'path,writer,label');
    assert.equal(lines.length - 1, 4 * 6);
    const [rel] = lines[1]!.split(',');
    const meta = await sharp(path.join(out, rel!)).metadata();
    assert.deepEqual([meta.height, meta.width, meta.channels], [...r.canvas, 1]);
    const { data: px } = await sharp(path.join(out, rel!)).raw().toBuffer({ resolveWithObject: true });
    assert.ok(px.some((v) => v === 0) && px.some((v) => v > 200), 'background 0, ink bright');
    assert.ok(r.inkCheck && r.inkCheck.eer >= 0 && r.inkCheck.eer <= 0.5);
    await assert.rejects(prepareDataset({ data, out: data }), /the data folder itself/);
  });

  it('the ink check reads 0 for a number that separates the groups and about 0.5 for one that does not', () => {
    assert.equal(oneNumberEer([10, 11, 12], [50, 51, 52]), 0);
    assert.equal(oneNumberEer([50, 51, 52], [10, 11, 12]), 0, 'either direction');
    assert.ok(oneNumberEer([1, 2, 3, 4], [1, 2, 3, 4]) >= 0.4);
  });
});

describe('pixel baseline and augmentation', () => {
  it('evaluates without a model, with 5 and with 1 reference', async () => {
    const five = await evaluatePixels({ data, references: 3, seed: 1 });
    assert.equal(five.baseline, 'pixels');
    assert.equal(five.counts.writers, 4);
    assert.ok(five.eer >= 0 && five.eer <= 1 && five.cllr === null);
    const one = await evaluatePixels({ data, references: 1, seed: 1 });
    assert.equal(one.references, 1);
    assert.ok(one.counts.genuine > five.counts.genuine, 'one reference leaves more genuine questioned');
  });

  it('scan augmentation moves ink but keeps its amount roughly and its values in range', () => {
    const h = 40;
    const w = 60;
    const img = new Float32Array(h * w);
    for (let y = 15; y < 25; y++) for (let x = 10; x < 50; x++) img[y * w + x] = 1;
    const out = augment(img, h, w, new Rng(7), 'scan');
    assert.notDeepEqual(Array.from(out), Array.from(img));
    assert.ok(out.every((v) => v >= 0 && v <= 1));
    const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    assert.ok(sum(out) > 0.3 * sum(img) && sum(out) < 3 * sum(img), `${sum(out)} vs ${sum(img)}`);
    assert.deepEqual(Array.from(augment(img, h, w, new Rng(7), 'none')), Array.from(img), "'none' leaves the input as it is");
  });
});
