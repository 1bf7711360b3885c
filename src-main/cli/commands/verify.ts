import { AppError } from '../../core/errors.ts';
import { DECISION_LABELS } from '../../core/verify/compare.ts';
import { shortVerbal } from '../../core/verify/verbal.ts';
import { caseWarnings, verifyJson } from '../../core/verify/summary.ts';
import { verifyCase, type VerifiedItem, type VerifyCaseResult } from '../../core/verify/verify-case.ts';
import { str, type Command } from '../command.ts';
import { formatTable } from '../table.ts';

export function llrText(llr: number | null): string {
  return llr === null ? 'n/a' : (llr >= 0 ? '+' : '') + llr.toFixed(2);
}

/** The human summary table; `extra` adds columns (the demo adds the ground truth). */
export function verifyTable(r: VerifyCaseResult, extra?: { head: string; cell: (it: VerifiedItem) => string }): string[] {
  const ratio = r.items.some((it) => it.comparison.scoreMethod === 'kk-ratio');
  const head = ['DOC', 'DOCUMENT', 'SUBJECT', ratio ? 'SCORE (x K-K)' : 'MEAN DIST', 'LOG10 LR', 'SUPPORT', 'DECISION', 'WARNINGS', ...(extra ? [extra.head] : [])];
  const rows = r.items.map((it) => [
    String(it.documentId),
    it.documentPath,
    it.subjectName,
    it.comparison.aggregate.toFixed(3),
    llrText(it.comparison.llr),
    shortVerbal(it.comparison.llr),
    DECISION_LABELS[it.comparison.decision],
    it.comparison.warnings.filter((w) => w.code !== 'UNCALIBRATED').map((w) => w.code).join(',') || '-',
    ...(extra ? [extra.cell(it)] : []),
  ]);
  return formatTable(head, rows, { numeric: [0, 3, 4] });
}

export const commands: Command[] = [
  {
    name: 'verify',
    summary: "Verify every questioned signature of a case against its claimed subject's known signatures",
    usage: '--case <name|id> [--document ID]',
    description: `Embeds the signatures with the case's model (the active one is pinned on first use),
compares each questioned signature with the references of the subject it claims to be from,
and records every comparison (model and SHA-256, app version, threshold, distances) in the
case database and the audit log. The score is the mean distance of Q to the references divided
by the references' own spread ("2.3" = Q is 2.3 times as far from them as they are from each
other; models from before use the plain mean distance). The LR, its verbal equivalent and the
decision all read this score. Decisions use the case threshold, or the model's (the score where
its LR is 1) when the case has none; inconclusive within the case's band around it and wherever
the LR lies between 1/2 and 2.
Ctrl-C stops after the current item; finished comparisons stay recorded.`,
    options: { case: { type: 'string' }, document: { type: 'string', multiple: true } },
    async run(ctx, args) {
      const ref = str(args, 'case');
      if (!ref) throw new AppError('INVALID_ARGUMENT', '--case: required (a case name or id)');
      const docs = (args.values.document as string[] | undefined)?.map((d) => {
        const n = Number(d);
        if (!Number.isInteger(n) || n <= 0) throw new AppError('INVALID_ARGUMENT', `--document: expected a document id, got '${d}'`);
        return n;
      });
      const store = ctx.app().store;
      const r = await verifyCase(store, ref, {
        ...(docs ? { documentIds: docs } : {}),
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.done, p.total, p.stage === 'embed' ? 'embedding signatures' : 'comparing'),
      });
      if (ctx.json) ctx.emit(verifyJson(r));
      else {
        ctx.out(`Case ${r.caseId} "${r.caseName}": model ${r.model.id}, threshold ${r.threshold.toFixed(3)} (${r.thresholdSource === 'case' ? 'case' : 'the model\'s, where its LR is 1'}), inconclusive band ±${r.band}`);
        for (const l of r.items.length ? verifyTable(r) : ['No questioned signature could be compared.']) ctx.out(l);
        for (const s of r.skipped) ctx.out(`skipped document ${s.documentId} ${s.documentPath}: ${s.reason}`);
        for (const w of caseWarnings(r)) ctx.out(`warning ${w.code}: ${w.message}`);
        if (!r.model.calibrated) ctx.out('The model is not calibrated: no likelihood ratios are given.');
      }
      if (r.cancelled) {
        process.stderr.write(`verification stopped after ${r.items.length} items; run the command again to verify the rest\n`);
        return 130;
      }
    },
  },
];
