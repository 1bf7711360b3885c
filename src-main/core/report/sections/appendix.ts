/** Method and validation appendix: model provenance, preprocessing, calibration, metrics, charts, verbal scale. */
import { drawDetCurve, drawScoreDistributions } from '../charts.ts';
import type { RenderContext } from '../render-context.ts';
import { formatDistance, formatParameter, formatPercent } from '../format.ts';
import { COLOR, CONTENT_WIDTH, PAGE, type ReportWriter } from '../pdf-writer.ts';
import { drawTable } from '../table.ts';
import { ENFSI_SCALE } from '../../verify/verbal.ts';

const METHOD_TEXT =
  'Each questioned signature was located on its document, cropped and normalised with the preprocessing parameters ' +
  'listed below (greyscale, ink isolated from the background, inverted and scaled onto the model\u2019s input canvas). ' +
  'A Siamese convolutional ' +
  'network (SigNet, Dey et al. 2017) maps each normalised signature to an embedding; the Euclidean distance between two ' +
  'embeddings measures how unlike the signatures are. The questioned signature (Q) is compared with every known ' +
  'signature (K) of the claimed subject and the distances are averaged. The distances among the known signatures ' +
  '(K\u2013K) show the writer\u2019s natural variation. For current models the score is the mean Q\u2013K distance divided by ' +
  'the references\u2019 own mean K\u2013K distance (shrunk toward the model\u2019s typical spread): a score of 2 means Q is twice ' +
  'as far from the references as they are from each other; for older models the score is the mean distance itself. ' +
  'Where the model is calibrated, the score is converted ' +
  'to a likelihood ratio for Hp against Hd by the calibration below, fitted on validation data and stored with the ' +
  'model; its verbal equivalent follows the ENFSI Guideline for Evaluative Reporting in Forensic Science (2015). ' +
  'The model\u2019s threshold is the score where its likelihood ratio is 1, and results whose likelihood ratio lies between ' +
  '1/2 and 2 are inconclusive, so at that threshold the decision and the verbal equivalent never disagree; where the ' +
  'examiner set another threshold, each item whose decision disagrees with its likelihood ratio carries the warning ' +
  'DECISION_AGAINST_LR. The decision at the case threshold is a screening aid; it is not an opinion on authorship.';

export function drawAppendix(w: ReportWriter, ctx: RenderContext): void {
  const { model: m, appVersion, case: c } = ctx.input;
  w.newPage();
  w.heading('Method, model and validation');
  w.text(METHOD_TEXT, { size: 8.5, lineGap: 2, after: 4, align: 'justify' });

  if (m.card) {
    w.heading('Model card', 2);
    w.keyValues([
      ['Training data', m.card.trainingData],
      ['Validation data', m.card.validationData],
      [
        'Validation writers',
        m.card.validationWriters === null
          ? 'not recorded'
          : `${m.card.validationWriters}${m.card.validationWriters < 10 ? ' (fewer than 10: not enough validation data to rely on the figures below)' : ''}`,
      ],
      ['Score', m.card.scoring],
      ['Threshold', m.card.threshold],
    ]);
  }

  w.heading('Model', 2);
  w.keyValues([
    ['Name', m.name],
    ['Model id', m.id],
    ['Version', m.version],
    ['SHA-256 of weights', m.sha256, { font: 'mono', size: 8 }],
    ['Architecture', m.architecture],
    ['Backend (this run)', m.backend],
    ...(m.trainingSummary ? [['Training data', m.trainingSummary] as [string, string]] : []),
    ['Software', `Countersign ${appVersion}`],
  ]);

  const pre = Object.keys(m.preprocessing).sort();
  if (pre.length) {
    w.heading('Preprocessing parameters', 2);
    w.keyValues(pre.map((k) => [k, formatParameter(m.preprocessing[k]!)]));
  }

  w.heading('Calibration', 2);
  if (m.calibration) {
    const params = m.calibration.parameters ?? {};
    w.keyValues([
      ['Method', m.calibration.method],
      ['Summary', m.calibration.summary],
      ...Object.keys(params)
        .sort()
        .map((k) => [k, formatParameter(params[k]!)] as [string, string]),
    ]);
  } else {
    w.text('None. The model has no calibration, so this report gives distances and decisions but no likelihood ratios.', { size: 9, after: 4 });
  }

  w.heading('Validation metrics', 2);
  const mt = m.metrics;
  const rows: Array<[string, string]> = [
    ['Equal error rate (EER)', formatPercent(mt.eer, 2)],
    ['Cllr', mt.cllr === null ? 'not available (uncalibrated)' : mt.cllr.toFixed(3)],
    ['Cllr min (after PAV)', mt.cllrMin === null ? 'not available' : mt.cllrMin.toFixed(3)],
    ['AUC', mt.auc.toFixed(3)],
  ];
  if (mt.genuineComparisons !== undefined || mt.impostorComparisons !== undefined) {
    rows.push(['Comparisons', `${mt.genuineComparisons ?? '?'} same-writer, ${mt.impostorComparisons ?? '?'} different-writer or forged`]);
  }
  if (mt.dataset) rows.push(['Validation data', mt.dataset]);
  rows.push(['Case threshold', `${formatDistance(c.threshold)} (on the score)`]);
  w.keyValues(rows);
  w.text(
    'Cllr is the log-likelihood-ratio cost (0 is perfect, 1 is an uninformative system); Cllr min is the cost after optimal ' +
      'calibration, so their difference is the calibration loss.',
    { size: 7.5, color: COLOR.muted, after: 4 },
  );

  const dist = m.scoreDistributions;
  const det = m.det;
  if ((dist && (dist.genuine.length || dist.impostor.length)) || (det && det.far.length)) {
    const chartW = (CONTENT_WIDTH - 16) / 2;
    const chartH = 190;
    w.ensure(chartH + 20);
    const top = w.y + 6;
    w.textAt('Validation distance distributions', PAGE.left, top, { font: 'bold', size: 8.5, width: chartW });
    w.textAt('DET curve', PAGE.left + chartW + 16, top, { font: 'bold', size: 8.5, width: chartW });
    const box1 = { x: PAGE.left, y: top + 14, width: chartW, height: chartH };
    const box2 = { x: PAGE.left + chartW + 16, y: top + 14, width: chartW, height: chartH };
    if (dist && (dist.genuine.length || dist.impostor.length)) drawScoreDistributions(w, box1, dist.genuine, dist.impostor, c.threshold);
    else w.textAt('No validation distances recorded.', box1.x, box1.y + 20, { size: 8, color: COLOR.muted, width: chartW });
    if (det && det.far.length) drawDetCurve(w, box2, det.far, det.frr, mt.eer);
    else w.textAt('No DET data recorded.', box2.x, box2.y + 20, { size: 8, color: COLOR.muted, width: chartW });
    w.y = top + 14 + chartH + 8;
  } else {
    w.text('No validation score data is recorded with this model.', { size: 8.5, color: COLOR.muted, after: 4 });
  }

  w.heading('Verbal scale (ENFSI 2015)', 2);
  w.text('The verbal equivalent expresses the likelihood ratio in words. An LR below 1 supports Hd by the same scale applied to 1/LR.', {
    size: 8.5,
    after: 4,
  });
  drawTable(
    w,
    [
      { header: 'Likelihood ratio', width: 140 },
      { header: 'Verbal equivalent', width: 220 },
    ],
    ENFSI_SCALE.map((b) => [b.lrRange, b.phrase]),
    { size: 8 },
  );
}
