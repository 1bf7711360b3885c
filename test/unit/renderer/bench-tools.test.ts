import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMeasurement, isMark, isMeasure, onCrop, pendingLines, toolDef, TOOLS } from '../../../src-renderer/src/lib/bench-tools.ts';
import { COMPARE_SHORTCUTS } from '../../../src-renderer/src/lib/compare-keys.ts';
import { pxToScreen, screenToPx } from '../../../src-renderer/src/lib/true-scale.ts';

test('every tool has a key in the shortcuts table, and the kinds are the stored ones', () => {
  for (const d of TOOLS)
    assert.ok(
      COMPARE_SHORTCUTS.some((s) => s.action === `tool-${d.tool}`),
      d.tool,
    );
  assert.deepEqual(
    TOOLS.filter((d) => isMeasure(d.tool)).map((d) => d.tool),
    ['length', 'angle', 'height_ratio', 'baseline'],
  );
  assert.deepEqual(
    TOOLS.filter((d) => isMark(d.tool)).map((d) => d.tool),
    ['arrow', 'circle', 'text'],
  );
  assert.equal(toolDef('length').needsDpi, true);
  assert.equal(toolDef('angle').needsDpi, false);
});

test('points are checked against the crop, and a pending height ratio draws two segments', () => {
  assert.equal(onCrop({ x: 0, y: 0 }, 100, 50), true);
  assert.equal(onCrop({ x: 100, y: 50 }, 100, 50), true);
  assert.equal(onCrop({ x: 100.5, y: 10 }, 100, 50), false);
  assert.equal(onCrop({ x: 5, y: -1 }, 100, 50), false);
  const p = [
    { x: 1, y: 1 },
    { x: 2, y: 2 },
    { x: 3, y: 3 },
  ];
  assert.deepEqual(pendingLines('height_ratio', p), [p.slice(0, 2), p.slice(2)]);
  assert.deepEqual(pendingLines('baseline', p), [p]);
  assert.deepEqual(pendingLines('length', []), []);
});

test('values are written with their unit', () => {
  assert.equal(formatMeasurement(20.04, 'mm'), '20.0 mm');
  assert.equal(formatMeasurement(63.25, 'deg'), '63.3°');
  assert.equal(formatMeasurement(0.4567, 'ratio'), '0.46');
});

test('a click placed with the true-scale mapping comes back as the crop pixel it was computed from', () => {
  const view = { k: 4.7, origin: { x: -3, y: 1.5 } };
  const px = { x: 236.22, y: 41 };
  const back = screenToPx(pxToScreen(px, 300, view), 300, view);
  assert.ok(Math.abs(back.x - px.x) < 1e-9 && Math.abs(back.y - px.y) < 1e-9);
});
