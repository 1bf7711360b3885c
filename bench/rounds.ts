/**
 * Shared by the benchmarks that compare the product with the PyTorch reference (model.ts,
 * inference.ts): running the reference script, and interleaved rounds (the reference, then the
 * product's measures, then the reference again, ...) so a shared machine's load falls on both
 * alike. Ratios are taken within a round, then the median over rounds.
 */
import { spawnSync } from 'node:child_process';

/** The last line the reference script (torch_signet_reference.py) prints. */
export interface ReferenceFigures {
  impl: string;
  threads: number;
  params: number;
  embed_per_s: number;
  train_pairs_per_s: number;
}

/** Runs the PyTorch reference (Debian's /usr/bin/python3 with python3-torch) on `threads` threads. */
export function runReference(script: string, threads: number): ReferenceFigures {
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    timeout: 10 * 60_000,
  });
  const line = r.stdout?.trim().split('\n').at(-1);
  if (r.status !== 0 || !line) throw new Error(`reference benchmark failed: ${r.stderr?.trim().split('\n').at(-1) ?? r.error?.message}`);
  return JSON.parse(line) as ReferenceFigures;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The median of the values that are not null; null when there are none. */
export const medianOrNull = (xs: (number | null | undefined)[]): number | null => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? median(v) : null;
};

export interface InterleavedOptions {
  rounds: number;
  /** torch_signet_reference.py; without it each round is the product's measures alone. */
  referenceScript?: string;
  /** The reference's threads (the core count). */
  threads: number;
  say: (line: string) => void;
}

export interface InterleavedRound<T> {
  /** The reference's figures this round (null without a reference script). */
  reference: ReferenceFigures | null;
  product: T;
}

/**
 * `rounds` rounds, each the reference (when a script is given) and then `measure` (the product's
 * figures), one after the other. Progress lines are prefixed with "round r/N: ".
 */
export async function interleavedRounds<T>(
  options: InterleavedOptions,
  measure: (say: (line: string) => void, round: number) => Promise<T>,
): Promise<InterleavedRound<T>[]> {
  const out: InterleavedRound<T>[] = [];
  for (let r = 1; r <= options.rounds; r++) {
    const say = (line: string) => options.say(`round ${r}/${options.rounds}: ${line}`);
    let reference: ReferenceFigures | null = null;
    if (options.referenceScript) {
      say(`PyTorch reference (${options.threads} threads) ...`);
      reference = runReference(options.referenceScript, options.threads);
    }
    out.push({ reference, product: await measure(say, r) });
  }
  return out;
}
