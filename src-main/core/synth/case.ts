/**
 * Case folders in the import layout (DESIGN section 7): known exemplars per subject
 * (signature scans, and for some subjects a genuine cheque as a full document) and
 * questioned cheque scans filed under the subject they claim to be from, half genuine and
 * half skilled forgeries, with truth.json giving the answer and the signature's box.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHEQUE_SAMPLES, renderCheque } from './cheque.ts';
import { FORGERS, type SeriesForger } from './sample.ts';
import { extensionOf, type ImageFormat } from './encode.ts';
import { checkPositiveInt, hooksOf, prepareOutput, runPipeline, type JobHooks, type ProgressFn } from './jobs.ts';
import { rngFor } from './math.ts';
import { renderSignature, type Box } from './signature.ts';
import { writerId } from './dataset.ts';
import { createWriter, type Writer } from './writer.ts';
import { hashString } from '../util/random.ts';

export interface CaseOptions {
  subjects: number;
  /** known exemplars per subject */
  known: number;
  /** questioned cheques per subject (about half of them forged) */
  questioned: number;
  /**
   * Series case: this many forgers, forger f forging subject f (round robin), each
   * max(3, ceil(questioned / 2)) times; the subjects' other questioned cheques are genuine.
   * Default 0: every forgery by one of the subject's own forgers.
   */
  series?: number;
  /** default 1 */
  seed?: number | string;
  overwrite?: boolean;
}

export interface CaseTruthEntry {
  /** the subject the document claims to be signed by (its folder under known/) */
  subject: string;
  genuine: boolean;
  /** who signed: the subject for a genuine signature, else the forger ("forger-2" in a series case, "<subject>/forger-1" otherwise) */
  hand: string;
  /** the signature's ink, [x, y, width, height] in pixels of the file */
  box: Box;
}

/** Keyed by the questioned file's path relative to the case folder, e.g. "questioned/a-marlow/q01.png". */
export type CaseTruth = Record<string, CaseTruthEntry>;

export interface CaseSubject {
  id: string;
  name: string;
  known: string[];
  questioned: string[];
}

export interface CaseSummary {
  dir: string;
  truth: string;
  subjects: CaseSubject[];
  known: number;
  questioned: number;
  genuine: number;
  forged: number;
  seed: string;
}

function slug(writer: Writer): string {
  return `${writer.first[0]}-${writer.last}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
}

function pickFormat(r: number): Exclude<ImageFormat, 'raw'> {
  return r < 0.5 ? 'png' : r < 0.85 ? 'jpeg' : 'tiff';
}

export async function generateCase(outDir: string, opts: CaseOptions, hooks?: ProgressFn | JobHooks): Promise<CaseSummary> {
  checkPositiveInt('subjects', opts.subjects, 500);
  checkPositiveInt('known', opts.known, 200);
  checkPositiveInt('questioned', opts.questioned, 200);
  const series = opts.series ?? 0;
  if (series) checkPositiveInt('series', series, 50);
  const seed = String(opts.seed ?? 1);
  await prepareOutput(outDir, opts.overwrite);
  const base = hashString(`case/${seed}`);
  const truth: CaseTruth = {};
  const subjects: CaseSubject[] = [];
  const tasks: Parameters<typeof runPipeline>[1] = [];
  const used = new Set<string>();
  for (let si = 0; si < opts.subjects; si++) {
    const writer = createWriter(seed, writerId(si));
    let id = slug(writer);
    for (let k = 2; used.has(id); k++) id = `${slug(writer)}-${k}`;
    used.add(id);
    const rng = rngFor(base, 'subject', si);
    const subject: CaseSubject = { id, name: writer.name, known: [], questioned: [] };
    subjects.push(subject);
    // Known exemplars: signature scans at office-scanner resolutions; for some subjects the
    // last one is a whole genuine cheque (the importer has to find the signature).
    const withDocument = opts.known >= 3 && rng.chance(0.5);
    for (let k = 0; k < opts.known; k++) {
      const num = String(k + 1).padStart(2, '0');
      if (withDocument && k === opts.known - 1) {
        const file = `known/${id}/k${num}-cheque.${extensionOf('jpeg')}`;
        subject.known.push(file);
        tasks.push({ file, label: file, make: () => renderCheque(writer, { kind: 'genuine', sampleIndex: 500 + k, format: 'jpeg' }).then((r) => r.data) });
        continue;
      }
      const format = pickFormat(rng.next());
      const dpi = rng.pick([200, 300, 300, 400]);
      const file = `known/${id}/k${num}.${extensionOf(format)}`;
      subject.known.push(file);
      tasks.push({ file, label: file, make: () => renderSignature(writer, { kind: 'genuine', sampleIndex: k, dpi, format, quality: 90 }).then((r) => r.data) });
    }
    // Questioned cheques: a balanced, shuffled mix of genuine and skilled forgeries; in a series
    // case the forgeries are the series forgers' (several each) and the rest genuine.
    type Item = { kind: 'genuine' | 'skilled'; forger?: SeriesForger };
    let items: Item[];
    if (series) {
      const mine = Array.from({ length: series }, (_, f) => f).filter((f) => f % opts.subjects === si);
      const each = Math.max(3, Math.ceil(opts.questioned / 2));
      items = [
        ...Array.from({ length: Math.ceil(opts.questioned / 2) }, (): Item => ({ kind: 'genuine' })),
        ...mine.flatMap((f) =>
          Array.from({ length: each }, (): Item => ({ kind: 'skilled', forger: { id: `forger-${f + 1}`, seed: hashString(`case/${seed}/forger/${f + 1}`) } })),
        ),
      ];
    } else {
      items = Array.from({ length: opts.questioned }, (_, i): Item => ({ kind: i % 2 === 0 ? 'genuine' : 'skilled' }));
    }
    rng.shuffle(items);
    items.forEach(({ kind, forger }, q) => {
      const format = pickFormat(rng.next());
      const file = `questioned/${id}/q${String(q + 1).padStart(2, '0')}.${extensionOf(format)}`;
      subject.questioned.push(file);
      const hand = kind === 'genuine' ? id : (forger?.id ?? `${id}/forger-${((CHEQUE_SAMPLES + q) % FORGERS) + 1}`);
      tasks.push({
        file,
        label: file,
        make: () =>
          renderCheque(writer, { kind, sampleIndex: q, format, ...(forger ? { forger } : {}) }).then((r) => {
            truth[file] = { subject: id, genuine: kind === 'genuine', hand, box: r.box };
            return r.data;
          }),
      });
    });
  }
  await runPipeline(outDir, tasks, hooksOf(hooks));
  const sorted: CaseTruth = {};
  for (const key of Object.keys(truth).sort()) sorted[key] = truth[key] as CaseTruthEntry;
  const truthFile = path.join(outDir, 'truth.json');
  await writeFile(truthFile, JSON.stringify(sorted, null, 2) + '\n');
  const entries = Object.values(sorted);
  const genuine = entries.filter((e) => e.genuine).length;
  return {
    dir: outDir,
    truth: truthFile,
    subjects,
    known: subjects.reduce((a, s) => a + s.known.length, 0),
    questioned: entries.length,
    genuine,
    forged: entries.length - genuine,
    seed,
  };
}
