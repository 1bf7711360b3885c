/**
 * The case-folder layout (DESIGN section 7, docs/import.md):
 *
 *   <case>/known/<subject>/...              known exemplars of <subject> (sub-folders allowed)
 *   <case>/questioned/<claimed subject>/... questioned documents claiming to be by that subject
 *   <case>/questioned/<file>                questioned documents whose claimed subject case.json names
 *   <case>/case.json                        optional: { "questioned": { "questioned/<file>": "<subject>" } }
 *
 * Walking the folder decides, for every file, its role and subject, or why it cannot be
 * imported (the reason names the file and says where it should be). Nothing is read here but
 * directory entries and case.json. Symbolic links to files are followed (the bytes are
 * imported, never the link); links to folders are not (a loop could never end).
 */
import { promises as fsp, type Dirent } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { validateSubjectName } from '../store/documents.ts';
import { isInside } from './inside-folder.ts';
import { LAYOUT_HELP } from './case-folder-help.ts';
import type { DocumentRole } from '../store/types.ts';

export const CASE_JSON = 'case.json';

export { LAYOUT_HELP };

export interface PlannedFile {
  /** Relative to the case folder, forward slashes: what the report and the database record. */
  path: string;
  abs: string;
  role: DocumentRole;
  /** The writer (known) or the claimed subject (questioned); null when the layout does not say. */
  subject: string | null;
  /** Why the file cannot be imported where it is (it is then not read). */
  problem?: { code: string; message: string };
}

export interface ImportPlan {
  folder: string;
  /** The folder with every symbolic link resolved: nothing outside it is read. */
  realFolder: string;
  files: PlannedFile[];
  /** Every subject named by the layout, in order of first appearance. */
  subjects: string[];
  /** Entries that are not part of the layout, with why (hidden files, loose top-level files). */
  ignored: { path: string; reason: string }[];
  /** Problems that concern no single file (case.json naming files that are not there). */
  warnings: string[];
}

const caseJsonSchema = z
  .object({
    questioned: z.record(z.string(), z.string()).optional(),
    comment: z.string().optional(),
  })
  .strict();

export type CaseJson = z.infer<typeof caseJsonSchema>;

function layoutError(folder: string, why: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${folder}: ${why}; ${LAYOUT_HELP}`, { field: 'folder', reason: 'layout' });
}

async function readCaseJson(folder: string, realFolder: string, file: string): Promise<CaseJson> {
  let text: string;
  try {
    const real = await fsp.realpath(file);
    if (!isInside(real, realFolder)) {
      throw new AppError('INVALID_ARGUMENT', `${CASE_JSON}: a symbolic link to ${real}, outside the case folder ${folder}; refused without reading it`, {
        field: CASE_JSON,
      });
    }
    text = await fsp.readFile(real, 'utf8');
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('IO', `${CASE_JSON}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { field: CASE_JSON });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `${CASE_JSON}: not valid JSON (${(err as Error).message}); ${LAYOUT_HELP}`, { field: CASE_JSON });
  }
  const parsed = caseJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const where = i.path.length ? `${CASE_JSON} ${i.path.join('.')}` : CASE_JSON;
    throw new AppError('INVALID_ARGUMENT', `${where}: ${i.message} (in ${folder}); ${LAYOUT_HELP}`, { field: CASE_JSON });
  }
  for (const [key, subject] of Object.entries(parsed.data.questioned ?? {})) validateSubjectName(subject, `${CASE_JSON} questioned["${key}"]`);
  return parsed.data;
}

const posix = (p: string): string => p.split(path.sep).join('/');

/** Hidden files and the litter file managers leave: not evidence, listed as ignored. */
function isLitter(name: string): boolean {
  return name.startsWith('.') || /^(thumbs\.db|desktop\.ini)$/i.test(name);
}

interface WalkState {
  folder: string;
  plan: ImportPlan;
  subjectKeys: Map<string, string>;
}

function addSubject(st: WalkState, name: string): string {
  const key = name.normalize('NFC').toLowerCase();
  const existing = st.subjectKeys.get(key);
  if (existing) return existing;
  st.subjectKeys.set(key, name);
  st.plan.subjects.push(name);
  return name;
}

function folderLink(rel: string): { code: string; message: string } {
  return {
    code: 'folder-link',
    message: `${rel}: a symbolic link to a folder is not followed (a link loop would never end); copy the files into the case folder`,
  };
}

/** What a directory entry is, following a link to a file but never to a folder. */
async function entryKind(abs: string, d: Dirent): Promise<'file' | 'dir' | 'dir-link' | 'other'> {
  if (d.isDirectory()) return 'dir';
  if (d.isFile()) return 'file';
  if (!d.isSymbolicLink()) return 'other';
  try {
    const st = await fsp.stat(abs);
    return st.isDirectory() ? 'dir-link' : 'file';
  } catch {
    return 'file'; // a loop or a dangling link: reading it says which, naming the file
  }
}

async function list(abs: string): Promise<Dirent[]> {
  const entries = await fsp.readdir(abs, { withFileTypes: true });
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A folder's entries; an unreadable folder becomes a failed entry of the report, not a silent gap. */
async function listOrReport(st: WalkState, abs: string, role: DocumentRole, subject: string | null): Promise<Dirent[]> {
  try {
    return await list(abs);
  } catch (err) {
    const rel = posix(path.relative(st.folder, abs));
    const message = `${rel}/: the folder cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing in it was imported`;
    st.plan.files.push({ path: rel, abs, role, subject, problem: { code: 'unreadable', message } });
    return [];
  }
}

/**
 * A folder's entries in order, hidden and system files recorded as ignored on the way (and an
 * unreadable folder as a failed file, by listOrReport).
 */
async function* entries(st: WalkState, abs: string, role: DocumentRole, subject: string | null) {
  for (const d of await listOrReport(st, abs, role, subject)) {
    const childAbs = path.join(abs, d.name);
    const rel = posix(path.relative(st.folder, childAbs));
    if (isLitter(d.name)) st.plan.ignored.push({ path: rel, reason: 'hidden or system file' });
    else yield { name: d.name, abs: childAbs, rel, kind: await entryKind(childAbs, d) };
  }
}

/** Every file under a subject folder (sub-folders included), all with the same role and subject. */
async function walkFiles(st: WalkState, abs: string, role: DocumentRole, subject: string | null): Promise<void> {
  for await (const { abs: childAbs, rel, kind } of entries(st, abs, role, subject)) {
    if (kind === 'dir') await walkFiles(st, childAbs, role, subject);
    else if (kind === 'dir-link') {
      st.plan.files.push({ path: rel, abs: childAbs, role, subject, problem: folderLink(rel) });
    } else if (kind === 'file') st.plan.files.push({ path: rel, abs: childAbs, role, subject });
    else st.plan.ignored.push({ path: rel, reason: 'not a regular file (device, socket or pipe)' });
  }
}

/**
 * Files whose symbolic links lead outside the case folder are refused in the plan, before a
 * byte of them is read (the worker checks again when it reads: import-file.ts). Links that
 * cannot be resolved (dangling, loops) are left for the read to name.
 */
async function refuseOutside(plan: ImportPlan): Promise<void> {
  for (const f of plan.files) {
    if (f.problem) continue;
    let real: string;
    try {
      real = await fsp.realpath(f.abs);
    } catch {
      continue;
    }
    if (!isInside(real, plan.realFolder)) {
      f.problem = {
        code: 'outside-folder',
        message: `${f.path}: a symbolic link to ${real}, outside the case folder: refused without reading it (copy the file into the case folder to import it)`,
      };
    }
  }
}

/** The folder's plan, or an AppError explaining the expected layout when it has none. */
export async function planImport(folderArg: string): Promise<ImportPlan> {
  const folder = path.resolve(folderArg);
  let st0;
  try {
    st0 = await fsp.stat(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `folder: ${folder} does not exist`, { field: 'folder' });
    throw new AppError('IO', `folder: ${folder} cannot be read (${code ?? (err as Error).message})`, { field: 'folder' });
  }
  if (!st0.isDirectory()) throw layoutError(folder, 'is a file, not a case folder');
  let top: Dirent[];
  try {
    top = await list(folder);
  } catch (err) {
    throw new AppError('IO', `folder: ${folder} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { field: 'folder' });
  }
  const realFolder = await fsp.realpath(folder);
  const plan: ImportPlan = { folder, realFolder, files: [], subjects: [], ignored: [], warnings: [] };
  const st: WalkState = { folder, plan, subjectKeys: new Map() };
  const find = (name: string) => top.find((d) => d.name.toLowerCase() === name && (d.isDirectory() || d.isSymbolicLink()));
  const known = find('known');
  const questioned = find('questioned');
  if (!known && !questioned) throw layoutError(folder, 'has neither a known/ nor a questioned/ folder');
  const caseFile = top.find((d) => d.name.toLowerCase() === CASE_JSON && !d.isDirectory());
  const caseJson = caseFile ? await readCaseJson(folder, realFolder, path.join(folder, caseFile.name)) : null;
  for (const d of top) {
    if (d === known || d === questioned || d === caseFile) continue;
    plan.ignored.push({
      path: d.name + (d.isDirectory() ? '/' : ''),
      reason: isLitter(d.name) ? 'hidden or system file' : 'not part of the case layout (only known/, questioned/ and case.json are read)',
    });
  }

  if (known) {
    for await (const { name, abs, rel, kind } of entries(st, path.join(folder, known.name), 'known', null)) {
      if (kind === 'dir') await walkFiles(st, abs, 'known', addSubject(st, validateSubjectName(name, rel)));
      else {
        const problem =
          kind === 'dir-link'
            ? folderLink(rel)
            : { code: 'no-subject', message: `${rel}: a known exemplar must be in its writer's folder, known/<subject>/${name}` };
        plan.files.push({ path: rel, abs, role: 'known', subject: null, problem });
      }
    }
  }
  const mapping = new Map<string, string>();
  for (const [key, subject] of Object.entries(caseJson?.questioned ?? {})) {
    const k = posix(key).replace(/^\.\//, '');
    mapping.set(k.startsWith('questioned/') ? k : `questioned/${k}`, validateSubjectName(subject));
  }
  const used = new Set<string>();
  if (questioned) {
    for await (const { name, abs, rel, kind } of entries(st, path.join(folder, questioned.name), 'questioned', null)) {
      if (kind === 'dir') {
        const subject = addSubject(st, validateSubjectName(name, rel));
        const before = plan.files.length;
        await walkFiles(st, abs, 'questioned', subject);
        for (const f of plan.files.slice(before)) {
          const claimed = mapping.get(f.path);
          if (claimed === undefined) continue;
          used.add(f.path);
          if (claimed.toLowerCase() !== subject.toLowerCase() && !f.problem) {
            f.problem = {
              code: 'subject-conflict',
              message: `${f.path}: case.json says it claims to be by '${claimed}', its folder says '${subject}'; make them agree`,
            };
          }
        }
        continue;
      }
      const key = mapping.has(rel) ? rel : [...mapping.keys()].find((k) => k.toLowerCase() === rel.toLowerCase());
      const claimed = key === undefined ? undefined : mapping.get(key);
      if (key !== undefined) used.add(key);
      const subject = claimed === undefined ? null : addSubject(st, claimed);
      const problem =
        kind === 'dir-link'
          ? folderLink(rel)
          : subject === null
            ? {
                code: 'no-claimed-subject',
                message: `${rel}: no claimed subject: move it to questioned/<subject>/${name}, or name its subject in case.json as { "questioned": { "${rel}": "<subject>" } }`,
              }
            : undefined;
      plan.files.push({ path: rel, abs, role: 'questioned', subject, ...(problem ? { problem } : {}) });
    }
  }
  for (const k of mapping.keys()) if (!used.has(k)) plan.warnings.push(`${CASE_JSON}: questioned["${k}"] names a file that is not in the folder`);
  if (plan.files.length === 0) throw layoutError(folder, 'holds no files under known/ or questioned/');
  await refuseOutside(plan);
  return plan;
}
