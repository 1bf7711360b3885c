import { readFileSync } from 'node:fs';
import { AppError } from '../../core/errors.ts';
import { parseJsonText } from '../../core/util/json-file.ts';
import type { SeriesResult } from '../../core/verify/series.ts';
import { num, str, UsageError, type CommandImpl } from '../command.ts';

export const commands: CommandImpl[] = [
  {
    name: 'series',
    description: `Clusters the questioned signatures of a case (agglomerative, average linkage) on the
distance between each two of them divided by the natural variation of the writers they claim to
be: 1 = as far apart as a writer's own signatures. Merging stops at the cut: by default the case's
decision threshold (the model's when the case has none). Prints each group with its within-group
distances; signatures that join no group are listed as singletons. Nothing is stored.
--truth truth.json (from \`synth case --series F\`) adds the adjusted Rand index against the true hands.`,
    options: { case: { type: 'string' }, cut: { type: 'string' }, truth: { type: 'string' } },
    async run(ctx, args) {
      const ref = str(args, 'case');
      if (!ref) throw new UsageError('--case: required (a case name or id)');
      const cut = num(args, 'cut', { min: 0.001 });
      const truthFile = str(args, 'truth');
      let truth: unknown;
      if (truthFile) {
        let text: string;
        try {
          text = readFileSync(truthFile, 'utf8');
        } catch (err) {
          throw new AppError('INVALID_ARGUMENT', `--truth: cannot read ${truthFile}: ${(err as Error).message}`);
        }
        truth = parseJsonText(text, truthFile, 'INVALID_ARGUMENT');
      }
      const { linkSeries, seriesAri } = await import('../../core/verify/series.ts');
      const r = await linkSeries(ctx.app().store, ref, {
        ...(cut !== undefined ? { cut } : {}),
        signal: ctx.signal,
        onProgress: (d, t) => ctx.progress(d, t, 'embedding signatures'),
      });
      const ari = truthFile ? seriesAri(r, truthFile, truth) : undefined;
      if (ctx.json) return ctx.emit({ ...r, ...(ari !== undefined ? { ari } : {}) });
      for (const l of seriesText(r)) ctx.out(l);
      if (ari !== undefined) ctx.out(`adjusted Rand index against ${truthFile}: ${ari.toFixed(3)}`);
    },
  },
];

function seriesText(r: SeriesResult): string[] {
  const out = [`Case ${r.caseId} "${r.caseName}": model ${r.model.id}; ${r.linkage} linkage, cut ${r.cut.toFixed(3)} (${r.cutSource})`, `distance: ${r.basis}`];
  const groups = r.groups.filter((g) => g.members.length > 1);
  const singles = r.groups.filter((g) => g.members.length === 1);
  groups.forEach((g, i) => {
    out.push(`group ${i + 1}: ${g.members.length} signatures, within-group distance mean ${g.within!.mean.toFixed(2)}, max ${g.within!.max.toFixed(2)}`);
    for (const m of g.members) out.push(`  ${String(m.documentId).padStart(5)}  ${m.documentPath}  (claims ${m.subjectName ?? 'no subject'})`);
  });
  if (singles.length) {
    out.push(`singletons (linked to no other questioned signature): ${singles.length}`);
    for (const g of singles) out.push(`  ${String(g.members[0]!.documentId).padStart(5)}  ${g.members[0]!.documentPath}`);
  }
  if (!r.groups.length) out.push('The case has no questioned signature to group.');
  for (const s of r.skipped) out.push(`skipped document ${s.documentId} ${s.documentPath}: ${s.reason}`);
  return out;
}
