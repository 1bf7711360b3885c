import { AppError } from '../../core/errors.ts';
import { drawFromLibrary, enrolFromCase, withdrawLibrarySubject } from '../../core/library/copy.ts';
import { enrolFiles, type EnrolReport } from '../../core/library/enrol.ts';
import { LibraryRepository } from '../../core/library/repository.ts';
import { getActiveModel } from '../../core/model/registry.ts';
import { bool, str, type Command, type CommandContext } from '../command.ts';
import { formatTable } from '../table.ts';

function enrolSummary(ctx: CommandContext, r: EnrolReport): void {
  const t = r.totals;
  ctx.out(`${r.subject.created ? 'Enrolled new' : 'Added to'} library subject #${r.subject.id} "${r.subject.name}": ${t.enrolled} exemplar${t.enrolled === 1 ? '' : 's'} enrolled, ${t.skipped} skipped, ${t.failed} failed (enrolment ${r.enrolmentId})`);
  for (const f of r.files) {
    if (f.status === 'failed') ctx.out(`  failed   ${f.reason}`);
    else if (f.status === 'skipped') ctx.out(`  skipped  ${f.reason}`);
    else if (f.lowConfidence) ctx.out(`  check    ${f.path} (document ${f.documentId}): the signature was found with low confidence (countersign crop ${f.documentId} --box x,y,w,h)`);
  }
  if (r.linked) ctx.out(r.linked.linked ? `The case subject is linked to the library subject.` : `The case subject is not linked: ${r.linked.why}.`);
  if (r.model) ctx.out(`Embeddings with ${r.model.id}: ${r.model.embedded}`);
  if (r.embeddingProblem) ctx.out(`warning: ${r.embeddingProblem}`);
}

export const commands: Command[] = [
  {
    name: 'library enrol',
    summary: "Enrol a writer into the institution's reference library from image files, or from a case's subject",
    usage: '<name> <folder-or-files...> [--notes N] [--model M] | <name> --case C --subject S',
    description: `From files: every image (PNG, JPEG, TIFF, WebP; folders are searched recursively) goes through
the same path as a case import: the original is kept in the object store, a ready-made crop is used
as it is, a whole document is localised, then cropped and normalised. A file without a usable
signature is reported with the reason and not enrolled. Bytes already in the library are skipped.
From a case: the subject's known signatures are copied into the library (same originals and
derived images) and the case subject is linked to the library subject.
The exemplars are embedded with the active model (or --model). Enrolling under an existing name
adds exemplars to that writer. Audit-logged (library.enrol).
Example: countersign library enrol "Alice Marlow" exemplars/marlow/`,
    options: { notes: { type: 'string' }, model: { type: 'string' }, case: { type: 'string' }, subject: { type: 'string' } },
    async run(ctx, args) {
      const [name, ...paths] = args.positionals;
      if (!name) throw new AppError('INVALID_ARGUMENT', 'library enrol: give the writer\'s name, then a folder or image files (or --case and --subject)');
      const caseRef = str(args, 'case');
      const model = str(args, 'model');
      const store = ctx.app().store;
      let r: EnrolReport;
      if (caseRef) {
        const subject = str(args, 'subject');
        if (!subject) throw new AppError('INVALID_ARGUMENT', '--subject: required with --case (the case subject to enrol)');
        if (paths.length) throw new AppError('INVALID_ARGUMENT', 'library enrol: give files or --case, not both');
        r = await enrolFromCase(store, { caseRef, subject, name, ...(model ? { modelId: model } : {}), signal: ctx.signal });
      } else {
        if (!paths.length) throw new AppError('INVALID_ARGUMENT', `library enrol: give a folder or image files with ${name}'s signatures`);
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
    summary: 'Writers of the reference library with their exemplars (and embeddings for a model)',
    usage: '[--all] [--model M]',
    description: '--all includes withdrawn writers. "Embedded" counts exemplars with an embedding for the active model (or --model).',
    options: { all: { type: 'boolean' }, model: { type: 'string' } },
    async run(ctx, args) {
      const store = ctx.app().store;
      const modelId = str(args, 'model') ?? getActiveModel(ctx.dataDir)?.id ?? null;
      const rows = new LibraryRepository(store).list({ includeWithdrawn: bool(args, 'all'), modelId });
      if (ctx.json) return ctx.emit({ ok: true, model: modelId, subjects: rows });
      if (!rows.length) return ctx.out(bool(args, 'all') ? 'The reference library is empty.' : 'No active writers in the reference library (countersign library enrol <name> <folder>).');
      const head = ['ID', 'WRITER', 'EXEMPLARS', 'EMBEDDED', 'DOCUMENTS', 'CASES', 'STATUS'];
      const body = rows.map((s) => [String(s.id), s.name, String(s.exemplars), s.embedded === null ? '-' : String(s.embedded), String(s.documents), String(s.linkedCaseSubjects), s.status === 'withdrawn' ? `withdrawn ${s.withdrawnAt?.slice(0, 10)}: ${s.withdrawnReason}` : 'active']);
      for (const l of formatTable(head, body, { numeric: [0, 2, 3, 4, 5] })) ctx.out(l);
      if (modelId) ctx.out(`(embedded: with model ${modelId})`);
    },
  },
  {
    name: 'library remove',
    summary: 'Withdraw a writer from the library: no longer ranked; its documents stay as evidence; audit-logged',
    usage: '<name|#id> --reason "..."',
    description: `Nothing is deleted: the subject is marked withdrawn with the reason (library.remove in the audit
log), its documents, signatures and earlier identifications stay as they are, and identification
no longer ranks it. A withdrawn writer cannot be given new exemplars.`,
    options: { reason: { type: 'string' } },
    async run(ctx, args) {
      const ref = args.positionals[0];
      if (!ref || args.positionals.length !== 1) throw new AppError('INVALID_ARGUMENT', 'library remove: give one writer (name or #id)');
      const s = withdrawLibrarySubject(ctx.app().store, ref, str(args, 'reason') ?? '');
      if (ctx.json) return ctx.emit({ ok: true, subject: s });
      ctx.out(`Withdrawn: library subject #${s.id} "${s.name}" (${s.documents} documents kept; no longer ranked)`);
    },
  },
  {
    name: 'library draw',
    summary: "Make a library writer a known writer of a case (its exemplars become the case's known signatures)",
    usage: '<name|#id> --case C [--as NAME]',
    description: `Creates (or reuses) a case subject linked to the library subject and copies its exemplars into the
case as known documents (same originals and derived images, embeddings copied), so verification and
identification in the case use them. Audit-logged (library.draw).`,
    options: { case: { type: 'string' }, as: { type: 'string' } },
    async run(ctx, args) {
      const ref = args.positionals[0];
      const caseRef = str(args, 'case');
      if (!ref || !caseRef) throw new AppError('INVALID_ARGUMENT', 'library draw: give a library writer and --case');
      const as = str(args, 'as');
      const r = drawFromLibrary(ctx.app().store, { caseRef, subject: ref, ...(as ? { name: as } : {}) });
      if (ctx.json) return ctx.emit({ ok: true, ...r });
      ctx.out(`Case ${r.caseId} "${r.caseName}": subject "${r.caseSubject.name}"${r.caseSubject.created ? ' (new)' : ''} now holds ${r.totals.enrolled} exemplar${r.totals.enrolled === 1 ? '' : 's'} of library writer "${r.librarySubject.name}" (${r.totals.skipped} already in the case)`);
    },
  },
];
