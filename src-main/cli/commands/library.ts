import type { EnrolReport } from '../../core/library/enrol.ts';
import type { EnrolWritersReport } from '../../core/library/enrol-writers.ts';
import { bool, str, UsageError, type CommandImpl, type CommandContext } from '../command.ts';
import { formatTable } from '../table.ts';
import { EXIT_CANCELLED } from './import.ts';

function writersSummary(ctx: CommandContext, r: EnrolWritersReport): void {
  const t = r.totals;
  const from = r.source.kind === 'case' ? `case '${r.source.caseName}'` : r.source.path;
  ctx.out(
    `From ${from}: ${t.writersEnrolled} of ${t.writers} writer${t.writers === 1 ? '' : 's'} enrolled, ${t.enrolled} signature${t.enrolled === 1 ? '' : 's'} enrolled, ${t.skipped} already in the library, ${t.failed} file${t.failed === 1 ? '' : 's'} failed`,
  );
  for (const w of r.writers) {
    const rep = w.report;
    if (w.status === 'enrolled' && rep)
      ctx.out(
        `  ${rep.subject.created ? 'new   ' : 'added '} #${rep.subject.id} "${w.name}": ${rep.totals.enrolled} enrolled, ${rep.totals.skipped} skipped, ${rep.totals.failed} failed${rep.linked && !rep.linked.linked ? ` (not linked: ${rep.linked.why})` : ''}`,
      );
    else if (w.status === 'failed') ctx.out(`  failed  "${w.name}": ${w.error?.message ?? 'no reason given'}`);
    else ctx.out(`  ${w.status === 'cancelled' ? 'stopped' : 'not reached'}  "${w.name}"`);
  }
  for (const f of r.failures) ctx.out(`  failed file  ${f.path}: ${f.reason}`);
  if (t.forgedLeftOut) ctx.out(`${t.forgedLeftOut} forged signature${t.forgedLeftOut === 1 ? '' : 's'} left out (only genuine ones are enrolled).`);
  for (const p of r.embeddingProblems) ctx.out(`warning: ${p}`);
}

function enrolSummary(ctx: CommandContext, r: EnrolReport): void {
  const t = r.totals;
  ctx.out(
    `${r.subject.created ? 'Enrolled new' : 'Added to'} library subject #${r.subject.id} "${r.subject.name}": ${t.enrolled} exemplar${t.enrolled === 1 ? '' : 's'} enrolled, ${t.skipped} skipped, ${t.failed} failed (enrolment ${r.enrolmentId})`,
  );
  for (const f of r.files) {
    if (f.status === 'failed') ctx.out(`  failed   ${f.reason}`);
    else if (f.status === 'skipped') ctx.out(`  skipped  ${f.reason}`);
    else if (f.lowConfidence)
      ctx.out(`  check    ${f.path} (document ${f.documentId}): the signature was found with low confidence (countersign crop ${f.documentId} --box x,y,w,h)`);
  }
  if (r.linked) ctx.out(r.linked.linked ? `The case subject is linked to the library subject.` : `The case subject is not linked: ${r.linked.why}.`);
  if (r.model) ctx.out(`Embeddings with ${r.model.id}: ${r.model.embedded}`);
  if (r.embeddingProblem) ctx.out(`warning: ${r.embeddingProblem}`);
}

export const commands: CommandImpl[] = [
  {
    name: 'library enrol',
    description: `From files: every image (PNG, JPEG, TIFF, WebP; folders are searched recursively) goes through
the same path as a case import: the original is kept in the object store, a ready-made crop is used
as it is, a whole document is localised, then cropped and normalised. A file without a usable
signature is reported with the reason and not enrolled. Bytes already in the library are skipped.
From a case: the subject's known signatures are copied into the library (same originals and
derived images) and the case subject is linked to the library subject.
Many writers at once: --writers FOLDER enrols every writer of a folder laid out as
manifest.csv (path,writer,label), <folder>/<writer>/{genuine,forged}/* or <folder>/<writer>/*
(forged signatures are never enrolled); --case C without a name or --subject enrols every subject
of the case that has known signatures. Each writer is enrolled in a transaction of its own: a writer
that fails (the reason and its files are listed) or is stopped with Ctrl-C gets nothing, the others
stay. The app's "Enrol writers" does the same.
The exemplars are embedded with the active model (or --model). Enrolling under an existing name
adds exemplars to that writer. Audit-logged (library.enrol).
Examples: countersign library enrol "Alice Marlow" exemplars/marlow/
          countersign library enrol --writers exemplars/
          countersign library enrol --case "Harper estate"`,
    options: { notes: { type: 'string' }, model: { type: 'string' }, case: { type: 'string' }, subject: { type: 'string' }, writers: { type: 'string' } },
    async run(ctx, args) {
      const [name, ...paths] = args.positionals;
      const writersDir = str(args, 'writers');
      if (writersDir !== undefined || (str(args, 'case') !== undefined && !name && str(args, 'subject') === undefined)) {
        if (args.positionals.length)
          throw new UsageError("--writers and --case without --subject take every writer's name from the folder or case; give no name or files");
        if (writersDir !== undefined && str(args, 'case') !== undefined) throw new UsageError('give --writers or --case, not both');
        const model = str(args, 'model');
        const caseRef = str(args, 'case');
        const { enrolWriters } = await import('../../core/library/enrol-writers.ts');
        const r = await enrolWriters(ctx.app().store, writersDir !== undefined ? { kind: 'folder', path: writersDir } : { kind: 'case', caseRef: caseRef! }, {
          ...(model ? { modelId: model } : {}),
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(p.done, p.total, p.message),
        });
        if (ctx.json) ctx.emit({ ok: true, ...r });
        else writersSummary(ctx, r);
        if (r.cancelled) {
          process.stderr.write(
            `enrolment stopped: ${r.totals.writersEnrolled} writer(s) enrolled are kept; the writer being read got nothing. Run the same command again to enrol the rest (signatures already in the library are skipped).\n`,
          );
          return EXIT_CANCELLED;
        }
        return;
      }
      if (!name) throw new UsageError("give the writer's name, then a folder or image files (or --case and --subject)");
      const caseRef = str(args, 'case');
      const model = str(args, 'model');
      const store = ctx.app().store;
      let r: EnrolReport;
      if (caseRef) {
        const subject = str(args, 'subject');
        if (!subject) throw new UsageError('--subject: required with --case (the case subject to enrol)');
        if (paths.length) throw new UsageError('give files or --case, not both');
        const { enrolFromCase } = await import('../../core/library/copy.ts');
        r = await enrolFromCase(store, { caseRef, subject, name, ...(model ? { modelId: model } : {}), signal: ctx.signal });
      } else {
        if (!paths.length) throw new UsageError(`give a folder or image files with ${name}'s signatures`);
        const { enrolFiles } = await import('../../core/library/enrol.ts');
        r = await enrolFiles(store, {
          name,
          paths,
          notes: str(args, 'notes') ?? null,
          ...(model ? { modelId: model } : {}),
          signal: ctx.signal,
          onProgress: (d, t, f) => ctx.progress(d, t, f),
        });
      }
      if (ctx.json) return ctx.emit({ ok: true, ...r });
      enrolSummary(ctx, r);
    },
  },
  {
    name: 'library list',
    description: '--all includes withdrawn writers. "Embedded" counts exemplars with an embedding for the active model (or --model).',
    options: { all: { type: 'boolean' }, model: { type: 'string' } },
    async run(ctx, args) {
      const { getActiveModel } = await import('../../core/model/registry/registry.ts');
      const { LibraryRepository } = await import('../../core/store/library.ts');
      const store = ctx.app().store;
      const modelId = str(args, 'model') ?? getActiveModel(ctx.dataDir)?.id ?? null;
      const rows = new LibraryRepository(store).list({ includeWithdrawn: bool(args, 'all'), modelId });
      if (ctx.json) return ctx.emit({ ok: true, model: modelId, subjects: rows });
      if (!rows.length)
        return ctx.out(
          bool(args, 'all') ? 'The reference library is empty.' : 'No active writers in the reference library (countersign library enrol <name> <folder>).',
        );
      const head = ['ID', 'WRITER', 'EXEMPLARS', 'EMBEDDED', 'DOCUMENTS', 'CASES', 'STATUS'];
      const body = rows.map((s) => [
        String(s.id),
        s.name,
        String(s.exemplars),
        s.embedded === null ? '-' : String(s.embedded),
        String(s.documents),
        String(s.linkedCaseSubjects),
        s.status === 'withdrawn' ? `withdrawn ${s.withdrawnAt?.slice(0, 10)}: ${s.withdrawnReason}` : 'active',
      ]);
      for (const l of formatTable(head, body, { numeric: [0, 2, 3, 4, 5] })) ctx.out(l);
      if (modelId) ctx.out(`(embedded: with model ${modelId})`);
    },
  },
  {
    name: 'library remove',
    description: `Nothing is deleted: the subject is marked withdrawn with the reason (library.remove in the audit
log), its documents, signatures and earlier identifications stay as they are, and identification
no longer ranks it. A withdrawn writer cannot be given new exemplars.`,
    options: { reason: { type: 'string' } },
    async run(ctx, args) {
      const ref = args.positionals[0];
      if (!ref || args.positionals.length !== 1) throw new UsageError('give one writer (name or #id)');
      const { withdrawLibrarySubject } = await import('../../core/library/copy.ts');
      const s = withdrawLibrarySubject(ctx.app().store, ref, str(args, 'reason') ?? '');
      if (ctx.json) return ctx.emit({ ok: true, subject: s });
      ctx.out(`Withdrawn: library subject #${s.id} "${s.name}" (${s.documents} documents kept; no longer ranked)`);
    },
  },
  {
    name: 'library draw',
    description: `Creates (or reuses) a case subject linked to the library subject and copies its exemplars into the
case as known documents (same originals and derived images, embeddings copied), so verification and
identification in the case use them. Audit-logged (library.draw).`,
    options: { case: { type: 'string' }, as: { type: 'string' } },
    async run(ctx, args) {
      const ref = args.positionals[0];
      const caseRef = str(args, 'case');
      if (!ref || !caseRef) throw new UsageError('give a library writer and --case');
      const as = str(args, 'as');
      const { drawFromLibrary } = await import('../../core/library/copy.ts');
      const r = drawFromLibrary(ctx.app().store, { caseRef, subject: ref, ...(as ? { name: as } : {}) });
      if (ctx.json) return ctx.emit({ ok: true, ...r });
      ctx.out(
        `Case ${r.caseId} "${r.caseName}": subject "${r.caseSubject.name}"${r.caseSubject.created ? ' (new)' : ''} now holds ${r.totals.enrolled} exemplar${r.totals.enrolled === 1 ? '' : 's'} of library writer "${r.librarySubject.name}" (${r.totals.skipped} already in the case)`,
      );
    },
  },
];
