import path from 'node:path';
import { DPI_MAX, DPI_MIN } from '../../core/imaging/dpi.ts';
import type { ImportFileEntry, ImportReport } from '../../core/imaging/import.ts';
import type { Box } from '../../core/store/types.ts';
import { bool, num, str, UsageError, type CommandImpl, type CommandContext } from '../command.ts';

/** Exit code of `import --strict` when the run completed but some files failed. */
export const EXIT_FILES_FAILED = 3;
/** Exit code of a run stopped with Ctrl-C (the shell's 128 + SIGINT). */
export const EXIT_CANCELLED = 130;

function fmtBox(b: readonly number[] | null): string {
  return b ? `[${b.join(', ')}]` : '-';
}

function line(e: ImportFileEntry): string {
  const id = e.documentId === null ? '' : ` (document ${e.documentId})`;
  if (e.status === 'failed') return `failed    ${e.path}: ${e.reason?.startsWith(e.path) ? e.reason.slice(e.path.length + 2) : e.reason}`;
  if (e.status === 'skipped') return `skipped   ${e.path}${id}: already in the case`;
  const what = e.isCrop ? 'signature crop' : `box ${fmtBox(e.box)} confidence ${e.confidence?.toFixed(2) ?? '-'}${e.lowConfidence ? '  CHECK THE BOX' : ''}`;
  return `imported  ${e.path}${id}: ${what}`;
}

function summary(ctx: CommandContext, r: ImportReport): void {
  const t = r.totals;
  ctx.out('');
  ctx.out(
    `Case ${r.caseId} "${r.caseName}" from ${r.folder}: ${t.imported} imported, ${t.skipped} skipped (already in the case), ${t.failed} failed, of ${t.files} files, in ${r.seconds} s`,
  );
  if (r.subjectsCreated.length) ctx.out(`New subjects: ${r.subjectsCreated.join(', ')}`);
  const low = r.files.filter((f) => f.status === 'imported' && f.lowConfidence);
  if (low.length) {
    ctx.out(
      `${low.length} signature box${low.length === 1 ? '' : 'es'} found with low confidence; check them (countersign crop <document-id> --box x,y,w,h to correct):`,
    );
    for (const f of low) ctx.out(`  document ${f.documentId}  ${f.path}  ${fmtBox(f.box)}  ${f.flagReason ?? ''}`);
  }
  const failed = r.files.filter((f) => f.status === 'failed');
  if (failed.length) {
    ctx.out(`${failed.length} file${failed.length === 1 ? '' : 's'} not imported:`);
    for (const f of failed) ctx.out(`  ${f.reason}`);
  }
  for (const w of r.warnings) ctx.out(`warning: ${w}`);
  if (r.ignored.length) ctx.out(`${r.ignored.length} entr${r.ignored.length === 1 ? 'y' : 'ies'} ignored (${r.ignored.map((i) => i.path).join(', ')})`);
}

/** `x,y,w,h` in pixels of the original; the message names the flag. */
export function parseBox(raw: string | undefined): Box {
  if (raw === undefined) throw new UsageError('--box: required, as x,y,width,height in pixels of the original (e.g. --box 980,470,520,190)');
  const parts = raw.split(',').map((p) => p.trim());
  const nums = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => p === '') || nums.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new UsageError(`--box: expected four whole numbers x,y,width,height (pixels of the original), got '${raw}'`);
  }
  const [x, y, w, h] = nums as [number, number, number, number];
  if (w < 1 || h < 1) throw new UsageError(`--box: width and height must be at least 1, got '${raw}'`);
  return { x, y, w, h };
}

export const commands: CommandImpl[] = [
  {
    name: 'import',
    description: `The folder holds known/<subject>/* (known exemplars: signature crops or whole documents),
questioned/<claimed subject>/* or questioned/* with case.json naming each file's claimed subject:
{ "questioned": { "questioned/scan-7.jpg": "a-marlow" } }. Subjects are created from the folder names.
Every file is copied into the object store (never changed), each page decoded, the signature found
(on questioned documents and whole known documents), cropped and normalised. A bad file gets a reason
and the rest go on. Files already in the case (same SHA-256) are skipped, so running the same import
again is safe and completes an interrupted one. --dpi N gives the scan resolution of files that carry
none (recorded as entered by the examiner; a file's own resolution is always kept): the comparison
view shows signatures at true scale from it. See docs/import.md.
Exit codes: 0 the import ran to the end (failed files, if any, are listed); 1 it could not run (unknown
case, folder not in the case layout, database error); 2 usage; 130 stopped with Ctrl-C (run the same
command again to import the rest); with --strict, 3 when any file failed.
Example: countersign import cases/smith --case "Smith v. Jones"`,
    options: { case: { type: 'string' }, dpi: { type: 'string' }, workers: { type: 'string' }, strict: { type: 'boolean' } },
    async run(ctx, args) {
      if (args.positionals.length !== 1) throw new UsageError(`expected one <folder>, got ${args.positionals.length} arguments`);
      const ref = str(args, 'case');
      if (!ref) throw new UsageError('--case: required (the case name or id; create one with countersign case create)');
      const workers = num(args, 'workers', { min: 0, max: 64, integer: true });
      const dpi = num(args, 'dpi', { min: DPI_MIN, max: DPI_MAX });
      const { importCaseFolder } = await import('../../core/imaging/import.ts');
      const store = ctx.app().store;
      const c = store.cases.requireWritable(store.cases.get(ref).id);
      const live = !ctx.json && !process.stderr.isTTY;
      const report = await importCaseFolder(store, {
        caseRef: c.id,
        folder: path.resolve(args.positionals[0] as string),
        signal: ctx.signal,
        ...(workers !== undefined ? { workers } : {}),
        ...(dpi !== undefined ? { assumedDpi: dpi } : {}),
        onProgress: (p) => {
          ctx.progress(p.done, p.total, p.current);
          // Without a terminal (a log, a pipe) one line per file instead of a bar.
          if (live && p.entry) ctx.out(line(p.entry));
        },
      });
      if (ctx.json) ctx.emit({ ok: true, ...report });
      else summary(ctx, report);
      if (report.cancelled) {
        process.stderr.write(
          `import stopped after ${report.files.length} of ${report.totals.files} files; what was imported is kept.\nTo import the rest, run the same command again (files already in the case are skipped).\n`,
        );
        return EXIT_CANCELLED;
      }
      return bool(args, 'strict') && report.totals.failed > 0 ? EXIT_FILES_FAILED : 0;
    },
  },
  {
    name: 'crop',
    description: `The box is in pixels of the original page (orientation applied), as in import's report.
The new signature is 'approved' (the examiner drew it); earlier ones stay as history with status
'rejected'. The audit log records the old and the new box. See docs/import.md, "Crop rules".
Example: countersign crop 17 --box 980,470,520,190`,
    options: { box: { type: 'string' } },
    async run(ctx, args) {
      if (args.positionals.length !== 1 || !/^#?\d+$/.test(args.positionals[0] as string)) {
        throw new UsageError(`expected one <document-id> (a number), got '${args.positionals.join(' ')}'`);
      }
      const id = Number((args.positionals[0] as string).replace('#', ''));
      const box = parseBox(str(args, 'box'));
      const { cropDocument } = await import('../../core/imaging/crop.ts');
      const r = await cropDocument(ctx.app().store, id, box);
      if (ctx.json) return ctx.emit({ ok: true, document: r.document, signature: r.signature, previous: r.previous });
      const old = r.previous
        ? `[${r.previous.box.x}, ${r.previous.box.y}, ${r.previous.box.w}, ${r.previous.box.h}] (signature ${r.previous.id}, now rejected)`
        : 'none';
      ctx.out(
        `Document ${r.document.id} (${r.document.originalPath}): box ${old} -> [${box.x}, ${box.y}, ${box.w}, ${box.h}] (signature ${r.signature.id}, approved)`,
      );
    },
  },
];
