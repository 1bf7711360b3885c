// `countersign import` and `countersign crop` as real child processes on a case written by
// `countersign synth case`: the JSON report's shape, exit codes, the line-per-file log.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { BIN, ROOT, cli, lastJson } from '../../helpers/cli.ts';
import { tempDir } from '../store/helpers.ts';

const root = tempDir('cs-import-cli-');
const data = path.join(root, 'data');
const folder = path.join(root, 'case');
const run = (...args: string[]) => cli(['--data-dir', data, ...args]);

interface Entry {
  path: string;
  sha256: string | null;
  status: string;
  reason?: string;
  role: string;
  subject: string | null;
  box: number[] | null;
  confidence: number | null;
  documentId: number | null;
}
interface Report {
  ok: boolean;
  files: Entry[];
  totals: { files: number; imported: number; skipped: number; failed: number; documents: number; lowConfidence: number; notProcessed: number };
}

before(() => {
  const g = cli(['synth', 'case', folder, '--subjects', '2', '--known', '2', '--questioned', '2', '--seed', '51', '--json']);
  assert.equal(g.status, 0, g.stderr);
  const subject = (lastJson(g) as { subjects: { id: string }[] }).subjects[0]!.id;
  writeFileSync(path.join(folder, 'questioned', subject, 'statement.pdf'), '%PDF-1.7\n%%EOF\n');
  assert.equal(run('case', 'create', 'CLI import').status, 0);
});

let report: Report;

describe('countersign import', () => {
  test('--json: one entry per file with path, sha256, status, reason, role, subject, box, confidence; and totals', () => {
    const r = run('import', folder, '--case', 'cli import', '--json');
    assert.equal(r.status, 0, r.stderr);
    report = lastJson<Report>(r);
    assert.equal(report.ok, true);
    assert.equal(report.files.length, 9);
    for (const f of report.files) {
      assert.ok(!path.isAbsolute(f.path) && !f.path.includes('\\'), `relative path ${f.path}`);
      assert.match(f.sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.ok(['known', 'questioned'].includes(f.role));
      assert.ok(f.subject);
      if (f.status === 'imported') {
        assert.equal(f.reason, undefined);
        assert.equal(f.box!.length, 4);
        assert.ok(f.box!.every((v) => Number.isInteger(v) && v >= 0));
        if (f.role === 'questioned') assert.ok(f.confidence! > 0 && f.confidence! <= 1);
      }
    }
    const pdf = report.files.find((f) => f.path.endsWith('statement.pdf'))!;
    assert.equal(pdf.status, 'failed');
    assert.match(pdf.reason!, /statement\.pdf: PDF files are not supported yet/);
    assert.deepEqual(
      { files: report.totals.files, imported: report.totals.imported, skipped: report.totals.skipped, failed: report.totals.failed },
      { files: 9, imported: 8, skipped: 0, failed: 1 },
    );
  });

  test('again: every file skipped, nothing added; --strict exits 3 because a file failed', () => {
    const r = run('import', folder, '--case', 'cli import', '--json', '--strict');
    assert.equal(r.status, 3, r.stderr);
    const again = lastJson<Report>(r);
    assert.deepEqual([again.totals.imported, again.totals.skipped, again.totals.failed], [0, 8, 1]);
    assert.deepEqual(
      again.files.map((f) => f.sha256),
      report.files.map((f) => f.sha256),
    );
  });

  test('Ctrl-C stops after the files in flight with exit 130 and says how to go on; running it again completes it', async () => {
    assert.equal(run('case', 'create', 'Interrupted').status, 0);
    const child = spawn(process.execPath, [BIN, '--data-dir', data, 'import', folder, '--case', 'Interrupted'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (/^imported /m.test(out) && child.exitCode === null && !child.killed) child.kill('SIGINT');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 130, err);
    assert.match(err, /import stopped after \d+ of 9 files; what was imported is kept\.\nTo import the rest, run the same command again/);
    const done = out.split('\n').filter((l) => /^(imported|failed|skipped) {2,}/.test(l)).length;
    const importedFirst = out.split('\n').filter((l) => /^imported {2,}/.test(l)).length;
    assert.ok(done >= 1 && done < 9, `${done} files before stopping`);
    // without a terminal: one line per file, then a summary naming the failures
    const rest = run('import', folder, '--case', 'Interrupted');
    assert.equal(rest.status, 0, rest.stderr);
    const lines = rest.stdout.split('\n');
    assert.equal(lines.filter((l) => /^(imported|failed|skipped) {2,}/.test(l)).length, 9);
    assert.equal(lines.filter((l) => /^skipped {2,}/.test(l)).length, importedFirst, 'what the stopped run imported is skipped');
    const summary = new RegExp(
      `^Case \\d+ "Interrupted" from .*: ${8 - importedFirst} imported, ${importedFirst} skipped \\(already in the case\\), 1 failed, of 9 files`,
    );
    assert.ok(
      lines.some((l) => summary.test(l)),
      rest.stdout,
    );
    assert.ok(lines.some((l) => /^ {2}questioned\/.*statement\.pdf: PDF files are not supported yet/.test(l)));
  });

  test('a folder that is not a case folder, an unknown case, a missing --case: exit 1 or 2 with the reason', () => {
    const notCase = run('import', path.join(folder, 'known'), '--case', 'cli import');
    assert.equal(notCase.status, 1);
    assert.match(notCase.stderr, /has neither a known\/ nor a questioned\/ folder; expected a case folder laid out as\n {2}known\/<subject>\/<files>/);
    const unknown = run('import', folder, '--case', 'Nope');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /case: no case named or numbered 'Nope'/);
    assert.match(run('import', folder).stderr, /--case: required/);
    assert.equal(run('import', folder, '--case', 'cli import', '--bogus').status, 2);
  });
});

describe('countersign crop', () => {
  test('re-derives a document signature with the given box and says what it replaced', () => {
    const q = report.files.find((f) => f.role === 'questioned' && f.status !== 'failed')!;
    const [x, y, w, h] = q.box as [number, number, number, number];
    const r = run('crop', String(q.documentId), '--box', `${x},${y},${w + 8},${h}`, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = lastJson<{ signature: { source: string; status: string; box: unknown }; previous: { box: unknown } }>(r);
    assert.deepEqual([out.signature.source, out.signature.status, out.signature.box], ['manual', 'approved', { x, y, w: w + 8, h }]);
    assert.deepEqual(out.previous.box, { x, y, w, h });
    const human = run('crop', String(q.documentId), '--box', `${x},${y},${w},${h}`);
    assert.match(
      human.stdout,
      new RegExp(`^Document ${q.documentId} \\(.*\\): box \\[${x}, ${y}, ${w + 8}, ${h}\\] \\(signature \\d+, now rejected\\) -> \\[${x}, ${y}, ${w}, ${h}\\]`),
    );
    const bad = run('crop', String(q.documentId), '--box', '1,2,3');
    assert.equal(bad.status, 2, 'a malformed --box is a usage error');
    assert.match(bad.stderr, /--box: expected four whole numbers x,y,width,height/);
  });
});
