// The automatic best fit of K onto Q, on synthetic pairs whose true shift, rotation and scale are known.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { autoFitCrops, bestFit, otsuThreshold, type InkImage } from '../../../src-main/core/bench/fit.ts';
import { createWriter, renderSignature } from '../../../src-main/core/synth/index.ts';

const DPI = 150;
const pxToMm = (px: number) => (px / DPI) * 25.4;

async function signature(seed = 11, sample = 0) {
  const img = await renderSignature(createWriter(seed, 'w1'), { sampleIndex: sample, dpi: DPI });
  return { png: img.data, width: img.width, height: img.height };
}

/** The same crop size, its content moved by (dx, dy) pixels (what leaves the frame is cut). */
async function shifted(png: Buffer, width: number, height: number, dx: number, dy: number): Promise<Buffer> {
  const pad = 200;
  const big = await sharp(png)
    .flatten({ background: '#ffffff' })
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#ffffff' })
    .png()
    .toBuffer();
  return sharp(big)
    .extract({ left: pad - dx, top: pad - dy, width, height })
    .png()
    .toBuffer();
}

describe('automatic best fit', () => {
  it('finds a known shift of a real-looking signature to within 0.5 mm, with no rotation or scale', async () => {
    const k = await signature();
    const q = await shifted(k.png, k.width, k.height, 30, -12);
    const fit = await autoFitCrops({ image: q, dpi: DPI }, { image: k.png, dpi: DPI });
    assert.ok(Math.abs(fit.dxMm - pxToMm(30)) <= 0.5, `dx ${fit.dxMm} mm, expected ${pxToMm(30).toFixed(2)}`);
    assert.ok(Math.abs(fit.dyMm - pxToMm(-12)) <= 0.5, `dy ${fit.dyMm} mm, expected ${pxToMm(-12).toFixed(2)}`);
    assert.ok(Math.abs(fit.rotationDeg) <= 1, `rotation ${fit.rotationDeg}`);
    assert.ok(Math.abs(fit.scale - 1) <= 0.02, `scale ${fit.scale}`);
    assert.ok(fit.overlap > 0.9, `overlap ${fit.overlap}`);
    assert.equal(fit.method, 'ink-overlap-v1');
  });

  it('finds a rotation (clockwise positive) and is deterministic', async () => {
    const k = await signature(5, 2);
    // sharp turns clockwise for a positive angle, about the centre (the canvas grows evenly)
    const q = await sharp(k.png).flatten({ background: '#ffffff' }).rotate(6, { background: '#ffffff' }).png().toBuffer();
    const a = await autoFitCrops({ image: q, dpi: DPI }, { image: k.png, dpi: DPI });
    assert.ok(Math.abs(a.rotationDeg - 6) <= 1, `rotation ${a.rotationDeg}, expected 6`);
    assert.ok(Math.hypot(a.dxMm, a.dyMm) <= 0.5, `shift ${a.dxMm}, ${a.dyMm}`);
    const b = await autoFitCrops({ image: q, dpi: DPI }, { image: k.png, dpi: DPI });
    assert.deepEqual(a, b);
  });

  it('brings crops of different DPI to one true scale', async () => {
    const k = await signature(8, 1);
    // the same signature scanned at 300 dpi: twice the pixels; the fit must see scale 1, no shift
    const q = await sharp(k.png)
      .resize(k.width * 2, k.height * 2, { kernel: 'cubic' })
      .png()
      .toBuffer();
    const fit = await autoFitCrops({ image: q, dpi: DPI * 2 }, { image: k.png, dpi: DPI });
    assert.ok(Math.abs(fit.scale - 1) <= 0.02, `scale ${fit.scale}`);
    assert.ok(Math.hypot(fit.dxMm, fit.dyMm) <= 0.5, `shift ${fit.dxMm}, ${fit.dyMm}`);
    // told the wrong DPI, the fit has to scale K up to match
    const wrong = await autoFitCrops({ image: q, dpi: DPI }, { image: k.png, dpi: DPI }, { scaleRange: [0.85, 1.15] });
    assert.ok(wrong.overlap < fit.overlap, 'a 2x size difference cannot be fitted within the scale range');
  });

  it('finds a known scale on a binary pair', () => {
    // a rectangle outline and the same 10 % larger, shifted
    const draw = (w: number, h: number, x0: number, y0: number, rw: number, rh: number): InkImage => {
      const ink = new Uint8Array(w * h);
      for (let x = x0; x <= x0 + rw; x++) ink[y0 * w + x] = ink[(y0 + rh) * w + x] = 1;
      for (let y = y0; y <= y0 + rh; y++) ink[y * w + x0] = ink[y * w + x0 + rw] = 1;
      for (let i = 0; i < 15; i++) ink[(y0 + 5 + i) * w + x0 + 10 + i] = 1; // break the symmetry
      return { width: w, height: h, ink };
    };
    const k = draw(120, 80, 20, 20, 80, 40);
    const q = draw(120, 80, 20 + 4 - 4, 20 - 2, 88, 44);
    const fit = bestFit(q, k);
    assert.ok(Math.abs(fit.scale - 1.1) <= 0.02, `scale ${fit.scale}`);
    assert.ok(fit.overlap > 0.9, `overlap ${fit.overlap}`);
  });

  it('says which crop has no ink', () => {
    const blank: InkImage = { width: 10, height: 10, ink: new Uint8Array(100) };
    const one: InkImage = { width: 10, height: 10, ink: new Uint8Array(100).fill(1, 40, 45) };
    assert.throws(() => bestFit(blank, one), /questioned crop: no ink/);
    assert.throws(() => bestFit(one, blank), /reference crop: no ink/);
    assert.equal(otsuThreshold(new Uint8Array([10, 10, 10, 240, 240, 240])) > 10, true);
  });
});
