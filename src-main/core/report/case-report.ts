/**
 * A case's PDF report, written and recorded: the PDF goes into the object store (what left
 * the lab can always be shown again), optionally also to a file, and the audit log records
 * the file's SHA-256 and the content hash (a PDF cannot contain its own hash).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { buildCaseReport, type BuildOptions } from './from-case.ts';
import { renderReport } from './render.ts';
import type { ReportSectionId } from './types.ts';

export interface CaseReportResult {
  caseId: number;
  /** SHA-256 of the PDF bytes = its object in the object store. */
  sha256: string;
  contentHash: string;
  pages: number;
  bytes: number;
  items: number;
  /** Suggested file name, e.g. `countersign-case-3-2026-12-02.pdf`. */
  fileName: string;
  /** Where the PDF was written, when an output path was given. */
  path: string | null;
  /** The same as `path` (what `report --json` prints as "pdf"). */
  pdf: string | null;
  /** The sections of the report, in order: cover, items, excluded, corrections, threshold-history, model, integrity. */
  sections: ReportSectionId[];
  generatedAt: string;
}

export function reportFileName(caseId: number, generatedAt: string): string {
  return `countersign-case-${caseId}-${generatedAt.slice(0, 10)}.pdf`;
}

/** Writes bytes to a file through a temporary file and a rename, so no half-written report is ever seen. */
export function writeAtomically(file: string, bytes: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  } catch (err) {
    throw new AppError('IO', `${file}: cannot write the report (${(err as Error).message})`);
  }
}

export async function createCaseReport(store: Store, caseRef: string | number, opts: BuildOptions & { out?: string } = {}): Promise<CaseReportResult> {
  const { input, comparisons } = await buildCaseReport(store, caseRef, opts);
  const rendered = await renderReport(input);
  const sha256 = createHash('sha256').update(rendered.pdf).digest('hex');
  store.objects.put(rendered.pdf);
  const out = opts.out ? path.resolve(opts.out) : null;
  if (out) writeAtomically(out, rendered.pdf);
  const caseId = Number(input.case.id);
  store.write(() =>
    store.audit.append({
      action: 'report.create',
      caseId,
      entity: `report:${sha256}`,
      details: {
        sha256,
        contentHash: rendered.contentHash,
        pages: rendered.pages,
        bytes: rendered.pdf.length,
        items: input.items.length,
        sections: rendered.sections,
        comparisons: comparisons.map((c) => c.id),
        model: input.model.id,
        generatedAt: input.generatedAt,
        path: out,
      },
    }),
  );
  return {
    caseId,
    sha256,
    contentHash: rendered.contentHash,
    pages: rendered.pages,
    bytes: rendered.pdf.length,
    items: input.items.length,
    fileName: reportFileName(caseId, input.generatedAt),
    path: out,
    pdf: out,
    sections: rendered.sections,
    generatedAt: input.generatedAt,
  };
}
