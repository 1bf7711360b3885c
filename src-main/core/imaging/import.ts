/**
 * Importing a case folder (docs/import.md): walk the layout, create the subjects it names,
 * then for every file, on worker threads, hash it, keep the original in the object store,
 * decode each page, find and normalise the signature; on this thread write each file's rows
 * and audit rows in one transaction as its result arrives. One bad file never stops the
 * others: it gets a reason. Cancelling stops dispatching and lets the files in flight
 * finish, so the store is consistent and the same import run again does the rest; files
 * already in the case are recognised by their hash and skipped.
 */
import { throwIfCancelled } from '../jobs/manager.ts';
import type { CaseRef, Store } from '../store/index.ts';
import type { FileOutcome, FileTask } from './import-file.ts';
import { processFiles } from './import-pool.ts';
import { failedEntry, recordFile } from './import-record.ts';
import type { ImportFileEntry, ImportProgress, ImportReport, ImportTotals } from './import-report.ts';
import { planImport, type ImportPlan, type PlannedFile } from './case-folder.ts';

export * from './import-report.ts';

export interface ImportOptions {
  caseRef: CaseRef;
  folder: string;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Worker threads; 0 = this thread (tests). Default: one per core, at most 4. */
  workers?: number;
  maxPixels?: number;
  maxFileBytes?: number;
  /** Localisation confidence below this is flagged (default 0.5). */
  flagBelow?: number;
  /** Resolution (dpi) for files that carry none; recorded as entered by the examiner. Files with their own keep it. */
  assumedDpi?: number;
  /** The folder's plan when the caller walked it already (to refuse a bad layout before starting a job). */
  plan?: ImportPlan;
}

/** Subjects the plan names, created where missing (audited), as ids by lower-case name. */
function ensureSubjects(store: Store, caseId: number, plan: ImportPlan): { ids: Map<string, number>; created: string[] } {
  return store.write(() => {
    const ids = new Map<string, number>();
    const created: string[] = [];
    for (const name of plan.subjects) {
      let s = store.documents.findSubject(caseId, name);
      if (!s) {
        s = store.documents.insertSubject(caseId, name);
        created.push(s.name);
        store.audit.append({ action: 'subject.create', caseId, entity: `subject:${s.id}`, details: { name: s.name, source: 'import', folder: plan.folder } });
      }
      ids.set(name.toLowerCase(), s.id);
    }
    return { ids, created };
  });
}

/** Hashes of originals the case holds with no failed page: those files need no decoding. */
function importedHashes(store: Store, caseId: number): string[] {
  const failed = new Set<string>();
  const all = new Set<string>();
  for (const d of store.documents.documentsOfCase(caseId)) {
    all.add(d.sha256);
    if (d.status === 'failed') failed.add(d.sha256);
  }
  return [...all].filter((h) => !failed.has(h));
}

function totalsOf(entries: readonly ImportFileEntry[], notProcessed: number): ImportTotals {
  const t: ImportTotals = { files: entries.length + notProcessed, imported: 0, skipped: 0, failed: 0, documents: 0, lowConfidence: 0, notProcessed };
  for (const e of entries) {
    t[e.status]++;
    const pages = e.pages ?? [{ status: e.status, documentId: e.documentId, lowConfidence: e.lowConfidence }];
    for (const p of pages) {
      if (p.status !== 'skipped' && p.documentId !== null) t.documents++;
      if (p.status === 'imported' && p.lowConfidence) t.lowConfidence++;
    }
  }
  return t;
}

/** Claimed subjects with no known exemplar in the case: verification has nothing to compare with. */
function missingReferences(store: Store, caseId: number, plan: ImportPlan, ids: Map<string, number>): string[] {
  const withKnown = new Set<number>();
  for (const d of store.documents.documentsOfCase(caseId)) if (d.role === 'known' && d.status === 'ready' && d.subjectId !== null) withKnown.add(d.subjectId);
  const claimed = new Set(plan.files.filter((f) => f.role === 'questioned' && f.subject).map((f) => f.subject!.toLowerCase()));
  return [...claimed]
    .filter((k) => !withKnown.has(ids.get(k)!))
    .map(
      (k) =>
        `questioned documents claim to be by '${plan.subjects.find((s) => s.toLowerCase() === k)}', who has no known exemplar in the case (known/<subject>/)`,
    );
}

/** Imports a case folder into a case (see the file comment). */
export async function importCaseFolder(store: Store, opts: ImportOptions): Promise<ImportReport> {
  const started = new Date();
  const c = store.cases.requireWritable(opts.caseRef);
  const plan = opts.plan ?? (await planImport(opts.folder));
  throwIfCancelled(opts.signal, 'the import');
  const { ids, created } = ensureSubjects(store, c.id, plan);
  const skip = importedHashes(store, c.id);
  store.audit.append({
    action: 'import.start',
    caseId: c.id,
    entity: `case:${c.id}`,
    details: { folder: plan.folder, files: plan.files.length, subjectsCreated: created, ignored: plan.ignored.length, warnings: plan.warnings },
  });

  const entries: (ImportFileEntry | undefined)[] = new Array(plan.files.length);
  const counts = { imported: 0, skipped: 0, failed: 0 };
  let done = 0;
  const total = plan.files.length;
  const finished = (i: number, e: ImportFileEntry) => {
    entries[i] = e;
    counts[e.status]++;
    done++;
    opts.onProgress?.({ done, total, current: e.path, ...counts, entry: e });
  };
  const tasks: FileTask[] = [];
  plan.files.forEach((f: PlannedFile, i) => {
    if (f.problem) finished(i, failedEntry(f, f.problem.code, f.problem.message));
    else tasks.push({ id: i, path: f.path, abs: f.abs, role: f.role, root: plan.realFolder });
  });
  const arrived = new Map<number, FileOutcome>();
  let written = 0;
  await processFiles(
    tasks,
    {
      objectsDir: store.objects.root,
      skip,
      ...(opts.maxPixels !== undefined ? { maxPixels: opts.maxPixels } : {}),
      ...(opts.maxFileBytes !== undefined ? { maxFileBytes: opts.maxFileBytes } : {}),
      ...(opts.flagBelow !== undefined ? { flagBelow: opts.flagBelow } : {}),
      ...(opts.assumedDpi !== undefined ? { assumedDpi: opts.assumedDpi } : {}),
    },
    {
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onStart: (t) => opts.onProgress?.({ done, total, current: t.path, started: true, ...counts }),
      onOutcome: (t, outcome) => {
        // Rows are written in the folder's order whatever order the workers finish in, so
        // the same folder always gives the same document numbers.
        arrived.set(t.id, outcome);
        for (let next = tasks[written]; next && arrived.has(next.id); next = tasks[++written]) {
          const o = arrived.get(next.id)!;
          arrived.delete(next.id);
          finished(next.id, recordFile({ store, caseId: c.id, subjectIds: ids }, plan.files[next.id]!, o));
        }
      },
    },
  );

  const files = entries.filter((e): e is ImportFileEntry => e !== undefined);
  const notProcessed = plan.files.filter((_, i) => entries[i] === undefined).map((f) => f.path);
  const totals = totalsOf(files, notProcessed.length);
  const cancelled = notProcessed.length > 0;
  const warnings = [...plan.warnings, ...missingReferences(store, c.id, plan, ids)];
  const finishedAt = new Date();
  // What the document rows do not hold: files never read, and files skipped as already imported.
  const unrecorded = files.filter((e) => e.status === 'skipped' || (e.status === 'failed' && e.documentId === null));
  store.audit.append({
    action: 'import.finish',
    caseId: c.id,
    entity: `case:${c.id}`,
    details: {
      folder: plan.folder,
      cancelled,
      totals,
      files: unrecorded.map((e) => ({ path: e.path, sha256: e.sha256, status: e.status, reason: e.reason ?? null })),
      notProcessed,
      warnings,
    },
  });
  return {
    caseId: c.id,
    caseName: c.name,
    folder: plan.folder,
    cancelled,
    files,
    totals,
    notProcessed,
    subjectsCreated: created,
    ignored: plan.ignored,
    warnings,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: Math.round((finishedAt.getTime() - started.getTime()) / 100) / 10,
  };
}
