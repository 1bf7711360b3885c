import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { AppError } from '../../../src-main/core/errors.ts';
import { decodePage } from '../../../src-main/core/imaging/decode.ts';
import { normaliseSignature } from '../../../src-main/core/imaging/normalise.ts';
import type { RawImage } from '../../../src-main/core/imaging/pixels.ts';
import { signatureCrop } from '../../helpers/imaging-fixtures.ts';

const H = 155;
const W = 220;

/** Box of canvas values above 0.05: [x0, y0, x1, y1] inclusive. */
function inkExtent(input: Float32Array): [number, number, number, number] {
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (input[y * W + x]! > 0.05) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  return [x0, y0, x1, y1];
}

/** White grey image with a dark rectangle outline (a pen-like mark) at a given place. */
function greyWithMark(w: number, h: number, mark: [number, number, number, number], level = 30): RawImage {
  const data = new Uint8Array(w * h).fill(250);
  const [mx, my, mw, mh] = mark;
  for (let y = my; y < my + mh; y++) {
    for (let x = mx; x < mx + mw; x++) {
      const edge = y < my + 3 || y >= my + mh - 3 || x < mx + 3 || x >= mx + mw - 3;
      if (edge) data[y * w + x] = level;
    }
  }
  return { data, width: w, height: h, channels: 1 };
}

async function expectNoInk(p: Promise<unknown>, name: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, /no ink found/);
    assert.ok(err.message.startsWith(`${name}:`), err.message);
    assert.equal(err.details?.reason, 'no-ink');
    return true;
  });
}

describe('normaliseSignature', () => {
  test('shape, range, ink high on a zero background, and the display PNG', async () => {
    const png = await signatureCrop(11);
    const r = await normaliseSignature({ data: png, name: 'k/alice/1.png' });
    assert.equal(r.input.length, H * W);
    let min = Infinity;
    let max = -Infinity;
    for (const v of r.input) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assert.equal(min, 0);
    assert.ok(max > 0.8 && max <= 1, `dark ink becomes high values (max ${max})`);
    for (const i of [0, W - 1, (H - 1) * W, H * W - 1]) assert.equal(r.input[i], 0, 'corners are background');
    const meta = await sharp(r.png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', W, H, 1]);
    const { data } = await sharp(r.png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < data.length; i += 97) assert.equal(data[i], 255 - Math.round(r.input[i]! * 255), 'PNG shows ink dark on white');
  });

  test('the ink box is scaled to fit and centred on the canvas', async () => {
    for (const [w, h, mark] of [
      [400, 300, [250, 40, 120, 50]],
      [300, 400, [20, 300, 40, 90]],
      [100, 80, [10, 10, 30, 20]], // small: enlarged to fit
    ] as const) {
      const r = await normaliseSignature({ data: greyWithMark(w, h, [...mark]) });
      const [x0, y0, x1, y1] = inkExtent(r.input);
      const cx = (x0 + x1 + 1) / 2;
      const cy = (y0 + y1 + 1) / 2;
      assert.ok(Math.abs(cx - W / 2) <= 1.5, `centred horizontally (${cx})`);
      assert.ok(Math.abs(cy - H / 2) <= 1.5, `centred vertically (${cy})`);
      const fitsWidth = x1 - x0 + 1 >= W - 2 * r.params.margin - 2;
      const fitsHeight = y1 - y0 + 1 >= H - 2 * r.params.margin - 2;
      assert.ok(fitsWidth || fitsHeight, 'fills the canvas in one direction');
      const aspectIn = mark[2] / mark[3];
      const aspectOut = (x1 - x0 + 1) / (y1 - y0 + 1);
      assert.ok(Math.abs(aspectOut / aspectIn - 1) < 0.08, `aspect ratio kept (${aspectIn} vs ${aspectOut})`);
      assert.deepEqual(r.params.inkBox, [...mark], 'ink box found exactly (in source pixels)');
    }
  });

  test('records every parameter used', async () => {
    const r = await normaliseSignature({ data: greyWithMark(400, 300, [250, 40, 120, 50]) });
    const p = r.params;
    assert.deepEqual(p.canvas, [155, 220]);
    assert.equal(p.blurSigma, 2);
    assert.ok(p.otsuThreshold >= 30 && p.otsuThreshold < 250, `threshold between ink and paper (${p.otsuThreshold})`);
    assert.deepEqual(p.region, [0, 0, 400, 300]);
    assert.ok(Math.abs(p.scale - Math.min(151 / 50, 216 / 120)) < 1e-9);
    assert.deepEqual(p.scaledSize, [216, 90]);
    assert.deepEqual(p.offset, [2, 32]);
    assert.equal(p.modelScaling, 'applied by the model');
    assert.deepEqual(p.valueRange, [0, 1]);
  });

  test('deterministic: the same input gives identical values and PNG bytes', async () => {
    const png = await signatureCrop(5);
    const a = await normaliseSignature({ data: png });
    const b = await normaliseSignature({ data: png });
    assert.deepEqual(Buffer.from(a.input.buffer), Buffer.from(b.input.buffer));
    assert.ok(a.png.equals(b.png));
    assert.deepEqual(a.params, b.params);
  });

  test('RGB, RGBA, grey and encoded inputs agree; a region equals the same crop', async () => {
    const png = await signatureCrop(7, 420, 160, { colour: '#1b2a8c' });
    const rgb = await decodePage(png, 'sig.png', 0, { channels: 'rgb' });
    const fromRgb = await normaliseSignature({ data: rgb });
    const fromPng = await normaliseSignature({ data: png });
    assert.deepEqual(Array.from(fromRgb.input), Array.from(fromPng.input));
    const rgba = new Uint8Array(rgb.width * rgb.height * 4);
    for (let i = 0; i < rgb.width * rgb.height; i++) {
      rgba.set(rgb.data.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = 255;
    }
    const fromRgba = await normaliseSignature({ data: { data: rgba, width: rgb.width, height: rgb.height, channels: 4 } });
    assert.deepEqual(Array.from(fromRgba.input), Array.from(fromRgb.input));
    // a region of a larger page gives the same result as the crop itself, with the box in page pixels
    const page = await sharp({ create: { width: 900, height: 500, channels: 3, background: 'white' } })
      .composite([{ input: png, left: 300, top: 200 }])
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const fromRegion = await normaliseSignature({
      data: { data: page.data, width: 900, height: 500, channels: 3 },
      region: [300, 200, 420, 160],
    });
    assert.deepEqual(Array.from(fromRegion.input), Array.from(fromRgb.input));
    assert.deepEqual(fromRegion.params.inkBox, [
      fromRgb.params.inkBox[0] + 300,
      fromRgb.params.inkBox[1] + 200,
      fromRgb.params.inkBox[2],
      fromRgb.params.inkBox[3],
    ]);
  });

  test('a speck of dust away from the signature does not stretch the ink box', async () => {
    const img = greyWithMark(400, 300, [150, 100, 120, 50]);
    img.data[5 * 400 + 5] = 0; // one dark pixel in the corner
    const r = await normaliseSignature({ data: img });
    assert.deepEqual(r.params.inkBox, [150, 100, 120, 50]);
  });

  test('a blank image, and a noisy blank scan, have no ink', async () => {
    const blank: RawImage = { data: new Uint8Array(300 * 200).fill(245), width: 300, height: 200, channels: 1 };
    await expectNoInk(normaliseSignature({ data: blank, name: 'questioned/blank.png' }), 'questioned/blank.png');
    const noisy = new Uint8Array(300 * 200);
    let s = 1;
    for (let i = 0; i < noisy.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      noisy[i] = 235 + ((s >>> 16) % 12);
    }
    await expectNoInk(normaliseSignature({ data: { data: noisy, width: 300, height: 200, channels: 1 }, name: 'noisy.png' }), 'noisy.png');
  });

  test('quality measures and warnings', async () => {
    const good = await normaliseSignature({ data: await signatureCrop(3), dpi: 300 });
    assert.ok(good.quality.contrast > 150, `contrast ${good.quality.contrast}`);
    assert.ok(good.quality.inkRatio > 0.02 && good.quality.inkRatio < 0.4, `ink ratio ${good.quality.inkRatio}`);
    assert.equal(good.quality.inkBox.w, good.params.inkBox[2]);
    assert.ok(good.quality.inkBox.wInches! > 0.5);
    assert.deepEqual(good.quality.warnings, [], JSON.stringify(good.quality));

    const faint = greyWithMark(400, 300, [150, 100, 120, 50], 195);
    const f = await normaliseSignature({ data: faint });
    assert.ok(f.quality.warnings.includes('low-contrast'), JSON.stringify(f.quality));

    const blurredPng = await sharp(await signatureCrop(3))
      .blur(4)
      .png()
      .toBuffer();
    const b = await normaliseSignature({ data: blurredPng, dpi: 300 });
    assert.ok(good.quality.blur < 0.4, `crisp scan: blur ${good.quality.blur}`);
    assert.ok(b.quality.blur > good.quality.blur + 0.3, `blurred scan: blur ${b.quality.blur}`);
    assert.ok(b.quality.warnings.includes('blurred'), JSON.stringify(b.quality));

    const clipped = await normaliseSignature({ data: greyWithMark(400, 300, [0, 100, 120, 50]) });
    assert.ok(clipped.quality.warnings.includes('clipped'));
    assert.deepEqual(clipped.quality.touches, ['left']);
  });

  test('bad arguments name the field', async () => {
    await assert.rejects(normaliseSignature({ data: greyWithMark(50, 50, [5, 5, 20, 20]) }, { canvas: [4, 4] }), /canvas: expected/);
    await assert.rejects(
      normaliseSignature({ data: greyWithMark(50, 50, [5, 5, 20, 20]), region: [60, 60, 10, 10], name: 'x.png' }),
      /x\.png: region \[60, 60, 10, 10\] lies outside the 50 x 50 image/,
    );
  });
});
