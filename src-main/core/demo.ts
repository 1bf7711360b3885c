/**
 * The main job on the embedded default: a synthetic case folder (known exemplars and cheques,
 * half genuine, half skilled forgeries, with the truth), imported into a case, every
 * questioned cheque verified with the active model, and the PDF report written. Running it
 * again with the same seed reuses the folder (same bytes) and the case (the import skips what
 * it holds) and records a new verification.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { importCaseFolder, type ImportReport } from './imaging/import.ts';
import { createCaseReport, type CaseReportResult } from './report/case-report.ts';
import type { Store } from './store/index.ts';
import { generateCase } from './synth/index.ts';
import { readJsonFile } from './util/json-file.ts';
import { verifyCase, type VerifyCaseResult } from './verify/verify-case.ts';

export interface DemoOptions {
  /** Where the case folder and the report go. */
  out: string;
  seed?: number;
  subjects?: number;
  known?: number;
  questioned?: number;
  signal?: AbortSignal;
  onStage?: (stage: 'generate' | 'import' | 'verify' | 'report', done: number, total: number) => void;
}

export interface DemoResult {
  folder: string;
  import: ImportReport;
  verify: VerifyCaseResult;
  truth: DemoTruth;
  /** Decisions against the truth: inconclusive ones are counted apart, not as right or wrong. */
  agreement: { right: number; wrong: number; inconclusive: number; compared: number };
  report: CaseReportResult;
}

const MARKER = 'truth.json';

/** truth.json (synth/case.ts CaseTruth) as far as the demo reads it; other fields are kept. */
const truthSchema = z.record(z.string(), z.looseObject({ subject: z.string(), genuine: z.boolean() }));
export type DemoTruth = z.output<typeof truthSchema>;

export async function runDemo(store: Store, opts: DemoOptions): Promise<DemoResult> {
  const seed = opts.seed ?? 1;
  const folder = path.resolve(opts.out, 'case');
  const say = opts.onStage ?? (() => undefined);
  if (!existsSync(path.join(folder, MARKER))) {
    say('generate', 0, 1);
    // No truth.json: nothing, or a generation cut short; either way the folder is (re)written whole.
    await generateCase(
      folder,
      { subjects: opts.subjects ?? 4, known: opts.known ?? 5, questioned: opts.questioned ?? 4, seed, overwrite: true },
      {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (done: number, total: number) => say('generate', done, total),
      },
    );
  }
  const truth = readJsonFile(truthSchema, path.join(folder, MARKER));
  const name = `Demo case (synthetic, seed ${seed})`;
  const c =
    store.cases.find(name) ??
    store.cases.create({
      name,
      examiner: 'Demo examiner',
      notes: `Synthetic cheques and exemplars from the Countersign generator (seed ${seed}); half of the questioned signatures are skilled forgeries. Truth: ${path.join(folder, MARKER)}`,
    });
  if (c.status === 'archived') throw new AppError('CONFLICT', `case '${name}' is archived; use another --seed or --data-dir`);
  const imported = await importCaseFolder(store, {
    caseRef: c.id,
    folder,
    ...(opts.signal ? { signal: opts.signal } : {}),
    onProgress: (p) => say('import', p.done, p.total),
  });
  const verified = await verifyCase(store, c.id, { ...(opts.signal ? { signal: opts.signal } : {}), onProgress: (p) => say('verify', p.done, p.total) });
  const agreement = { right: 0, wrong: 0, inconclusive: 0, compared: verified.items.length };
  for (const it of verified.items) {
    const t = truth[it.documentPath];
    if (!t || it.comparison.decision === 'inconclusive') {
      agreement.inconclusive++;
      continue;
    }
    if ((it.comparison.decision === 'genuine') === t.genuine) agreement.right++;
    else agreement.wrong++;
  }
  say('report', 0, 1);
  const report = await createCaseReport(store, c.id, { out: path.resolve(opts.out, 'report.pdf') });
  say('report', 1, 1);
  return { folder, import: imported, verify: verified, truth, agreement, report };
}
