// Measurements from points and DPI: units, conventions and the errors that name the field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { baselineDeg, computeMeasurement, heightRatio, lengthMm, mmToPixels, pixelsToMm, slantDeg } from '../../../src-main/core/bench/geometry.ts';
import { loadInk } from '../../../src-main/core/bench/fit.ts';

const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a}, expected ${b} +- ${tol}`);

describe('measurement geometry', () => {
  it('a 20.0 mm line drawn on a synthetic 300 dpi scan measures 20.0 +- 0.5 mm from its ink ends', async () => {
    const dpi = 300;
    const lenPx = Math.round(mmToPixels(20, dpi)); // 236 px
    const width = lenPx + 80;
    // a 3 px thick horizontal line starting at x = 40, drawn as SVG, rasterised by sharp
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60"><rect width="100%" height="100%" fill="white"/><rect x="40" y="28" width="${lenPx}" height="3" fill="black"/></svg>`;
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    // find the line's ends in the pixels, as an examiner clicking on them would
    const ink = await loadInk(png, dpi, dpi / 25.4, 'scan');
    const row = 29;
    const xs = [...Array(ink.width).keys()].filter((x) => ink.ink[row * ink.width + x]);
    const ends: [[number, number], [number, number]] = [
      [xs[0]!, row],
      [xs.at(-1)! + 1, row],
    ];
    const m = computeMeasurement('length', ends, dpi, { width, height: 60 });
    assert.equal(m.unit, 'mm');
    near(m.value, 20, 0.5, 'measured length');
    near(lengthMm([0, 0], [300, 0], 300), 25.4, 1e-9, 'one inch');
    near(pixelsToMm(150, 150), 25.4, 1e-9, 'one inch at 150 dpi');
    near(lengthMm([0, 0], [30, 40], 127), 10, 1e-9, '50 px at 127 dpi'); // 50/127*25.4
  });

  it('slant is counter-clockwise from the horizontal as seen on screen, folded into [0, 180)', () => {
    near(slantDeg([0, 100], [0, 0]), 90, 1e-9, 'upright');
    near(slantDeg([0, 0], [0, 100]), 90, 1e-9, 'upright drawn downwards');
    near(slantDeg([0, 100], [100, 0]), 45, 1e-9, 'leaning right (y down in the image)');
    near(slantDeg([100, 100], [0, 0]), 135, 1e-9, 'leaning left');
    near(slantDeg([0, 0], [100, 0]), 0, 1e-9, 'horizontal');
    near(slantDeg([100, 0], [0, 0]), 0, 1e-9, 'horizontal drawn leftwards');
    near(slantDeg([0, 100], [Math.tan((20 * Math.PI) / 180) * 100, 0]), 70, 1e-9, '20 degrees right of upright');
  });

  it('baseline: signed angle of the fitted line, positive rising to the right', () => {
    near(
      baselineDeg([
        [0, 50],
        [50, 50],
        [100, 50],
      ]),
      0,
      1e-9,
      'level',
    );
    near(
      baselineDeg([
        [0, 100],
        [100, 0],
      ]),
      45,
      1e-9,
      'rising',
    );
    near(
      baselineDeg([
        [0, 0],
        [100, 10],
        [200, 20],
      ]),
      -((Math.atan(0.1) * 180) / Math.PI),
      1e-9,
      'falling',
    );
    // a scattered but level baseline
    near(
      baselineDeg([
        [0, 50],
        [40, 52],
        [80, 48],
        [120, 50],
      ]),
      0,
      1.5,
      'level with scatter',
    );
  });

  it('height ratio: the first segment over the second, whatever the DPI', () => {
    near(
      heightRatio(
        [
          [10, 10],
          [10, 70],
        ],
        [
          [40, 40],
          [40, 70],
        ],
      ),
      2,
      1e-9,
      'ratio',
    );
    const m = computeMeasurement(
      'height_ratio',
      [
        [10, 10],
        [10, 70],
        [40, 40],
        [40, 70],
      ],
      null,
      { width: 100, height: 100 },
    );
    assert.deepEqual(m, { value: 2, unit: 'ratio' });
    assert.equal(
      computeMeasurement(
        'angle',
        [
          [0, 10],
          [0, 0],
        ],
        null,
        { width: 10, height: 10 },
      ).unit,
      'deg',
    );
  });

  it('names the field: missing DPI, points off the crop, wrong count, zero-length lines', () => {
    const size = { width: 100, height: 50 };
    assert.throws(
      () =>
        computeMeasurement(
          'length',
          [
            [0, 0],
            [10, 0],
          ],
          null,
          size,
        ),
      /^AppError: dpi: a length in mm needs the DPI/,
    );
    assert.throws(
      () =>
        computeMeasurement(
          'length',
          [
            [0, 0],
            [101, 0],
          ],
          300,
          size,
        ),
      /points\[1\]: \[101, 0\] lies outside the crop \(100 x 50 pixels\)/,
    );
    assert.throws(
      () =>
        computeMeasurement(
          'height_ratio',
          [
            [0, 0],
            [10, 0],
          ],
          null,
          size,
        ),
      /points: a height_ratio takes 4 points, got 2/,
    );
    assert.throws(
      () =>
        computeMeasurement(
          'angle',
          [
            [5, 5],
            [5.5, 5],
          ],
          null,
          size,
        ),
      /points\[1\]: the line is shorter than one pixel/,
    );
    assert.throws(() => computeMeasurement('baseline', [[5, 5]], null, size), /points: a baseline takes 2 to 200 points, got 1/);
    assert.throws(() => pixelsToMm(10, 0), /dpi: expected a positive number/);
  });
});
