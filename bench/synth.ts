/**
 * Synthetic data benchmark: signature images and cheque scans per second on one core
 * (sharp limited to one thread), warm-up excluded. Reports wall-clock rates and CPU-time
 * rates (process CPU seconds per item), the latter being less disturbed by other load.
 *
 *   node --import tsx bench/synth.ts [--json] [--seconds 6]
 *
 * `countersign bench` can call runSynthBench().
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { createWriter, rasteriseCheque, rasteriseSignature, renderCheque, renderSignature, type Writer } from '../src-main/core/synth/index.ts';

export interface SynthBenchOptions {
  /** measured seconds per figure (default 6) */
  seconds?: number;
  onProgress?: (line: string) => void;
}

export interface Rate {
  /** items per wall-clock second */
  perSecond: number;
  /** items per CPU second of this process */
  perCpuSecond: number;
  items: number;
}

export interface SynthBenchResult {
  cpu: string;
  cores: number;
  loadAverage: number;
  node: string;
  sharpThreads: number;
  figures: Record<string, Rate>;
}

async function measure(seconds: number, step: (i: number) => unknown): Promise<Rate> {
  for (let i = 0; i < 3; i++) await step(-1 - i);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000 || n < 3) await step(n++);
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  return { perSecond: n / wall, perCpuSecond: n / cpu, items: n };
}

export async function runSynthBench(opts: SynthBenchOptions = {}): Promise<SynthBenchResult> {
  const seconds = opts.seconds ?? 6;
  const say = opts.onProgress ?? (() => {});
  const previous = sharp.concurrency();
  sharp.concurrency(1);
  const writers: Writer[] = Array.from({ length: 16 }, (_, i) => createWriter('bench', `w${i}`));
  const w = (i: number) => writers[((i % writers.length) + writers.length) % writers.length] as Writer;
  const idx = (i: number) => Math.abs(i);
  const figures: Record<string, Rate> = {};
  const cases: [string, (i: number) => unknown][] = [
    ['signature genuine 200 dpi, pixels only', (i) => rasteriseSignature(w(i), { sampleIndex: idx(i), dpi: 200 })],
    ['signature skilled 200 dpi, pixels only', (i) => rasteriseSignature(w(i), { kind: 'skilled', sampleIndex: idx(i), dpi: 200 })],
    ['signature genuine 200 dpi, PNG', (i) => renderSignature(w(i), { sampleIndex: idx(i), dpi: 200 })],
    ['signature skilled 200 dpi, PNG', (i) => renderSignature(w(i), { kind: 'skilled', sampleIndex: idx(i), dpi: 200 })],
    ['signature genuine 300 dpi, PNG', (i) => renderSignature(w(i), { sampleIndex: idx(i), dpi: 300 })],
    ['cheque 200 dpi, pixels only', (i) => rasteriseCheque(w(i % 4), { kind: i % 2 ? 'skilled' : 'genuine', sampleIndex: idx(i) })],
    ['cheque 200 dpi, PNG', (i) => renderCheque(w(i % 4), { kind: i % 2 ? 'skilled' : 'genuine', sampleIndex: idx(i), format: 'png' })],
    ['cheque 200 dpi, JPEG', (i) => renderCheque(w(i % 4), { kind: i % 2 ? 'skilled' : 'genuine', sampleIndex: idx(i), format: 'jpeg' })],
  ];
  try {
    for (const [name, step] of cases) {
      say(`measuring ${name} ...`);
      figures[name] = await measure(seconds, step);
    }
  } finally {
    sharp.concurrency(previous);
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    loadAverage: os.loadavg()[0] ?? 0,
    node: process.version,
    sharpThreads: 1,
    figures,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const json = process.argv.includes('--json');
  const s = process.argv.indexOf('--seconds');
  const seconds = s > 0 ? Number(process.argv[s + 1]) : undefined;
  const r = await runSynthBench({ seconds, onProgress: json ? undefined : (l) => process.stderr.write(l + '\n') });
  if (json) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    console.log(`${r.cpu}, ${r.cores} cores, load average ${r.loadAverage.toFixed(1)}, Node ${r.node}, sharp threads ${r.sharpThreads}`);
    console.log(`${'figure'.padEnd(42)} ${'per s'.padStart(8)} ${'per CPU s'.padStart(10)}`);
    for (const [k, v] of Object.entries(r.figures))
      console.log(`${k.padEnd(42)} ${v.perSecond.toFixed(1).padStart(8)} ${v.perCpuSecond.toFixed(1).padStart(10)}`);
  }
}
