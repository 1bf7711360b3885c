/**
 * One section per questioned item, headed by the document's name: images, references, distances,
 * the score named for what it is with its explanation, the variation chart (in score units: for
 * a 'kk-ratio' score every distance is divided by the comparison's scale, so the threshold sits
 * where it is decided), the LR with the sign of its bound, the decision and warnings.
 */
import { drawVariationChart } from '../charts.ts';
import { drawImageInBox, type RenderContext } from '../render-context.ts';
import { decisionText, formatDistance, formatLog10LrBounded, formatLr, formatProposition, formatScore } from '../format.ts';
import { BODY_BOTTOM, COLOR, CONTENT_WIDTH, PAGE, type ReportWriter } from '../pdf-writer.ts';
import { drawTable, type Column } from '../table.ts';
import type { ReportBench, ReportDecision, ReportItem, ReportScore } from '../types.ts';
import { drawBenchMarks, drawBenchRecord } from './bench.ts';

/** Box sizes in points; images.ts prepares pixels for these boxes. */
export const ITEM_BOX = {
  main: { width: (CONTENT_WIDTH - 12) / 2, height: 100 },
  thumb: { width: (CONTENT_WIDTH - 5 * 6) / 6, height: 40 },
} as const;
const GRID_COLS = 6;
const CHART = { width: 252, height: 136 };
const LABEL_W = 100;

/** The item's score; inputs from before the score existed: the aggregate mean distance. */
export function itemScore(it: ReportItem): ReportScore {
  return (
    it.score ?? {
      method: 'mean-distance',
      label: 'mean distance',
      value: it.aggregate.value,
      meanDistance: it.aggregate.value,
      scale: 1,
      explanation: `the questioned signature's ${it.aggregate.method} distance to the references is ${formatDistance(it.aggregate.value)}`,
    }
  );
}

export function baseName(p: string): string {
  return p.split('/').pop() ?? p;
}

export function decisionColor(d: ReportDecision): string {
  return d === 'supports genuine' ? COLOR.accent : d === 'supports not genuine' ? COLOR.q : COLOR.muted;
}

export function drawItem(w: ReportWriter, ctx: RenderContext, index: number): void {
  const it = ctx.input.items[index] as ReportItem;
  const prep = ctx.items[index]!;
  const fig = { documentId: it.documentId };
  w.newPage();

  // title block
  w.text(`QUESTIONED ITEM ${index + 1} OF ${ctx.input.items.length}`, { size: 7.5, color: COLOR.muted, characterSpacing: 0.4, after: 2 });
  const titleY = w.y;
  w.text(baseName(it.documentLabel), { font: 'bold', size: 14, color: COLOR.accent, width: CONTENT_WIDTH - 130, after: 2 });
  drawDecisionBadge(w, it.decision, PAGE.width - PAGE.right, titleY + 1);
  w.text(`Document: ${it.documentLabel} (document ${it.documentId})     Claimed subject: ${it.claimedSubject}`, { size: 9, after: 4 });
  w.text(`Hp: ${formatProposition(ctx.input.propositions.hp, it.claimedSubject)}`, { size: 8, color: COLOR.muted });
  w.text(`Hd: ${formatProposition(ctx.input.propositions.hd, it.claimedSubject)}`, { size: 8, color: COLOR.muted, after: 6 });
  w.rule();
  w.y += 8;

  // questioned crop and its place in the document
  const main = ITEM_BOX.main;
  w.ensure(main.height + 14);
  const capY = w.y;
  const x2 = PAGE.left + main.width + 12;
  w.textAt('Questioned signature (Q)', PAGE.left, capY, { font: 'bold', size: 8.5, width: main.width });
  w.textAt('Location in the questioned document', x2, capY, { font: 'bold', size: 8.5, width: main.width });
  const boxY = capY + 13;
  drawImageInBox(w, ctx, prep.questioned, { x: PAGE.left, y: boxY, ...main }, { ...fig, kind: 'questioned' });
  if (it.bench) drawBenchMarks(w, w.figures.at(-1)!, it.bench, it.bench.questionedSignatureId);
  if (prep.context) drawImageInBox(w, ctx, prep.context, { x: x2, y: boxY, ...main }, { ...fig, kind: 'context' });
  else {
    w.doc.save().rect(x2, boxY, main.width, main.height).lineWidth(0.5).strokeColor(COLOR.hairline).stroke().restore();
    w.textAt('not available', x2, boxY + main.height / 2 - 5, { size: 8, color: COLOR.muted, width: main.width, align: 'center' });
  }
  w.y = boxY + main.height + 12;

  drawReferenceGrid(w, ctx, it, index);
  drawMeasurements(w, ctx, it);
  drawResult(w, ctx, it);
  if (it.bench) drawBenchRecord(w, it.bench, baseName(it.documentLabel));
}

function drawDecisionBadge(w: ReportWriter, d: ReportDecision, right: number, y: number): void {
  const label = decisionText(d).toUpperCase();
  w.style({ font: 'bold', size: 7.5 });
  const tw = w.doc.widthOfString(label, { characterSpacing: 0.6 });
  const bw = tw + 16;
  const color = decisionColor(d);
  w.doc
    .save()
    .roundedRect(right - bw, y, bw, 17, 2)
    .lineWidth(0.9)
    .strokeColor(color)
    .stroke()
    .restore();
  w.textAt(label, right - bw + 8, y + 4.5, { font: 'bold', size: 7.5, color, width: tw + 4, characterSpacing: 0.6 });
}

function drawReferenceGrid(w: ReportWriter, ctx: RenderContext, it: ReportItem, index: number): void {
  const prep = ctx.items[index]!;
  const t = ITEM_BOX.thumb;
  const cellH = t.height + 14;
  w.ensure(14 + cellH);
  w.text(`Known signatures of ${it.claimedSubject} (K), n = ${it.references.length}`, { font: 'bold', size: 8.5, after: 4 });
  if (!it.references.length) {
    w.text('No reference signatures.', { size: 8.5, color: COLOR.muted, after: 8 });
    return;
  }
  it.references.forEach((ref, j) => {
    const col = j % GRID_COLS;
    if (col === 0 && j > 0) w.y += cellH;
    if (col === 0) w.ensure(cellH);
    const x = PAGE.left + col * (t.width + 6);
    drawImageInBox(w, ctx, prep.references[j]!, { x, y: w.y, ...t }, { documentId: it.documentId, signatureId: ref.signatureId, kind: 'reference' });
    if (it.bench) drawBenchMarks(w, w.figures.at(-1)!, it.bench as ReportBench, ref.signatureId);
    const label = w.fit(`K${j + 1}  ${ref.label}`, t.width, { size: 6.5 });
    w.textAt(label, x, w.y + t.height + 2.5, { size: 6.5, color: COLOR.muted, width: t.width + 10 });
  });
  w.y += cellH + 6;
}

const DISTANCE_COLUMNS: Column[] = [
  { header: 'K', width: 26 },
  { header: 'Reference', width: 140 },
  { header: 'd(Q, K)', width: 52, align: 'right' },
];

function drawMeasurements(w: ReportWriter, ctx: RenderContext, it: ReportItem): void {
  const c = ctx.input.case;
  const rows = it.references.map((r, j) => [`K${j + 1}`, r.label, formatDistance(r.distance)]);
  const tableWidth = DISTANCE_COLUMNS.reduce((s, col) => s + col.width, 0);
  const chartX = PAGE.width - PAGE.right - CHART.width;
  const summary = measurementSummary(it);
  const summaryHeight = (width: number) =>
    summary.reduce((s, [l, v]) => s + Math.max(w.measure(l, { size: 8, width: LABEL_W - 8 }), w.measure(v, { size: 8, width: width - LABEL_W })) + 3.5, 0) + 6;
  const tableHeight = 16 + rows.reduce((s, r) => s + w.measure(r[1] as string, { size: 8, width: 132 }) + 4, 0) + 8;
  const chartHeight = CHART.height + 4;
  // the summary goes under whichever column leaves the block shorter
  const underTable = Math.max(tableHeight + summaryHeight(tableWidth), chartHeight);
  const underChart = Math.max(tableHeight, chartHeight + summaryHeight(CHART.width));
  const blockHeight = 16 + Math.min(underTable, underChart);
  const sc = itemScore(it);
  const ratio = sc.method === 'kk-ratio';
  // One axis in the units the decision is made in (score units for kk-ratio).
  const chartData = {
    kk: it.kkSpread.values.map((v) => v / sc.scale),
    qk: it.references.map((r) => r.distance / sc.scale),
    aggregate: sc.value,
    aggregateMethod: ratio ? 'score' : it.aggregate.method,
    threshold: c.threshold,
    band: c.inconclusiveBand,
    axisLabel: ratio ? `distance \u00f7 the references\u2019 spread (${formatDistance(sc.scale)}): score units` : undefined,
  };

  if (blockHeight <= BODY_BOTTOM - PAGE.top) {
    // side by side whenever both columns fit on one page
    w.ensure(blockHeight);
    const top = w.y;
    w.textAt('Distances to the references', PAGE.left, top, { font: 'bold', size: 8.5, width: tableWidth });
    w.textAt('Q against the writer\u2019s natural variation', chartX, top, { font: 'bold', size: 8.5, width: CHART.width });
    drawVariationChart(w, { x: chartX, y: top + 16, width: CHART.width, height: CHART.height }, chartData);
    w.y = top + 14;
    if (rows.length) drawTable(w, DISTANCE_COLUMNS, rows, { size: 8, padY: 2 });
    else w.text('none', { size: 8, color: COLOR.muted, after: 6 });
    if (underTable <= underChart) {
      w.keyValues(summary, LABEL_W, { x: PAGE.left, width: tableWidth, size: 8 });
    } else {
      w.y = top + 16 + chartHeight;
      w.keyValues(summary, LABEL_W, { x: chartX, width: CHART.width, size: 8 });
    }
    w.y = top + blockHeight;
  } else {
    // many references: chart and summary first, then the table across pages
    w.ensure(16 + chartHeight);
    const top = w.y;
    w.textAt('Q against the writer\u2019s natural variation', PAGE.left, top, { font: 'bold', size: 8.5 });
    drawVariationChart(w, { x: PAGE.left, y: top + 16, width: CHART.width, height: CHART.height }, chartData);
    w.y = top + 16;
    w.keyValues(summary, LABEL_W, { x: PAGE.left + CHART.width + 16, width: CONTENT_WIDTH - CHART.width - 16, size: 8 });
    w.y = Math.max(w.y, top + 16 + chartHeight) + 8;
    w.text('Distances to the references', { font: 'bold', size: 8.5, after: 2 });
    drawTable(w, DISTANCE_COLUMNS, rows, { size: 8, padY: 2, continuationTitle: `${baseName(it.documentLabel)}: distances to the references (continued)` });
  }
}

function measurementSummary(it: ReportItem): Array<[string, string]> {
  const qk = it.references.map((r) => r.distance);
  const kk = it.kkSpread;
  const sc = itemScore(it);
  const rows: Array<[string, string]> =
    sc.method === 'kk-ratio'
      ? [
          ['Score (Q-K \u00f7 K-K)', `${formatScore(sc.value, sc.method)}: ${sc.explanation}`],
          ['Mean distance', `${formatDistance(sc.meanDistance)} (mean of ${qk.length}), divided by ${formatDistance(sc.scale)}`],
        ]
      : [['Mean distance (the score)', `${formatDistance(it.aggregate.value)} (${it.aggregate.method} of ${qk.length})`]];
  rows.push([
    'K\u2013K variation',
    kk.values.length
      ? `${formatDistance(kk.min)} \u2013 ${formatDistance(kk.max)}, median ${formatDistance(kk.median)} (${kk.values.length} pairs)`
      : 'not available (fewer than two references)',
  ]);
  rows.push([
    'Q within K\u2013K',
    it.qPercentile === null
      ? 'not available'
      : it.qPercentile >= 100
        ? 'above every K\u2013K distance'
        : it.qPercentile <= 0
          ? 'below every K\u2013K distance'
          : `above ${Math.min(99, Math.max(1, Math.round(it.qPercentile)))} % of K\u2013K distances`,
  ]);
  if (it.variation) rows.push(['Natural variation', it.variation]);
  return rows;
}

function drawResult(w: ReportWriter, ctx: RenderContext, it: ReportItem): void {
  const c = ctx.input.case;
  const innerW = CONTENT_WIDTH - 24;
  const bound = it.llrAtBound === true;
  const lrLine =
    it.log10Lr === null
      ? 'No likelihood ratio: the model is not calibrated, so no strength-of-evidence figure is given.'
      : `log10 LR ${bound ? '' : '= '}${formatLog10LrBounded(it.log10Lr, bound)}   (${formatLr(it.log10Lr, bound)})`;
  const verbal = it.verbal.trim();
  const sc = itemScore(it);
  const source =
    c.thresholdSource === 'model' ? 'the model\u2019s threshold, where its LR is 1' : c.thresholdSource === 'case' ? 'set for this case' : 'case threshold';
  const decision = `Decision at the threshold ${formatScore(c.threshold, sc.method)} (${source}; ${sc.label} ${formatScore(sc.value, sc.method)}): `;
  const warnings = it.warnings.map((x) => `${x.code}: ${x.message}`);
  const parts: Array<{ text: string; font: 'sans' | 'bold'; size: number; color?: string; gap: number }> = [
    { text: 'Strength of evidence', font: 'bold', size: 8, color: COLOR.muted, gap: 2 },
    { text: lrLine, font: 'bold', size: 10.5, gap: 3 },
  ];
  if (verbal) parts.push({ text: verbal, font: 'sans', size: 9, gap: bound ? 3 : 7 });
  if (bound && it.log10Lr !== null) {
    parts.push({
      text: `The LR is at the calibration\u2019s ${it.log10Lr >= 0 ? 'upper' : 'lower'} bound: the validation data behind the calibration cannot support a ${it.log10Lr >= 0 ? 'larger' : 'smaller'} value, so it is reported as ${it.log10Lr >= 0 ? 'at least' : 'at most'} this figure.`,
      font: 'sans',
      size: 8,
      color: COLOR.muted,
      gap: 7,
    });
  }
  parts.push({ text: decision + decisionText(it.decision), font: 'bold', size: 9, color: decisionColor(it.decision), gap: 7 });
  parts.push({ text: warnings.length ? 'Warnings' : 'Warnings: none', font: 'bold', size: 8, color: COLOR.muted, gap: 2 });
  for (const line of warnings) parts.push({ text: `\u2022  ${line}`, font: 'sans', size: 8.5, gap: 1.5 });
  const height = parts.reduce((s, p) => s + w.measure(p.text, { font: p.font, size: p.size, width: innerW }) + p.gap, 0) + 16;
  w.y += 4;
  w.ensure(height);
  const top = w.y;
  w.doc.save().rect(PAGE.left, top, CONTENT_WIDTH, height).fill(COLOR.panel).restore();
  w.doc.save().rect(PAGE.left, top, 2.5, height).fill(decisionColor(it.decision)).restore();
  let y = top + 8;
  for (const p of parts) {
    w.textAt(p.text, PAGE.left + 12, y, { font: p.font, size: p.size, color: p.color, width: innerW });
    y += w.measure(p.text, { font: p.font, size: p.size, width: innerW }) + p.gap;
  }
  w.y = top + height + 6;
}
