import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWriter, rasteriseSignature, type Writer } from '../../../src-main/core/synth/index.ts';
import { genuineSample, skilledSample } from '../../../src-main/core/synth/sample.ts';
import { eer, normalise, score, spread } from './pixel-baseline.ts';

describe('forgery difficulty (pixel-distance baseline)', () => {
  it('skilled forgeries are harder than random ones, and genuine samples still beat them', () => {
    const WRITERS = 10;
    const REFS = 5;
    const Q = 5;
    const writers = Array.from({ length: WRITERS }, (_, i) => createWriter(1, `w${i}`));
    const img = (w: Writer, kind: 'genuine' | 'skilled', i: number) => normalise(rasteriseSignature(w, { kind, sampleIndex: i, dpi: 100, grey: true }));
    const refs = writers.map((w) => Array.from({ length: REFS }, (_, i) => img(w, 'genuine', i)));
    const genuineQ = writers.map((w) => Array.from({ length: Q }, (_, i) => img(w, 'genuine', REFS + i)));
    const genuine: number[] = [];
    const skilled: number[] = [];
    const random: number[] = [];
    writers.forEach((w, wi) => {
      // Distances relative to the references' own spread (the writer's natural variation).
      const k = spread(refs[wi]!);
      for (const q of genuineQ[wi]!) genuine.push(score(q, refs[wi]!) / k);
      for (let i = 0; i < Q; i++) skilled.push(score(img(w, 'skilled', i), refs[wi]!) / k);
      for (let o = 0; o < WRITERS; o++) if (o !== wi) random.push(score(genuineQ[o]![o % Q]!, refs[wi]!) / k);
    });
    const eerSkilled = eer(genuine, skilled);
    const eerRandom = eer(genuine, random);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const report = `EER skilled ${eerSkilled.toFixed(3)}, random ${eerRandom.toFixed(3)}; mean relative distance genuine ${mean(genuine).toFixed(2)}, skilled ${mean(skilled).toFixed(2)}, random ${mean(random).toFixed(2)}`;
    console.log(`# ${report}`);
    assert.ok(eerSkilled > eerRandom + 0.05, `skilled forgeries should be harder than random ones: ${report}`);
    assert.ok(eerSkilled < 0.45, `genuine samples should still beat skilled forgeries: ${report}`);
    assert.ok(mean(genuine) < mean(skilled) && mean(skilled) < mean(random), report);
  });

  it('forgeries are drawn slowly, with more even line width', () => {
    const cv = (xs: Float64Array[]) => {
      const all = xs.flatMap((a) => Array.from(a));
      const m = all.reduce((x, y) => x + y, 0) / all.length;
      return Math.sqrt(all.reduce((x, y) => x + (y - m) ** 2, 0) / all.length) / m;
    };
    let slower = 0;
    let evener = 0;
    const N = 8;
    for (let i = 0; i < N; i++) {
      const w = createWriter(99, `w${i}`);
      const g = genuineSample(w, 0);
      const s = skilledSample(w, 0);
      if (s.duration > 1.5 * g.duration) slower++;
      if (cv(s.lines.map((l) => l.width)) < cv(g.lines.map((l) => l.width))) evener++;
    }
    assert.ok(slower >= N - 1, `forgeries slower than genuine in only ${slower} of ${N} writers`);
    assert.ok(evener >= N - 2, `forgeries with more even width in only ${evener} of ${N} writers`);
  });
});
