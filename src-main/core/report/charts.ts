/** Vector charts drawn with pdfkit paths: the writer's variation, score distributions, the DET curve. */
import { formatDistance, niceTicks, quantile } from './format.ts';
import { COLOR, type ReportWriter } from './pdf-writer.ts';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const TICK_SIZE = 6.5;

function axisX(w: ReportWriter, plot: Box, ticks: number[], scale: (v: number) => number, label: string, fmt: (v: number) => string): void {
  const { doc } = w;
  const yAxis = plot.y + plot.height;
  doc
    .save()
    .moveTo(plot.x, yAxis)
    .lineTo(plot.x + plot.width, yAxis)
    .lineWidth(0.6)
    .strokeColor(COLOR.rule)
    .stroke();
  for (const t of ticks) {
    const x = scale(t);
    doc
      .moveTo(x, yAxis)
      .lineTo(x, yAxis + 2.5)
      .stroke();
    w.textAt(fmt(t), x - 20, yAxis + 3.5, { size: TICK_SIZE, color: COLOR.muted, width: 40, align: 'center' });
  }
  doc.restore();
  w.textAt(label, plot.x, yAxis + 12, { size: TICK_SIZE, color: COLOR.muted, width: plot.width, align: 'center' });
}

function legend(w: ReportWriter, x: number, y: number, entries: Array<{ label: string; draw: (cx: number, cy: number) => void }>): void {
  let cx = x;
  for (const e of entries) {
    e.draw(cx + 4, y + 3.5);
    w.textAt(e.label, cx + 11, y, { size: TICK_SIZE, color: COLOR.muted, width: 200 });
    w.style({ size: TICK_SIZE });
    cx += 11 + w.doc.widthOfString(e.label) + 10;
  }
}

function dashedVertical(w: ReportWriter, x: number, y0: number, y1: number, color: string): void {
  w.doc.save().moveTo(x, y0).lineTo(x, y1).lineWidth(0.8).dash(2.5, { space: 2 }).strokeColor(color).stroke().undash().restore();
}

function diamond(w: ReportWriter, cx: number, cy: number, r: number, color: string): void {
  w.doc
    .save()
    .moveTo(cx, cy - r)
    .lineTo(cx + r, cy)
    .lineTo(cx, cy + r)
    .lineTo(cx - r, cy)
    .closePath()
    .fill(color)
    .restore();
}

export interface VariationChartData {
  kk: number[];
  qk: number[];
  aggregate: number;
  aggregateMethod: string;
  threshold: number;
  band: { low: number; high: number } | null;
  /** The axis's units (default: plain distances). */
  axisLabel?: string;
}

/**
 * The questioned distance against the writer's natural variation: K-K distances as dots
 * over a box (quartiles, median, min-max whiskers), the Q-K distances as rings, the
 * aggregate Q distance as a diamond, the case threshold as a dashed line and the
 * inconclusive band shaded.
 */
export function drawVariationChart(w: ReportWriter, box: Box, d: VariationChartData): void {
  const { doc } = w;
  const labelW = 30;
  const plot: Box = { x: box.x + labelW, y: box.y + 12, width: box.width - labelW - 8, height: box.height - 12 - 46 };
  const all = [...d.kk, ...d.qk, d.aggregate, d.threshold, d.band?.high ?? 0];
  const ticks = niceTicks(Math.max(...all) * 1.05, 5);
  const xmax = ticks[ticks.length - 1] as number;
  const sx = (v: number) => plot.x + (Math.max(0, Math.min(v, xmax)) / xmax) * plot.width;
  const laneH = plot.height / 2;
  const kkY = plot.y + laneH / 2;
  const qkY = plot.y + laneH + laneH / 2;

  // frame and lanes
  doc.save().rect(plot.x, plot.y, plot.width, plot.height).lineWidth(0.4).strokeColor(COLOR.hairline).stroke();
  doc
    .moveTo(plot.x, plot.y + laneH)
    .lineTo(plot.x + plot.width, plot.y + laneH)
    .stroke()
    .restore();
  if (d.band)
    doc
      .save()
      .rect(sx(d.band.low), plot.y, sx(d.band.high) - sx(d.band.low), plot.height)
      .fill(COLOR.band)
      .restore();
  for (const t of ticks.slice(1, -1)) {
    doc
      .save()
      .moveTo(sx(t), plot.y)
      .lineTo(sx(t), plot.y + plot.height)
      .lineWidth(0.3)
      .strokeColor('#eceef0')
      .stroke()
      .restore();
  }
  w.textAt('K\u2013K', box.x, kkY - 4, { size: 7, font: 'bold', color: COLOR.k, width: labelW - 4, align: 'right' });
  w.textAt('Q\u2013K', box.x, qkY - 4, { size: 7, font: 'bold', color: COLOR.q, width: labelW - 4, align: 'right' });

  // K-K: a box plot (quartiles, median, min-max whiskers) with the pairs as dots above it
  const kk = [...d.kk].sort((a, b) => a - b);
  if (kk.length) {
    const q1 = quantile(kk, 0.25);
    const q2 = quantile(kk, 0.5);
    const q3 = quantile(kk, 0.75);
    const bh = laneH * 0.34;
    const by = kkY + laneH * 0.14;
    doc.save().lineWidth(0.7).strokeColor(COLOR.k);
    doc
      .moveTo(sx(kk[0] as number), by)
      .lineTo(sx(q1), by)
      .moveTo(sx(q3), by)
      .lineTo(sx(kk[kk.length - 1] as number), by)
      .stroke();
    for (const v of [kk[0] as number, kk[kk.length - 1] as number])
      doc
        .moveTo(sx(v), by - bh / 3)
        .lineTo(sx(v), by + bh / 3)
        .stroke();
    doc.rect(sx(q1), by - bh / 2, Math.max(0.8, sx(q3) - sx(q1)), bh).fillAndStroke('#dfe3e7', COLOR.k);
    doc
      .moveTo(sx(q2), by - bh / 2)
      .lineTo(sx(q2), by + bh / 2)
      .lineWidth(1.4)
      .stroke();
    doc.restore();
    const step = Math.max(1, Math.ceil(d.kk.length / 400));
    doc.save().fillColor(COLOR.k).fillOpacity(0.8);
    d.kk.forEach((v, i) => {
      if (i % step) return;
      const jitter = ((i * 0.6180339887) % 1) * laneH * 0.26;
      doc.circle(sx(v), kkY - laneH * 0.4 + 1.5 + jitter, 1.2).fill();
    });
    doc.restore();
  } else {
    w.textAt('no K\u2013K pairs', plot.x + 4, kkY - 4, { size: TICK_SIZE, color: COLOR.muted, width: plot.width });
  }

  // Q-K distances and the aggregate
  doc.save().lineWidth(0.7).strokeColor(COLOR.q);
  d.qk.forEach((v, i) => {
    const jitter = (((i * 0.6180339887) % 1) - 0.5) * laneH * 0.55;
    doc.circle(sx(v), qkY + jitter, 1.8).stroke();
  });
  doc.restore();
  diamond(w, sx(d.aggregate), qkY, 4.2, COLOR.q);

  // threshold
  const tx = sx(d.threshold);
  dashedVertical(w, tx, plot.y - 2, plot.y + plot.height, COLOR.text);
  w.textAt(`threshold ${d.axisLabel ? d.threshold.toFixed(2) : formatDistance(d.threshold)}`, tx - 50, box.y, { size: TICK_SIZE, width: 100, align: 'center' });

  axisX(w, plot, ticks, sx, d.axisLabel ?? 'distance between signatures (smaller = more alike)', (v) => String(v));
  const entries = [
    { label: 'K\u2013K pair', draw: (cx: number, cy: number) => void doc.save().circle(cx, cy, 1.5).fill(COLOR.k).restore() },
    { label: 'Q to each K', draw: (cx: number, cy: number) => void doc.save().lineWidth(0.7).circle(cx, cy, 1.8).stroke(COLOR.q).restore() },
    { label: `Q, ${d.aggregateMethod}`, draw: (cx: number, cy: number) => diamond(w, cx, cy, 3.5, COLOR.q) },
  ];
  if (d.band) {
    entries.push({
      label: 'inconclusive',
      draw: (cx, cy) =>
        void doc
          .save()
          .rect(cx - 4, cy - 3, 8, 6)
          .fill(COLOR.band)
          .restore(),
    });
  }
  legend(w, box.x + labelW, plot.y + plot.height + 26, entries);
}

/** Overlaid density histograms of validation distances for same-writer and different-writer pairs. */
export function drawScoreDistributions(w: ReportWriter, box: Box, genuine: number[], impostor: number[], threshold: number | null): void {
  const { doc } = w;
  const plot: Box = { x: box.x + 8, y: box.y + 6, width: box.width - 16, height: box.height - 6 - 44 };
  const ticks = niceTicks(Math.max(...genuine, ...impostor, threshold ?? 0) * 1.02, 5);
  const xmax = ticks[ticks.length - 1] as number;
  const bins = 36;
  const hist = (vals: number[]) => {
    const h = new Array<number>(bins).fill(0);
    for (const v of vals) h[Math.min(bins - 1, Math.max(0, Math.floor((v / xmax) * bins)))]! += 1 / vals.length;
    return h;
  };
  const hg = hist(genuine);
  const hi = hist(impostor);
  const ymax = Math.max(...hg, ...hi) * 1.1 || 1;
  const sx = (v: number) => plot.x + (v / xmax) * plot.width;
  const sy = (v: number) => plot.y + plot.height - (v / ymax) * plot.height;
  doc.save().rect(plot.x, plot.y, plot.width, plot.height).lineWidth(0.4).strokeColor(COLOR.hairline).stroke().restore();
  const step = (h: number[], stroke: string, fill: string) => {
    doc.save().moveTo(plot.x, sy(0));
    h.forEach((v, i) => doc.lineTo(sx((i * xmax) / bins), sy(v)).lineTo(sx(((i + 1) * xmax) / bins), sy(v)));
    doc.lineTo(sx(xmax), sy(0)).closePath().fillOpacity(0.28).lineWidth(0.8).fillAndStroke(fill, stroke).restore();
  };
  if (genuine.length) step(hg, COLOR.k, '#8fa3b3');
  if (impostor.length) step(hi, COLOR.q, '#d99a9a');
  if (threshold !== null) {
    dashedVertical(w, sx(threshold), plot.y, plot.y + plot.height, COLOR.text);
    w.textAt('case threshold', sx(threshold) + 3, plot.y + 3, { size: TICK_SIZE, color: COLOR.text, width: 80 });
  }
  axisX(w, plot, ticks, sx, 'distance', (v) => String(v));
  legend(w, plot.x, plot.y + plot.height + 26, [
    {
      label: `same writer (n = ${genuine.length})`,
      draw: (cx, cy) =>
        void doc
          .save()
          .rect(cx - 4, cy - 3, 8, 6)
          .fillOpacity(0.5)
          .fillAndStroke('#8fa3b3', COLOR.k)
          .restore(),
    },
    {
      label: `different writer / forgery (n = ${impostor.length})`,
      draw: (cx, cy) =>
        void doc
          .save()
          .rect(cx - 4, cy - 3, 8, 6)
          .fillOpacity(0.5)
          .fillAndStroke('#d99a9a', COLOR.q)
          .restore(),
    },
  ]);
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function probit(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -probit(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** DET curve: false rejection against false acceptance on normal-deviate axes, EER marked. */
export function drawDetCurve(w: ReportWriter, box: Box, far: number[], frr: number[], eer: number | null): void {
  const { doc } = w;
  const tickP = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4];
  const pmin = 0.0007;
  const pmax = 0.55;
  const plot: Box = { x: box.x + 34, y: box.y + 6, width: box.width - 42, height: box.height - 6 - 32 };
  const span = probit(pmax) - probit(pmin);
  const sx = (p: number) => plot.x + ((probit(Math.min(pmax, Math.max(pmin, p))) - probit(pmin)) / span) * plot.width;
  const sy = (p: number) => plot.y + plot.height - ((probit(Math.min(pmax, Math.max(pmin, p))) - probit(pmin)) / span) * plot.height;
  const pct = (p: number) => `${Number((p * 100).toPrecision(2))}%`;
  doc.save().rect(plot.x, plot.y, plot.width, plot.height).lineWidth(0.4).strokeColor(COLOR.hairline).stroke();
  for (const p of tickP) {
    doc
      .moveTo(sx(p), plot.y)
      .lineTo(sx(p), plot.y + plot.height)
      .moveTo(plot.x, sy(p))
      .lineTo(plot.x + plot.width, sy(p));
  }
  doc.lineWidth(0.3).strokeColor('#eceef0').stroke().restore();
  for (const p of [0.001, 0.01, 0.05, 0.2, 0.4]) {
    w.textAt(pct(p), sx(p) - 15, plot.y + plot.height + 3, { size: TICK_SIZE, color: COLOR.muted, width: 30, align: 'center' });
    w.textAt(pct(p), plot.x - 33, sy(p) - 3.5, { size: TICK_SIZE, color: COLOR.muted, width: 30, align: 'right' });
  }
  w.textAt('false acceptance rate', plot.x, plot.y + plot.height + 13, { size: TICK_SIZE, color: COLOR.muted, width: plot.width, align: 'center' });
  doc.save().rotate(-90, { origin: [box.x + 2, plot.y + plot.height / 2] });
  w.textAt('false rejection rate', box.x + 2 - plot.height / 2, plot.y + plot.height / 2 - 8, {
    size: TICK_SIZE,
    color: COLOR.muted,
    width: plot.height,
    align: 'center',
  });
  doc.restore();
  // equal-error diagonal
  doc.save().moveTo(sx(pmin), sy(pmin)).lineTo(sx(pmax), sy(pmax)).lineWidth(0.5).dash(1.5, { space: 2 }).strokeColor(COLOR.rule).stroke().undash().restore();
  // rates of exactly 0 or 1 have no place on normal-deviate axes: the curve ends where the data does
  const pts = far
    .map((f, i) => [f, frr[i] as number] as const)
    .filter(([f, r]) => f > 0 && f < 1 && r > 0 && r < 1)
    .sort((p1, p2) => p1[0] - p2[0] || p2[1] - p1[1]);
  doc.save().rect(plot.x, plot.y, plot.width, plot.height).clip();
  pts.forEach(([f, r], i) => (i ? doc.lineTo(sx(f), sy(r)) : doc.moveTo(sx(f), sy(r))));
  doc.lineWidth(1.1).strokeColor(COLOR.accent).stroke().restore();
  if (eer !== null && eer > 0) {
    doc.save().circle(sx(eer), sy(eer), 2.4).fill(COLOR.q).restore();
    w.textAt(`EER ${pct(eer)}`, sx(eer) + 4, sy(eer) - 10, { size: TICK_SIZE, color: COLOR.q, width: 60 });
  }
}
