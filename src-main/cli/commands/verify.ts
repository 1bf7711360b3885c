import { str, UsageError, type CommandImpl } from '../command.ts';

export const commands: CommandImpl[] = [
  {
    name: 'verify',
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
      if (!ref) throw new UsageError('--case: required (a case name or id)');
      const docs = (args.values.document as string[] | undefined)?.map((d) => {
        const n = Number(d);
        if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--document: expected a document id, got '${d}'`);
        return n;
      });
      const { verifyCase } = await import('../../core/verify/verify-case.ts');
      const { caseWarnings, verifyJson } = await import('../../core/verify/summary.ts');
      const { verifyTable } = await import('../verify-table.ts');
      const store = ctx.app().store;
      const r = await verifyCase(store, ref, {
        ...(docs ? { documentIds: docs } : {}),
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.done, p.total, p.stage === 'embed' ? 'embedding signatures' : 'comparing'),
      });
      if (ctx.json) ctx.emit(verifyJson(r));
      else {
        ctx.out(
          `Case ${r.caseId} "${r.caseName}": model ${r.model.id}, threshold ${r.threshold.toFixed(3)} (${r.thresholdSource === 'case' ? 'case' : "the model's, where its LR is 1"}), inconclusive band ±${r.band}`,
        );
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
