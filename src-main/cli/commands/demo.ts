import path from 'node:path';
import { num, str, type CommandImpl } from '../command.ts';

export const commands: CommandImpl[] = [
  {
    name: 'demo',
    description: `Writes a synthetic case folder (known exemplars per subject, cheques of which half carry
skilled forgeries, and truth.json) into DIR/case, imports it into the case
"Demo case (synthetic, seed S)" of the data directory, verifies every questioned cheque with
the active model (the shipped base model unless another was chosen), prints the results
beside the truth and writes DIR/report.pdf. DIR defaults to ./countersign-demo. Running it
again reuses the folder and the case and records a new verification.`,
    options: { out: { type: 'string' }, seed: { type: 'string' }, subjects: { type: 'string' }, known: { type: 'string' }, questioned: { type: 'string' } },
    async run(ctx, args) {
      const out = path.resolve(str(args, 'out') ?? 'countersign-demo');
      const labels = { generate: 'generating the case', import: 'importing', verify: 'verifying', report: 'writing the report' };
      const { runDemo } = await import('../../core/demo.ts');
      const { verifyJson } = await import('../../core/verify/summary.ts');
      const { verifyTable } = await import('../verify-table.ts');
      const r = await runDemo(ctx.app().store, {
        out,
        seed: num(args, 'seed', { min: 0, max: 2 ** 31, integer: true, default: 1 })!,
        subjects: num(args, 'subjects', { min: 1, max: 50, integer: true, default: 4 })!,
        known: num(args, 'known', { min: 1, max: 50, integer: true, default: 5 })!,
        questioned: num(args, 'questioned', { min: 1, max: 50, integer: true, default: 4 })!,
        signal: ctx.signal,
        onStage: (stage, done, total) => ctx.progress(done, total, labels[stage]),
      });
      const a = r.agreement;
      if (ctx.json) {
        return ctx.emit({ folder: r.folder, import: r.import.totals, verify: verifyJson(r.verify), agreement: a, report: r.report });
      }
      const t = r.import.totals;
      ctx.out(`Case folder: ${r.folder} (${t.files} files: ${t.imported} imported, ${t.skipped} already there, ${t.failed} failed)`);
      ctx.out(
        `Model ${r.verify.model.id}, threshold ${r.verify.threshold.toFixed(3)} (${r.verify.thresholdSource === 'case' ? 'case' : "model's: where its LR is 1"}) ±${r.verify.band}`,
      );
      ctx.out('');
      const truthCell = (doc: string) => {
        const t = r.truth[doc];
        return t ? (t.genuine ? 'genuine' : 'forged') : '?';
      };
      for (const l of verifyTable(r.verify, { head: 'TRUTH', cell: (it) => truthCell(it.documentPath) })) ctx.out(l);
      ctx.out('');
      ctx.out(`Decisions agree with the truth for ${a.right} of ${a.right + a.wrong} decided items (${a.inconclusive} inconclusive, of ${a.compared}).`);
      ctx.out('These figures support, and do not replace, an examiner\u2019s conclusion.');
      ctx.out(`Report: ${r.report.path} (${r.report.pages} pages, SHA-256 ${r.report.sha256})`);
    },
  },
];
