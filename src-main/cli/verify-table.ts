import { DECISION_LABELS } from '../core/verify/compare.ts';
import { shortVerbal } from '../core/verify/verbal.ts';
import type { VerifiedItem, VerifyCaseResult } from '../core/verify/verify-case.ts';
import { formatTable } from './table.ts';

// The verification table of `verify` and `demo`. It reads core modules that load zod, so the
// commands import it inside their run (a command module itself stays cheap to load: see
// docs/architecture.md, "CLI").

export function llrText(llr: number | null): string {
  return llr === null ? 'n/a' : (llr >= 0 ? '+' : '') + llr.toFixed(2);
}

/** The human summary table; `extra` adds columns (the demo adds the ground truth). */
export function verifyTable(r: VerifyCaseResult, extra?: { head: string; cell: (it: VerifiedItem) => string }): string[] {
  const ratio = r.items.some((it) => it.comparison.scoreMethod === 'kk-ratio');
  const head = [
    'DOC',
    'DOCUMENT',
    'SUBJECT',
    ratio ? 'SCORE (x K-K)' : 'MEAN DIST',
    'LOG10 LR',
    'SUPPORT',
    'DECISION',
    'WARNINGS',
    ...(extra ? [extra.head] : []),
  ];
  const rows = r.items.map((it) => [
    String(it.documentId),
    it.documentPath,
    it.subjectName,
    it.comparison.aggregate.toFixed(3),
    llrText(it.comparison.llr),
    shortVerbal(it.comparison.llr),
    DECISION_LABELS[it.comparison.decision],
    it.comparison.warnings
      .filter((w) => w.code !== 'UNCALIBRATED')
      .map((w) => w.code)
      .join(',') || '-',
    ...(extra ? [extra.cell(it)] : []),
  ]);
  return formatTable(head, rows, { numeric: [0, 3, 4] });
}
