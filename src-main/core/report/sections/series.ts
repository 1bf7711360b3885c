/**
 * Series: the questioned signatures grouped by hand (verify/series.ts), with the method and
 * the caution that a grouping is a lead for examination, not a finding.
 */
import { formatParameter } from '../format.ts';
import { CONTENT_WIDTH, type ReportWriter } from '../pdf-writer.ts';
import { drawTable } from '../table.ts';
import type { ReportSeries } from '../types.ts';

export function drawSeries(w: ReportWriter, s: ReportSeries): void {
  w.newPage();
  w.heading('Series: questioned signatures grouped by hand');
  const groups = s.groups.filter((g) => g.members.length > 1);
  const singles = s.groups.length - groups.length;
  w.text(
    `The questioned signatures were grouped by ${s.linkage}-linkage agglomerative clustering on the distance between each two of them (${s.basis}); ` +
      `groups were joined while their average distance was at most ${formatParameter(s.cut)} (the ${s.cutSource}). ` +
      `${groups.length} group${groups.length === 1 ? '' : 's'} of two or more and ${singles} singleton${singles === 1 ? '' : 's'} resulted. ` +
      'A group says that these signatures resemble each other more than the writers they claim to be vary; it is a lead for examination, not a finding that one person wrote them.',
    { size: 9, after: 6 },
  );
  const rows: string[][] = [];
  s.groups.forEach((g, i) => {
    const label = g.members.length > 1 ? `Group ${i + 1}` : 'Singleton';
    const within = g.within ? `mean ${g.within.mean.toFixed(2)}, max ${g.within.max.toFixed(2)}` : '\u2013';
    g.members.forEach((m, j) => rows.push([j === 0 ? label : '', m.documentLabel, m.claimedSubject || '\u2013', j === 0 ? within : '']));
  });
  drawTable(
    w,
    [
      { header: 'Group', width: 70 },
      { header: 'Questioned document', width: 200 },
      { header: 'Claimed subject', width: 100 },
      { header: 'Within-group distance', width: CONTENT_WIDTH - 370 },
    ],
    rows,
    { size: 8, continuationTitle: 'Series (continued)' },
  );
}
