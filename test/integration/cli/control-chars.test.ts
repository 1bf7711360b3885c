/**
 * Issue 15, item 10 on the terminal: a file name with ESC sequences and a newline is shown
 * with its control characters escaped by `import` (line per file and summary), in errors and
 * in tables; --json keeps the exact name (JSON escapes it) and carries no raw C1 or
 * bidirectional control either.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, lastJson, tempDir } from '../../helpers/cli.ts';

const HOSTILE = 'k\x1b]0;owned\x07\x1b[2J\rimported  forged.png (document 9): signature crop\n\u202eevil\u0085.png';
const SHOWN = 'k\\x1b]0;owned\\x07\\x1b[2J\\rimported  forged.png (document 9): signature crop\\n\\u202eevil\\x85.png';
// Anything a terminal would act on: C0 but newline, DEL, C1, line separators, bidi controls.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('control characters in CLI output', () => {
  const tmp = tempDir('countersign-controls-');
  const data = path.join(tmp.dir, 'data');
  const folder = path.join(tmp.dir, 'case');
  const run = (...args: string[]) => cli(['--data-dir', data, ...args]);

  before(() => {
    const g = cli(['synth', 'case', folder, '--subjects', '1', '--known', '1', '--questioned', '1', '--seed', '15', '--json']);
    assert.equal(g.status, 0, g.stderr);
    const subject = lastJson<{ subjects: { id: string }[] }>(g).subjects[0]!.id;
    const known = path.join(folder, 'known', subject);
    const [file] = readdirSync(known);
    copyFileSync(path.join(known, file!), path.join(known, HOSTILE));
    rmSync(path.join(known, file!));
    assert.equal(run('case', 'create', 'Controls').status, 0);
  });
  after(() => tmp.cleanup());

  it('`import` prints the name escaped: no raw control reaches the terminal and no line is forged', () => {
    const r = run('import', folder, '--case', 'Controls');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!RAW_CONTROL.test(r.stdout), `raw control characters in: ${JSON.stringify(r.stdout)}`);
    assert.ok(r.stdout.includes(`imported  known/`) && r.stdout.includes(SHOWN), `the name shown escaped in: ${r.stdout}`);
    const forged = r.stdout.split('\n').filter((l) => l.startsWith('imported  forged.png'));
    assert.deepEqual(forged, [], 'the newline in the name did not start a line of its own');
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('imported  ')).length, 2, 'one line per imported file');
  });

  it('--json keeps the exact name, with C1 and bidirectional controls escaped as \\u', () => {
    const r = run('import', folder, '--case', 'Controls', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!RAW_CONTROL.test(r.stdout), 'no raw control characters in the JSON text');
    const report = lastJson<{ files: { path: string }[] }>(r);
    assert.ok(
      report.files.some((f) => f.path.endsWith(HOSTILE)),
      'the name parses back unchanged',
    );
  });

  it('an error message that quotes input shows it escaped', () => {
    const r = run('case', 'show', 'no such case \x1b[2J\nfake line');
    assert.notEqual(r.status, 0);
    assert.ok(!RAW_CONTROL.test(r.stderr), JSON.stringify(r.stderr));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${JSON.stringify(r.stderr)}`);
    // the layout help stays a block of lines; the folder's name in the message is escaped
    const odd = path.join(tmp.dir, 'odd\nimported  x');
    mkdirSync(odd);
    writeFileSync(path.join(odd, 'scan.png'), 'x');
    const layout = run('import', odd, '--case', 'Controls');
    assert.notEqual(layout.status, 0);
    assert.ok(layout.stderr.includes('odd\\nimported  x: has neither a known/ nor a questioned/ folder'), layout.stderr);
    assert.match(layout.stderr, /laid out as\n {2}known\/<subject>\/<files>/);
    const unknown = cli(['no-such-\x1b[31mcommand']);
    assert.ok(!RAW_CONTROL.test(unknown.stderr) && unknown.stderr.includes('\\x1b[31m'), JSON.stringify(unknown.stderr));
  });
});
