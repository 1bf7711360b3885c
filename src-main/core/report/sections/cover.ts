/** Page 1 onwards: title block, case details, propositions, overview and the summary table. */
import type { RenderContext } from '../render-context.ts';
import { decisionText, enfsiVerbalLabel, formatDate, formatLog10LrBounded, formatProposition, formatScore, formatTimestamp } from '../format.ts';
import { baseName, itemScore } from './item.ts';
import { COLOR, CONTENT_WIDTH, PAGE, type ReportWriter } from '../pdf-writer.ts';
import { drawTable, type Column } from '../table.ts';

export function drawCover(w: ReportWriter, ctx: RenderContext): void {
  const { input } = ctx;
  const c = input.case;
  const kicker = input.laboratory ? `${input.laboratory}  \u00b7  forensic signature comparison` : 'Forensic signature comparison';
  w.y = 56;
  w.text(kicker.toUpperCase(), { size: 7.5, color: COLOR.muted, characterSpacing: 0.4, after: 6 });
  w.text('Signature comparison report', { font: 'bold', size: 21, color: COLOR.accent, after: 3 });
  w.text(c.name, { size: 12.5, after: 8 });
  w.rule(w.y, COLOR.accent, 1.2);
  w.y += 12;

  const method = input.items.some((it) => itemScore(it).method === 'kk-ratio') ? 'kk-ratio' : 'mean-distance';
  const f = (v: number) => formatScore(v, method);
  const band = c.inconclusiveBand ? `${f(c.inconclusiveBand.low)} to ${f(c.inconclusiveBand.high)}` : 'none';
  const on = method === 'kk-ratio' ? 'score: Q\u2019s mean distance to the references \u00f7 their own spread' : 'mean distance of Q to the references';
  const source = c.thresholdSource === 'model' ? ', the model\u2019s threshold (where its LR is 1)' : c.thresholdSource === 'case' ? ', set for this case' : '';
  const m = input.model;
  const placed = w.keyValues([
    ['Case', c.name, { font: 'bold' }],
    ['Case reference', c.id],
    ['Examiner', c.examiner],
    ['Case opened', formatDate(c.createdAt)],
    ['Report generated', ' '], // the timestamp is drawn last (see render.ts)
    ['Questioned items', String(input.items.length)],
    ['Model', `${m.name} ${m.version} (${m.architecture}, backend ${m.backend})`],
    ['Decision threshold', `${f(c.threshold)} (${on}${source}); inconclusive: ${band}`],
    ['Software', `Countersign ${input.appVersion}`],
  ]);
  const ts = placed[4] as { page: number; x: number; y: number };
  w.deferred.push(() => {
    w.doc.switchToPage(ts.page - 1);
    w.textAt(formatTimestamp(input.generatedAt), ts.x, ts.y, { size: 9 });
  });
  if (c.notes.trim()) {
    w.y += 2;
    w.keyValues([['Notes', c.notes.trim()]]);
  }

  w.y += 8;
  drawPropositions(w, formatProposition(input.propositions.hp, 'the claimed subject'), formatProposition(input.propositions.hd, 'the claimed subject'));

  const counts = { genuine: 0, notGenuine: 0, inconclusive: 0, warned: 0 };
  for (const it of input.items) {
    if (it.decision === 'supports genuine') counts.genuine++;
    else if (it.decision === 'supports not genuine') counts.notGenuine++;
    else counts.inconclusive++;
    if (it.warnings.length) counts.warned++;
  }
  w.y += 4;
  w.text(
    `Of ${input.items.length} questioned signature${input.items.length === 1 ? '' : 's'}, ${counts.genuine} ${counts.genuine === 1 ? 'supports' : 'support'} ` +
      `the genuine proposition, ${counts.notGenuine} the alternative and ${counts.inconclusive} ${counts.inconclusive === 1 ? 'is' : 'are'} inconclusive at the case threshold; ` +
      `${counts.warned} carr${counts.warned === 1 ? 'ies' : 'y'} warnings. ` +
      (m.calibration ? '' : 'The model is not calibrated: no likelihood ratios are given. ') +
      `These figures support, and do not replace, the examiner\u2019s conclusion. Each item is detailed in its own section; then the files that were not compared, the box corrections, the threshold history, ${input.series ? 'the questioned signatures grouped by hand, ' : ''}the method and model, and the integrity data.`,
    { size: 9, lineGap: 2, after: 10 },
  );

  w.heading('Summary of questioned items', 2);
  drawSummaryTable(w, ctx);
}

function drawPropositions(w: ReportWriter, hp: string, hd: string): void {
  const labelW = 26;
  const width = CONTENT_WIDTH - 20 - labelW;
  const hHp = w.measure(hp, { size: 9, width });
  const hHd = w.measure(hd, { size: 9, width });
  const height = 22 + hHp + hHd + 14;
  w.ensure(height);
  const top = w.y;
  w.doc.save().rect(PAGE.left, top, CONTENT_WIDTH, height).fill(COLOR.panel).restore();
  w.doc.save().rect(PAGE.left, top, 2.5, height).fill(COLOR.accent).restore();
  w.textAt('Propositions compared', PAGE.left + 10, top + 7, { font: 'bold', size: 9 });
  let y = top + 22;
  w.textAt('Hp', PAGE.left + 10, y, { font: 'bold', size: 9, color: COLOR.accent, width: labelW });
  w.textAt(hp, PAGE.left + 10 + labelW, y, { size: 9, width });
  y += hHp + 4;
  w.textAt('Hd', PAGE.left + 10, y, { font: 'bold', size: 9, color: COLOR.accent, width: labelW });
  w.textAt(hd, PAGE.left + 10 + labelW, y, { size: 9, width });
  w.y = top + height + 6;
}

export const SUMMARY_COLUMNS: Column[] = [
  { header: '#', width: 25, align: 'right' },
  { header: 'Document', width: 110 },
  { header: 'Claimed subject', width: 80 },
  { header: 'log10 LR', width: 38, align: 'right' },
  { header: 'Verbal equivalent', width: 84 },
  { header: 'Decision', width: 68 },
  { header: 'Warnings', width: CONTENT_WIDTH - 25 - 110 - 80 - 38 - 84 - 68, size: 6.5 },
];

function drawSummaryTable(w: ReportWriter, ctx: RenderContext): void {
  const rows = ctx.input.items.map((it, i) => [
    String(i + 1),
    { text: `${baseName(it.documentLabel)}\n${it.documentLabel} (document ${it.documentId})`, font: 'sans' as const },
    it.claimedSubject,
    formatLog10LrBounded(it.log10Lr, it.llrAtBound === true),
    it.verbalLabel ?? enfsiVerbalLabel(it.log10Lr),
    { text: decisionText(it.decision), font: 'bold' as const },
    it.warnings.length ? it.warnings.map((x) => x.code).join(', ') : '\u2013',
  ]);
  drawTable(w, SUMMARY_COLUMNS, rows, { size: 8, continuationTitle: 'Summary of questioned items (continued)' });
  w.text(
    'log10 LR: base-10 logarithm of the likelihood ratio for Hp against Hd (positive values support Hp); \u2265 or \u2264 marks a value at a bound of the calibration (the validation data cannot support a more extreme one). ' +
      'Verbal equivalents follow the ENFSI Guideline for Evaluative Reporting (2015); the scale is given in the appendix.',
    { size: 7.5, color: COLOR.muted },
  );
}
