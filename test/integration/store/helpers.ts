import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function tempDir(prefix = 'cs-int-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a .ts fixture under tsx; collects stdout lines and lets a test wait for one. */
export function startFixture(name: string, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, name), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buf = '';
  const waiters: { pred: (l: string) => boolean; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.pred(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    /** Resolves when a stdout line satisfies pred; rejects if the child exits first. */
    waitFor(pred: (line: string) => boolean): Promise<void> {
      if (lines.some(pred)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiters.push({ pred, resolve });
        void exited.then(({ code }) => reject(new Error(`${name} exited (${code}) before the expected output: ${stderr}`)));
      });
    },
  };
}
