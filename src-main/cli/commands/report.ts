import { str, UsageError, type CommandImpl } from '../command.ts';

export const commands: CommandImpl[] = [
  {
    name: 'report',
    description: `Cover and summary, one section per questioned item (crop, its place on the scan,
references, distances, natural variation, LR and verbal equivalent, decision, warnings),
method and validation, integrity (SHA-256 of every input, the audit chain head, the
report's content hash) and a sign-off block. The PDF is also kept in the data directory's
object store and the report is audit-logged with its SHA-256.
The same case data give the same PDF apart from the generation time; pass
--generated-at to fix it (e.g. to reproduce an earlier report byte for byte).`,
    options: { case: { type: 'string' }, out: { type: 'string' }, laboratory: { type: 'string' }, 'generated-at': { type: 'string' } },
    async run(ctx, args) {
      const ref = str(args, 'case');
      if (!ref) throw new UsageError('--case: required (a case name or id)');
      const out = str(args, 'out');
      if (!out) throw new UsageError('--out: required (the PDF file to write)');
      const at = str(args, 'generated-at');
      if (at !== undefined && Number.isNaN(Date.parse(at))) throw new UsageError(`--generated-at: expected an ISO 8601 time, got '${at}'`);
      const { createCaseReport } = await import('../../core/report/case-report.ts');
      const r = await createCaseReport(ctx.app().store, ref, {
        out,
        ...(at ? { generatedAt: new Date(at).toISOString() } : {}),
        ...(str(args, 'laboratory') ? { laboratory: str(args, 'laboratory') } : {}),
      });
      if (ctx.json) return ctx.emit(r);
      ctx.out(`Report of case ${r.caseId}: ${r.items} items, ${r.pages} pages, ${(r.bytes / 1024).toFixed(0)} KB`);
      ctx.out(`  file:         ${r.path}`);
      ctx.out(`  SHA-256:      ${r.sha256}`);
      ctx.out(`  content hash: ${r.contentHash}`);
    },
  },
];
