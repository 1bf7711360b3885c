/**
 * Import benchmark: questioned cheque scans (1800 x 800, 200 dpi, as `countersign synth case`
 * writes them: PNG, JPEG and TIFF) per second through the whole import into a fresh data
 * directory: hashing, copying into the object store (fsynced), decoding, localisation, crop
 * and normalisation, the rows and audit rows. Worker start-up is included (it is part of every
 * import). Reports the wall-clock rate, process CPU seconds per cheque (all threads; less
 * disturbed by other load than the wall clock) and the load average, and, since truth.json is
 * at hand, the localisation figure (share of boxes with IoU >= 0.8).
 *
 *   node --import tsx bench/import.ts [--json] [--cheques 60] [--workers N] [--runs 3]
 *
 * The case folder is generated once (not timed); each run imports it into a new data directory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { importCaseFolder } from '../src-main/core/imaging/import.ts';
import { defaultWorkerCount } from '../src-main/core/imaging/import-pool.ts';
import { openStore } from '../src-main/core/store/index.ts';
import { generateCase, type CaseTruth } from '../src-main/core/synth/index.ts';

export interface ImportBenchOptions {
  /** Questioned cheques to import (rounded up to whole subjects of 6). Default 60. */
  cheques?: number;
  workers?: number;
  runs?: number;
  onProgress?: (line: string) => void;
}

export interface ImportRun {
  seconds: number;
  chequesPerSecond: number;
  cpuSecondsPerCheque: number;
  loadAverage: number;
}

export interface ImportBenchResult {
  cpu: string;
  cores: number;
  node: string;
  workers: number;
  cheques: number;
  formats: Record<string, number>;
  runs: ImportRun[];
  /** The best run (least disturbed by other work on the machine). */
  best: ImportRun;
  iou: { atLeast08: number; of: number; mean: number };
}

function iou(a: readonly number[], b: readonly number[]): number {
  const x0 = Math.max(a[0]!, b[0]!);
  const y0 = Math.max(a[1]!, b[1]!);
  const x1 = Math.min(a[0]! + a[2]!, b[0]! + b[2]!);
  const y1 = Math.min(a[1]! + a[3]!, b[1]! + b[3]!);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a[2]! * a[3]! + b[2]! * b[3]! - inter);
}

export async function runImportBench(opts: ImportBenchOptions = {}): Promise<ImportBenchResult> {
  const say = opts.onProgress ?? (() => {});
  const perSubject = 6;
  const subjects = Math.max(1, Math.ceil((opts.cheques ?? 60) / perSubject));
  const workers = opts.workers ?? defaultWorkerCount();
  const root = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-import-'));
  try {
    say(`generating ${subjects * perSubject} cheques ...`);
    const folder = path.join(root, 'case');
    await generateCase(folder, { subjects, known: 1, questioned: perSubject, seed: 'bench-import' });
    // Only the cheques: known exemplars are mostly small signature crops.
    rmSync(path.join(folder, 'known'), { recursive: true });
    const truth = JSON.parse(readFileSync(path.join(folder, 'truth.json'), 'utf8')) as CaseTruth;
    const cheques = Object.keys(truth).length;
    const formats: Record<string, number> = {};
    for (const f of Object.keys(truth)) formats[path.extname(f).slice(1)] = (formats[path.extname(f).slice(1)] ?? 0) + 1;
    const runs: ImportRun[] = [];
    let scores: number[] = [];
    for (let r = 0; r < (opts.runs ?? 3); r++) {
      const data = path.join(root, `data-${r}`);
      const store = openStore(data, { client: 'cli' });
      try {
        const c = store.cases.create({ name: 'bench' });
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const report = await importCaseFolder(store, { caseRef: c.id, folder, workers });
        const seconds = (performance.now() - t0) / 1000;
        const cu = process.cpuUsage(cpu0);
        if (report.totals.imported !== cheques) throw new Error(`run ${r + 1}: ${report.totals.imported} of ${cheques} imported`);
        runs.push({
          seconds,
          chequesPerSecond: cheques / seconds,
          cpuSecondsPerCheque: (cu.user + cu.system) / 1e6 / cheques,
          loadAverage: os.loadavg()[0] ?? 0,
        });
        say(`run ${r + 1}: ${cheques} cheques in ${seconds.toFixed(1)} s = ${(cheques / seconds).toFixed(1)} per second`);
        scores = report.files.map((f) => (f.box ? iou(f.box, truth[f.path]!.box) : 0));
      } finally {
        store.close();
        rmSync(data, { recursive: true, force: true });
      }
    }
    const best = runs.reduce((a, b) => (b.chequesPerSecond > a.chequesPerSecond ? b : a));
    return {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      node: process.version,
      workers,
      cheques,
      formats,
      runs,
      best,
      iou: { atLeast08: scores.filter((s) => s >= 0.8).length, of: scores.length, mean: scores.reduce((a, b) => a + b, 0) / scores.length },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const json = process.argv.includes('--json');
  const r = await runImportBench({
    cheques: arg('cheques'),
    workers: arg('workers'),
    runs: arg('runs'),
    onProgress: json ? undefined : (l) => process.stderr.write(l + '\n'),
  });
  if (json) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    console.log(`${r.cpu}, ${r.cores} cores, Node ${r.node}, ${r.workers} import workers`);
    console.log(
      `${r.cheques} cheques 1800 x 800 (${Object.entries(r.formats)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')})`,
    );
    for (const [i, x] of r.runs.entries()) {
      console.log(
        `run ${i + 1}: ${x.chequesPerSecond.toFixed(1)} cheques/s (${x.seconds.toFixed(1)} s), ${(x.cpuSecondsPerCheque * 1000).toFixed(0)} ms CPU per cheque, load average ${x.loadAverage.toFixed(1)}`,
      );
    }
    console.log(
      `best: ${r.best.chequesPerSecond.toFixed(1)} cheques/s; localisation IoU >= 0.8 on ${r.iou.atLeast08}/${r.iou.of} (mean ${r.iou.mean.toFixed(3)})`,
    );
  }
}
