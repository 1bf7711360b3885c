/**
 * Enrolling many writers into the reference library at once, for the CLI
 * (`library enrol --writers FOLDER`, `library enrol --case C`) and the app (library.enrolFolder,
 * library.enrolCase): one core function, progress and cancellation.
 *
 * - From a folder: `manifest.csv` (`path,writer,label`; genuine rows only), the labelled layout
 *   `<folder>/<writer>/{genuine,forged}/*` (genuine only), or one folder per writer
 *   `<folder>/<writer>/*`; or, given a name, the whole folder as one writer's signatures.
 * - From a case: the known signatures of the case's subjects (all that have one, or those named).
 *
 * Each writer is enrolled by enrolFiles / enrolFromCase, i.e. in one transaction of its own:
 * a writer that fails (no usable file, withdrawn name) or is cancelled part way gets nothing,
 * writers enrolled before stay, and the report says which writer and which file failed and why.
 * Cancelling stops at the next file or writer and returns the report so far (`cancelled`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError, toErrorValue, type ErrorValue } from '../errors.ts';
import { readLabelledData } from '../model/dataset.ts';
import type { Store } from '../store/index.ts';
import { enrolFromCase } from './copy.ts';
import { enrolFiles, enrolmentModel, listEnrolFiles, type EnrolReport } from './enrol.ts';
import { LibraryRepository } from '../store/library.ts';

export type EnrolWritersSource =
  | {
      kind: 'folder';
      /** A folder (manifest.csv, labelled layout or a folder per writer) or a manifest file. */
      path: string;
      /** The folder holds one writer's signatures: enrol them all under this name. */
      name?: string;
    }
  | {
      kind: 'case';
      caseRef: string | number;
      /** Case subjects to enrol (default: every subject with a ready known signature). */
      subjects?: readonly string[];
    };

export interface EnrolWriterOutcome {
  /** The writer's name in the library. */
  name: string;
  /** Where its signatures come from: a folder relative to the one given, the manifest, or the case subject. */
  from: string;
  /**
   * enrolled: its transaction committed (new exemplars, or all already in the library);
   * failed: nothing stored for it (error says why); cancelled: stopped while it was being read,
   * nothing stored for it; not-reached: the enrolment was cancelled before it.
   */
  status: 'enrolled' | 'failed' | 'cancelled' | 'not-reached';
  /** Image files (folder) or known signatures (case) it has. */
  files: number;
  report: EnrolReport | null;
  error: ErrorValue | null;
}

export interface EnrolFailure {
  writer: string;
  /** The file, relative to the folder given (or the case document's original path). */
  path: string;
  reason: string;
}

export interface EnrolWritersReport {
  source:
    { kind: 'folder'; path: string; layout: 'manifest' | 'labelled' | 'writer-folders' | 'one-writer' } | { kind: 'case'; caseId: number; caseName: string };
  writers: EnrolWriterOutcome[];
  totals: {
    writers: number;
    /** Writers whose enrolment committed (new writers and existing ones given exemplars). */
    writersEnrolled: number;
    writersFailed: number;
    /** Cancelled part way or not reached. */
    writersNotDone: number;
    files: number;
    /** Signatures enrolled. */
    enrolled: number;
    /** Already in the library. */
    skipped: number;
    /** Files that gave no usable signature. */
    failed: number;
    /** Forged signatures in the data, never enrolled. */
    forgedLeftOut: number;
  };
  /** Every file that failed, with the reason. */
  failures: EnrolFailure[];
  /** Why some exemplars have no embedding yet (they get one at the next identification). */
  embeddingProblems: string[];
  cancelled: boolean;
}

export interface EnrolWritersProgress {
  done: number;
  total: number;
  /** `writer: file` being read now. */
  message: string;
  writer: string;
  writersDone: number;
  writersTotal: number;
  enrolled: number;
  failed: number;
}

export interface EnrolWritersOptions {
  /** Model for the embeddings; default the active model; null: none now. */
  modelId?: string | null;
  signal?: AbortSignal;
  onProgress?: (p: EnrolWritersProgress) => void;
}

interface PlannedWriter {
  name: string;
  from: string;
  /** Folder prefix for the report's file paths ('' for none). */
  prefix: string;
  files: number;
  /** Manifest files: the name enrolFiles records (the file's name) -> the path in the manifest. */
  rels?: Map<string, string>;
  run: (signal: AbortSignal | undefined, onFile: (done: number, file: string) => void) => Promise<EnrolReport>;
  /** Known before anything runs: why this writer cannot be enrolled. */
  problem?: ErrorValue;
}

const IMAGE_EXT = /\.(png|jpe?g|tiff?|webp)$/i;

function countImages(paths: readonly string[]): { files: number; problem?: ErrorValue } {
  try {
    return { files: listEnrolFiles(paths).length };
  } catch (err) {
    return { files: 0, problem: toErrorValue(err) };
  }
}

function planFolder(
  store: Store,
  given: string,
  name: string | undefined,
  modelId: string | null,
): { layout: 'manifest' | 'labelled' | 'writer-folders' | 'one-writer'; writers: PlannedWriter[]; forged: number } {
  const abs = path.resolve(given);
  if (!existsSync(abs)) throw new AppError('INVALID_ARGUMENT', `folder: ${given}: no such folder or file`, { field: 'folder' });
  const st = statSync(abs);
  const files = (writer: string, paths: string[], from: string, prefix: string): PlannedWriter => {
    const n = countImages(paths);
    return {
      name: writer,
      from,
      prefix,
      files: n.files,
      ...(n.problem ? { problem: n.problem } : {}),
      run: (signal, onFile) => enrolFiles(store, { name: writer, paths, modelId, ...(signal ? { signal } : {}), onProgress: (d, _t, f) => onFile(d, f) }),
    };
  };
  if (name !== undefined) {
    if (!st.isDirectory()) throw new AppError('INVALID_ARGUMENT', `folder: ${given}: not a folder`, { field: 'folder' });
    return { layout: 'one-writer', writers: [files(name, [abs], path.basename(abs), '')], forged: 0 };
  }
  const manifest = st.isFile() ? abs : path.join(abs, 'manifest.csv');
  if (st.isFile() || existsSync(manifest)) {
    if (!/\.csv$/i.test(manifest))
      throw new AppError('INVALID_ARGUMENT', `folder: ${given}: give a folder, or a manifest .csv file (path,writer,label)`, { field: 'folder' });
    const data = readLabelledData(manifest);
    const genuine = data.items.filter((i) => i.label === 'genuine');
    if (!genuine.length)
      throw new AppError('INVALID_ARGUMENT', `folder: ${manifest}: no genuine signatures listed (only genuine ones are enrolled)`, { field: 'folder' });
    const writers = [...new Set(genuine.map((i) => i.writer))].sort();
    return {
      layout: 'manifest',
      writers: writers.map((w) => {
        const mine = genuine.filter((i) => i.writer === w);
        return {
          ...files(
            w,
            mine.map((i) => i.file),
            path.basename(manifest),
            '',
          ),
          rels: new Map(mine.map((i) => [path.basename(i.file), i.rel])),
        };
      }),
      forged: data.items.length - genuine.length,
    };
  }
  const entries = readdirSync(abs)
    .filter((n) => !n.startsWith('.'))
    .sort();
  const dirs = entries.filter((n) => statSync(path.join(abs, n)).isDirectory());
  if (!dirs.length) {
    const loose = entries.some((n) => IMAGE_EXT.test(n));
    throw new AppError(
      'INVALID_ARGUMENT',
      loose
        ? `folder: ${given} holds images but no writer folders: give the writer's name to enrol them as one writer, or lay the folder out as <folder>/<writer>/<images>`
        : `folder: ${given}: no writer folders found; expected <folder>/<writer>/<images>, <folder>/<writer>/genuine/<images> or manifest.csv (path,writer,label)`,
      { field: 'folder' },
    );
  }
  let labelled = false;
  let forged = 0;
  const writers = dirs.map((w) => {
    const wdir = path.join(abs, w);
    const genuine = path.join(wdir, 'genuine');
    const forgedDir = path.join(wdir, 'forged');
    if (existsSync(forgedDir)) forged += countImages([forgedDir]).files;
    if (existsSync(genuine) || existsSync(forgedDir)) {
      labelled = true;
      if (!existsSync(genuine)) {
        return {
          name: w,
          from: `${w}/`,
          prefix: `${w}/genuine/`,
          files: 0,
          problem: { code: 'INVALID_ARGUMENT' as const, message: `${w}/: only forged signatures (no genuine/ folder); nothing to enrol` },
          run: () => Promise.reject(new Error('unreachable')),
        };
      }
      return files(w, [genuine], `${w}/genuine/`, `${w}/genuine/`);
    }
    return files(w, [wdir], `${w}/`, `${w}/`);
  });
  return { layout: labelled ? 'labelled' : 'writer-folders', writers, forged };
}

function planCase(
  store: Store,
  caseRef: string | number,
  only: readonly string[] | undefined,
  modelId: string | null,
): { caseId: number; caseName: string; writers: PlannedWriter[] } {
  const c = store.cases.get(caseRef);
  const lib = new LibraryRepository(store);
  let subjects = store.documents.subjectsOfCase(c.id);
  if (only?.length) {
    subjects = only.map((n) => {
      const s = store.documents.findSubject(c.id, n);
      if (!s) throw new AppError('NOT_FOUND', `subjects: case '${c.name}' has no subject '${n}'`, { field: 'subjects' });
      return s;
    });
  }
  const planned = subjects.map((s): PlannedWriter => {
    const n = lib.exemplarsOf(s.id).length;
    return {
      name: s.name,
      from: s.name,
      prefix: '',
      files: n,
      ...(n ? {} : { problem: { code: 'INVALID_ARGUMENT' as const, message: `'${s.name}' of case '${c.name}' has no ready known signature to enrol` } }),
      run: (signal, onFile) => {
        onFile(0, s.name);
        return enrolFromCase(store, { caseRef: c.id, subject: s.name, modelId, ...(signal ? { signal } : {}) });
      },
    };
  });
  // Named subjects without signatures are reported; unnamed ones (claimed writers only) are left out.
  const writers = only?.length ? planned : planned.filter((w) => !w.problem);
  if (!writers.some((w) => !w.problem)) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `caseId: case '${c.name}' has no subject with a ready known signature to enrol; import its known signatures first (known/<subject>/ folders)`,
      { field: 'caseId' },
    );
  }
  return { caseId: c.id, caseName: c.name, writers };
}

/** Codes that concern one writer (the others can still be enrolled); anything else stops the enrolment. */
const WRITER_ERRORS = new Set(['INVALID_ARGUMENT', 'CONFLICT', 'NOT_FOUND', 'UNSUPPORTED']);

export interface EnrolWritersPlan {
  source: EnrolWritersReport['source'];
  /** Writers found, in the order they are enrolled. */
  writers: { name: string; from: string; files: number; problem: ErrorValue | null }[];
  /** Runs the enrolment; call once. */
  run(opts?: Omit<EnrolWritersOptions, 'modelId'>): Promise<EnrolWritersReport>;
}

/**
 * Reads the folder or case and plans the enrolment without storing anything: a missing folder,
 * a damaged manifest, an unknown case or subject, no writer at all, refuse here (naming the field
 * or the file and line), so a job is only started for something that can run.
 */
export function planEnrolWriters(store: Store, source: EnrolWritersSource, opts: Pick<EnrolWritersOptions, 'modelId'> = {}): EnrolWritersPlan {
  const modelId = enrolmentModel(store, opts.modelId);
  let report: EnrolWritersReport['source'];
  let writers: PlannedWriter[];
  let forgedLeftOut = 0;
  if (source.kind === 'folder') {
    const p = planFolder(store, source.path, source.name, modelId);
    report = { kind: 'folder', path: path.resolve(source.path), layout: p.layout };
    writers = p.writers;
    forgedLeftOut = p.forged;
  } else {
    const p = planCase(store, source.caseRef, source.subjects, modelId);
    report = { kind: 'case', caseId: p.caseId, caseName: p.caseName };
    writers = p.writers;
  }
  let ran = false;
  return {
    source: report,
    writers: writers.map((w) => ({ name: w.name, from: w.from, files: w.files, problem: w.problem ?? null })),
    run: (runOpts = {}) => {
      if (ran) throw new AppError('INTERNAL', 'an enrolment plan runs once');
      ran = true;
      return runPlan(report, writers, forgedLeftOut, runOpts);
    },
  };
}

/** Enrols every writer of a folder or a case (see the file comment). */
export async function enrolWriters(store: Store, source: EnrolWritersSource, opts: EnrolWritersOptions = {}): Promise<EnrolWritersReport> {
  const { modelId, ...rest } = opts;
  return planEnrolWriters(store, source, modelId === undefined ? {} : { modelId }).run(rest);
}

async function runPlan(
  report: EnrolWritersReport['source'],
  writers: PlannedWriter[],
  forgedLeftOut: number,
  opts: Omit<EnrolWritersOptions, 'modelId'>,
): Promise<EnrolWritersReport> {
  const total = writers.reduce((n, w) => n + w.files, 0);
  const outcomes: EnrolWriterOutcome[] = writers.map((w) => ({ name: w.name, from: w.from, status: 'not-reached', files: w.files, report: null, error: null }));
  let done = 0;
  let enrolled = 0;
  let failed = 0;
  let cancelled = false;
  const progress = (writer: string, file: string, writersDone: number) =>
    opts.onProgress?.({ done, total, message: file ? `${writer}: ${file}` : writer, writer, writersDone, writersTotal: writers.length, enrolled, failed });

  for (const [i, w] of writers.entries()) {
    const out = outcomes[i]!;
    if (opts.signal?.aborted) {
      cancelled = true;
      break;
    }
    if (w.problem) {
      Object.assign(out, { status: 'failed', error: w.problem });
      done += w.files;
      continue;
    }
    const start = done;
    progress(w.name, '', i);
    try {
      const r = await w.run(opts.signal, (d, file) => {
        done = start + d;
        progress(w.name, file, i);
      });
      Object.assign(out, { status: 'enrolled', report: r });
      enrolled += r.totals.enrolled;
      failed += r.totals.failed;
    } catch (err) {
      const e = toErrorValue(err);
      if (e.code === 'CANCELLED' || opts.signal?.aborted) {
        Object.assign(out, { status: 'cancelled', error: e });
        cancelled = true;
        break;
      }
      if (!WRITER_ERRORS.has(e.code)) throw err;
      Object.assign(out, { status: 'failed', error: e });
    }
    done = start + w.files;
    progress(w.name, '', i + 1);
  }

  const failures: EnrolFailure[] = [];
  const embeddingProblems: string[] = [];
  for (const [i, o] of outcomes.entries()) {
    const w = writers[i]!;
    for (const f of o.report?.files ?? [])
      if (f.status === 'failed') failures.push({ writer: o.name, path: w.rels?.get(f.path) ?? `${w.prefix}${f.path}`, reason: f.reason ?? 'no reason given' });
    if (o.report?.embeddingProblem) embeddingProblems.push(`${o.name}: ${o.report.embeddingProblem}`);
  }
  const reports = outcomes.map((o) => o.report).filter((r): r is EnrolReport => r !== null);
  return {
    source: report,
    writers: outcomes,
    totals: {
      writers: outcomes.length,
      writersEnrolled: outcomes.filter((o) => o.status === 'enrolled').length,
      writersFailed: outcomes.filter((o) => o.status === 'failed').length,
      writersNotDone: outcomes.filter((o) => o.status === 'cancelled' || o.status === 'not-reached').length,
      files: total,
      enrolled: reports.reduce((n, r) => n + r.totals.enrolled, 0),
      skipped: reports.reduce((n, r) => n + r.totals.skipped, 0),
      failed: failures.length,
      forgedLeftOut,
    },
    failures,
    embeddingProblems,
    cancelled,
  };
}
