import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fallbackDpi,
  fitView,
  imageRect,
  mmToPx,
  orderReferences,
  panView,
  pxToMm,
  pxToScreen,
  resolutionNote,
  resolutionState,
  rulerTicks,
  screenToPx,
  zoomOf,
  zoomView,
} from '../../../src-renderer/src/lib/true-scale.ts';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test('pixels to millimetres follow the resolution: 300 dpi is 25.4/300 mm a pixel, and back', () => {
  close(pxToMm({ x: 300, y: 600 }, 300).x, 25.4);
  close(pxToMm({ x: 300, y: 600 }, 300).y, 50.8);
  close(pxToMm({ x: 600, y: 0 }, 600).x, 25.4);
  const p = mmToPx(pxToMm({ x: 123.5, y: 77 }, 437), 437);
  close(p.x, 123.5);
  close(p.y, 77);
  assert.throws(() => pxToMm({ x: 1, y: 1 }, 0), /dpi must be positive/);
});

test('one view draws a 300 dpi and a 600 dpi scan of the same paper at the same size', () => {
  // The same 40 x 15 mm signature: 472 x 177 px at 300 dpi, 945 x 354 px at 600 dpi.
  const a = { widthPx: 472, heightPx: 177, dpi: 300 };
  const b = { widthPx: 945, heightPx: 354, dpi: 600 };
  const view = fitView([a, b], { width: 400, height: 240 }, 300);
  const ra = imageRect(a, 300, view);
  const rb = imageRect(b, 600, view);
  // mm per CSS px is the same in both (within the pixel rounding of the sizes).
  const mmPerCssA = (a.widthPx * 25.4) / 300 / ra.width;
  const mmPerCssB = (b.widthPx * 25.4) / 600 / rb.width;
  close(mmPerCssA, 1 / view.k);
  close(mmPerCssB, 1 / view.k);
  assert.ok(Math.abs(ra.width - rb.width) / ra.width < 0.01, `${ra.width} vs ${rb.width}`);
  // The fitted images fit the pane with the margin.
  assert.ok(Math.max(ra.width, rb.width) <= 400 - 16 + 1e-9);
  assert.ok(Math.max(ra.height, rb.height) <= 240 - 16 + 1e-9);
  close(ra.left, 8);
  close(ra.top, 8);
});

test('zoom keeps the paper point under the pointer still; pan moves the paper with the pointer; both stay within limits', () => {
  const v0 = fitView([{ widthPx: 600, heightPx: 300, dpi: 300 }], { width: 300, height: 200 }, 300);
  const at = { x: 120, y: 70 };
  const before = screenToPx(at, 300, v0);
  const v1 = zoomView(v0, 2, at);
  close(zoomOf(v1), 2);
  const after = pxToScreen(before, 300, v1);
  close(after.x, at.x, 1e-6);
  close(after.y, at.y, 1e-6);
  const v2 = panView(v1, 30, -10);
  const moved = pxToScreen(before, 300, v2);
  close(moved.x, at.x + 30, 1e-6);
  close(moved.y, at.y - 10, 1e-6);
  close(zoomOf(zoomView(v0, 1e6, at)), 32);
  close(zoomOf(zoomView(v0, 1e-6, at)), 0.25);
});

test('resolution state: same, differ, unknown; the fallback is the smallest known resolution', () => {
  assert.deepEqual(resolutionState([300, 300]), { kind: 'same', dpi: 300 });
  assert.deepEqual(resolutionState([600, 300, 600]), { kind: 'differ', dpis: [300, 600] });
  assert.deepEqual(resolutionState([300, null, null]), { kind: 'unknown', unknown: 2, of: 3 });
  assert.equal(fallbackDpi([600, null, 400]), 400);
  assert.equal(fallbackDpi([null]), 300);
  assert.match(resolutionNote(resolutionState([300, 600]), 300), /differ \(300, 600 dpi\)/);
  assert.match(resolutionNote(resolutionState([null, 600]), 600), /Resolution unknown for 1 of 2 images: it is drawn as if scanned at 600 dpi/);
  assert.match(resolutionNote(resolutionState([200, 200]), 200, true), /both scans at 200 dpi \(some entered/);
});

test('ruler ticks: spacing follows the scale, labels on round millimetres, positions in CSS px from the start', () => {
  // 4 CSS px per mm: 1 mm ticks would be 4 px apart (< 5), so 2 mm; labels every 20 mm (80 px >= 44).
  const t = rulerTicks(200, -2, 4);
  const steps = t.slice(1).map((x, i) => x.mm - t[i]!.mm);
  assert.ok(
    steps.every((s) => Math.abs(s - 2) < 1e-9),
    `steps ${steps.join(',')}`,
  );
  const labelled = t.filter((x) => x.label !== null).map((x) => x.label);
  assert.deepEqual(labelled, ['0', '20', '40']);
  const zero = t.find((x) => x.mm === 0)!;
  close(zero.at, 8);
  // Zoomed in (40 px per mm): 0.2 mm ticks (0.1 mm would be 4 px apart), a label every 2 mm (1 mm is 40 px < 44).
  const fine = rulerTicks(100, 0, 40);
  close(fine[1]!.mm - fine[0]!.mm, 0.2);
  assert.deepEqual(
    fine.filter((x) => x.major).map((x) => x.mm),
    [0, 2],
  );
  // Further in (100 px per mm): 0.1 mm ticks, a label every 0.5 mm with one decimal.
  const finer = rulerTicks(120, 0, 100);
  assert.deepEqual(
    finer.filter((x) => x.major).map((x) => x.label),
    ['0', '0.5', '1.0'],
  );
  assert.deepEqual(rulerTicks(0, 0, 4), []);
});

test('references ordered by distance to Q, ties in listed order; listed order as given', () => {
  const refs = [{ distance: 0.4 }, { distance: 0.1 }, { distance: 0.4 }, { distance: 0.2 }];
  assert.deepEqual(orderReferences(refs, 'listed'), [0, 1, 2, 3]);
  assert.deepEqual(orderReferences(refs, 'closest'), [1, 3, 0, 2]);
  assert.deepEqual(orderReferences(refs, 'farthest'), [0, 2, 3, 1]);
  assert.deepEqual(orderReferences([], 'closest'), []);
});
