import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { AppError } from '../../../src-main/core/errors.ts';
import { decodeFile, decodePage, DEFAULT_MAX_PIXELS, probeImage, readImageBytes } from '../../../src-main/core/imaging/decode.ts';
import { sniffFormat } from '../../../src-main/core/imaging/format.ts';
import { pngHeaderOnly } from '../../helpers/import-fixtures.ts';

let dir = '';
const file = (name: string): string => path.join(dir, name);

/** A 60 x 30 RGB test card: left half black, right half white. */
async function card(): Promise<Sharp> {
  const data = Buffer.alloc(60 * 30 * 3, 255);
  for (let y = 0; y < 30; y++) for (let x = 0; x < 30; x++) data.fill(0, (y * 60 + x) * 3, (y * 60 + x) * 3 + 3);
  return sharp(data, { raw: { width: 60, height: 30, channels: 3 } });
}

/** Asserts an AppError with this code whose message names the file and matches `re`. */
async function rejects(p: Promise<unknown>, code: string, name: string, re: RegExp): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.ok(err.message.includes(name), `message should name ${name}: ${err.message}`);
    assert.match(err.message, re);
    return err;
  }
  assert.fail('expected a rejection');
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cs-decode-'));
  const c = await card();
  writeFileSync(file('card.png'), await c.clone().withMetadata({ density: 300 }).png().toBuffer());
  writeFileSync(file('card.jpg'), await c.clone().withMetadata({ density: 600 }).jpeg({ quality: 95 }).toBuffer());
  writeFileSync(file('card.webp'), await c.clone().webp({ lossless: true }).toBuffer());
  writeFileSync(file('card-rot6.jpg'), await c.clone().withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer());
  const p1 = await c.clone().png().toBuffer();
  const p2 = await c.clone().negate().png().toBuffer();
  writeFileSync(
    file('two-pages.tif'),
    await sharp([p1, p2], { join: { animated: true } })
      .tiff({ xres: 400 / 25.4, yres: 400 / 25.4 })
      .toBuffer(),
  );
  writeFileSync(file('png-named.jpg'), p1);
  writeFileSync(file('grey.png'), await c.clone().greyscale().toColourspace('b-w').png().toBuffer());
  writeFileSync(
    file('alpha.png'),
    await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer(),
  );
  writeFileSync(file('empty.png'), Buffer.alloc(0));
  const jpg = await c.clone().resize(600, 300).jpeg({ quality: 90 }).toBuffer();
  writeFileSync(file('truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.6)));
  writeFileSync(file('no-eoi.jpg'), jpg.subarray(0, jpg.length - 2));
  // cut short, then given a forged end marker: only the decoder can tell
  writeFileSync(file('forged-eoi.jpg'), Buffer.concat([jpg.subarray(0, Math.floor(jpg.length * 0.6)), Buffer.from([0xff, 0xd9])]));
  const png = await c.clone().resize(600, 300).png().toBuffer();
  writeFileSync(file('truncated.png'), png.subarray(0, Math.floor(png.length * 0.5)));
  writeFileSync(file('notes.png'), 'case notes: the payee disputes the cheque\n'.repeat(20));
  writeFileSync(file('scan.pdf.png'), '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
  writeFileSync(file('huge.png'), pngHeaderOnly(20000, 20000));
  const garbage = Buffer.concat([p1.subarray(0, 33), Buffer.alloc(200, 0x5a), p1.subarray(p1.length - 12)]);
  writeFileSync(file('garbage.png'), garbage);
  writeFileSync(file('anim.gif'), Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary'));
  symlinkSync(file('loop-b.png'), file('loop-a.png'));
  symlinkSync(file('loop-a.png'), file('loop-b.png'));
  mkdirSync(file('folder.png'));
  writeFileSync(file('locked.png'), p1);
  chmodSync(file('locked.png'), 0o000);
});

after(() => {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
});

describe('decode: good files', () => {
  test('PNG, JPEG and WebP decode with size, channels and dpi', async () => {
    for (const [name, format, dpi] of [
      ['card.png', 'png', 300],
      ['card.jpg', 'jpeg', 600],
      ['card.webp', 'webp', null],
    ] as const) {
      const { info, pages } = await decodeFile(file(name), { name });
      assert.equal(info.format, format);
      assert.equal(info.dpi, dpi, name);
      assert.equal(pages.length, 1);
      const p = pages[0]!;
      assert.equal(p.width, 60);
      assert.equal(p.height, 30);
      assert.equal(p.channels, 3);
      assert.ok(p.data[0]! < 30, `${name}: left is black`);
      assert.ok(p.data[(10 * 60 + 50) * 3]! > 225, `${name}: right is white`);
    }
  });

  test("a JPEG that states no resolution has no dpi (not the decoder's default 72)", async () => {
    const plain = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    // A JFIF header inserted after SOI: units 0 gives only the pixel aspect, 1 dots per inch.
    const jfif = (units: number, d: number): Buffer =>
      Buffer.concat([
        plain.subarray(0, 2),
        Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, units, d >> 8, d & 255, d >> 8, d & 255, 0, 0]),
        plain.subarray(2),
      ]);
    for (const [name, bytes, dpi] of [
      ['no-header.jpg', plain, null],
      ['aspect-only.jpg', jfif(0, 1), null],
      ['aspect-300.jpg', jfif(0, 300), null],
      ['jfif-300dpi.jpg', jfif(1, 300), 300],
      ['jfif-72dpi.jpg', jfif(1, 72), 72],
    ] as const) {
      writeFileSync(file(name), bytes);
      const { info } = await decodeFile(file(name), { name });
      assert.equal(info.dpi, dpi, name);
    }
  });

  test('format comes from the content, not the extension', async () => {
    const { info } = await decodeFile(file('png-named.jpg'));
    assert.equal(info.format, 'png');
    assert.equal(sniffFormat(Buffer.from('%PDF-1.4')), 'pdf');
  });

  test('EXIF orientation is applied (orientation 6: rotate 90 degrees clockwise)', async () => {
    const { info, pages } = await decodeFile(file('card-rot6.jpg'));
    assert.equal(info.orientation, 6);
    assert.equal(info.width, 30);
    assert.equal(info.height, 60);
    const p = pages[0]!;
    assert.equal(p.width, 30);
    assert.equal(p.height, 60);
    // the black left half is now the top half
    assert.ok(p.data[(5 * 30 + 15) * 3]! < 30, 'top is black');
    assert.ok(p.data[(55 * 30 + 15) * 3]! > 225, 'bottom is white');
  });

  test('multi-page TIFF: each page is decoded separately', async () => {
    const { info, pages } = await decodeFile(file('two-pages.tif'), { name: 'two-pages.tif' });
    assert.equal(info.format, 'tiff');
    assert.equal(info.pages, 2);
    assert.equal(info.dpi, 400);
    assert.equal(pages.length, 2);
    assert.deepEqual(
      pages.map((p) => [p.page, p.width, p.height]),
      [
        [0, 60, 30],
        [1, 60, 30],
      ],
    );
    assert.ok(pages[0]!.data[0]! < 30 && pages[1]!.data[0]! > 225, 'page 2 is the negative of page 1');
    const bytes = await readImageBytes(file('two-pages.tif'));
    await rejects(decodePage(bytes, 'two-pages.tif', 2), 'INVALID_ARGUMENT', 'two-pages.tif', /has 2 pages; page 3 does not exist/);
  });

  test('greyscale stays one channel; transparency becomes white paper', async () => {
    const g = await decodeFile(file('grey.png'));
    assert.equal(g.info.colour, false);
    assert.equal(g.pages[0]!.channels, 1);
    const a = await decodeFile(file('alpha.png'));
    assert.equal(a.pages[0]!.channels, 3);
    assert.ok(a.pages[0]!.data.every((v) => v === 255));
    const forced = await decodePage(await readImageBytes(file('card.png')), 'card.png', 0, { channels: 'grey' });
    assert.equal(forced.channels, 1);
  });
});

describe('decode: bad files are refused with the file named', () => {
  test('zero-byte file', async () => {
    const e = await rejects(
      decodeFile(file('empty.png'), { name: 'known/alice/empty.png' }),
      'INVALID_ARGUMENT',
      'known/alice/empty.png',
      /empty file \(0 bytes\)/,
    );
    assert.equal(e.details?.reason, 'empty');
  });

  test('truncated JPEG (cut in the scan data, and only the end marker missing)', async () => {
    const e = await rejects(decodeFile(file('truncated.jpg'), { name: 'q/truncated.jpg' }), 'INVALID_ARGUMENT', 'q/truncated.jpg', /truncated JPEG/);
    assert.equal(e.details?.reason, 'truncated');
    await rejects(decodeFile(file('no-eoi.jpg'), { name: 'no-eoi.jpg' }), 'INVALID_ARGUMENT', 'no-eoi.jpg', /truncated JPEG/);
    const f = await rejects(decodeFile(file('forged-eoi.jpg'), { name: 'forged-eoi.jpg' }), 'INVALID_ARGUMENT', 'forged-eoi.jpg', /truncated or damaged JPEG/);
    assert.equal(f.details?.reason, 'truncated');
  });

  test('truncated PNG', async () => {
    await rejects(decodeFile(file('truncated.png'), { name: 'truncated.png' }), 'INVALID_ARGUMENT', 'truncated.png', /truncated PNG/);
  });

  test('a text file with an image extension', async () => {
    const e = await rejects(decodeFile(file('notes.png'), { name: 'notes.png' }), 'UNSUPPORTED', 'notes.png', /not an image: the content is text/);
    assert.equal(e.details?.reason, 'not-an-image');
  });

  test('a PDF (whatever its extension) says PDF is not supported yet', async () => {
    const e = await rejects(
      decodeFile(file('scan.pdf.png'), { name: 'scan.pdf.png' }),
      'UNSUPPORTED',
      'scan.pdf.png',
      /PDF files are not supported yet; export the pages as PNG or TIFF/,
    );
    assert.equal(e.details?.reason, 'pdf');
  });

  test('other image formats are named', async () => {
    await rejects(decodeFile(file('anim.gif'), { name: 'anim.gif' }), 'UNSUPPORTED', 'anim.gif', /GIF images are not supported/);
  });

  test('20000 x 20000 pixels is refused from the header, naming the limit, without decoding', async () => {
    const t0 = performance.now();
    const e = await rejects(
      decodeFile(file('huge.png'), { name: 'huge.png' }),
      'UNSUPPORTED',
      'huge.png',
      /20000 x 20000 pixels \(400 megapixel\) is above the 64 megapixel limit/,
    );
    assert.equal(e.details?.reason, 'too-large');
    assert.equal(e.details?.maxPixels, DEFAULT_MAX_PIXELS);
    assert.ok(performance.now() - t0 < 2000, 'refused quickly');
    const bytes = await readImageBytes(file('card.png'));
    await rejects(probeImage(bytes, 'card.png', { maxPixels: 1000 }), 'UNSUPPORTED', 'card.png', /60 x 30 pixels \(1800 pixel\) is above the 1000 pixel limit/);
  });

  test('damaged image data', async () => {
    const e = await rejects(decodeFile(file('garbage.png'), { name: 'garbage.png' }), 'INVALID_ARGUMENT', 'garbage.png', /damaged|truncated/);
    assert.ok(['corrupt', 'truncated'].includes(String(e.details?.reason)));
  });

  test('symbolic link loop', async () => {
    const e = await rejects(decodeFile(file('loop-a.png'), { name: 'known/bob/loop-a.png' }), 'IO', 'known/bob/loop-a.png', /symbolic link loop/);
    assert.equal(e.details?.reason, 'symlink-loop');
  });

  test('missing file, a folder, and an unreadable file', async (t) => {
    await rejects(decodeFile(file('missing.png'), { name: 'missing.png' }), 'IO', 'missing.png', /file not found/);
    await rejects(decodeFile(file('folder.png'), { name: 'folder.png' }), 'IO', 'folder.png', /is a folder/);
    if (process.getuid?.() === 0) {
      t.diagnostic('running as root: file permissions do not stop reads, EACCES not exercised');
      return;
    }
    await rejects(decodeFile(file('locked.png'), { name: 'locked.png' }), 'IO', 'locked.png', /permission denied/);
  });
});
