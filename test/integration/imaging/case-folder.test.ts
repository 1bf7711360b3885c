// The case-folder layout: roles and subjects from folders and case.json, and a clear reason
// (naming the file and the expected place) for everything that does not fit.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { AppError } from '../../../src-main/core/errors.ts';
import { planImport } from '../../../src-main/core/imaging/case-folder.ts';
import { tempDir } from '../../helpers/store.ts';

function tree(files: Record<string, string>): string {
  const root = tempDir('cs-layout-');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

async function refused(folder: string, code: string, re: RegExp): Promise<void> {
  await assert.rejects(planImport(folder), (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    return true;
  });
}

describe('planImport', () => {
  test('known/<subject>/ and questioned/<subject>/ give role and subject; sub-folders belong to the subject', async () => {
    const root = tree({
      'known/alice/k1.png': 'x',
      'known/alice/2019/k2.png': 'x',
      'known/Bob/k1.jpg': 'x',
      'questioned/alice/q1.png': 'x',
      'questioned/carol/q2.tif': 'x',
      'truth.json': '{}',
      'known/alice/.DS_Store': 'x',
    });
    const plan = await planImport(root);
    assert.deepEqual(
      plan.files.map((f) => [f.path, f.role, f.subject, f.problem?.code ?? null]),
      [
        ['known/Bob/k1.jpg', 'known', 'Bob', null],
        ['known/alice/2019/k2.png', 'known', 'alice', null],
        ['known/alice/k1.png', 'known', 'alice', null],
        ['questioned/alice/q1.png', 'questioned', 'alice', null],
        ['questioned/carol/q2.tif', 'questioned', 'carol', null],
      ],
    );
    assert.deepEqual(plan.subjects, ['Bob', 'alice', 'carol']);
    assert.deepEqual(plan.ignored.map((i) => i.path).sort(), ['known/alice/.DS_Store', 'truth.json']);
  });

  test('a file directly in questioned/ takes its claimed subject from case.json, and says how when it is missing', async () => {
    const root = tree({
      'known/alice/k1.png': 'x',
      'questioned/scan-1.png': 'x',
      'questioned/scan-2.png': 'x',
      'questioned/alice/q3.png': 'x',
      'case.json': JSON.stringify({ questioned: { 'questioned/scan-1.png': 'alice', 'scan-9.png': 'bob', 'questioned/alice/q3.png': 'dave' } }),
    });
    const plan = await planImport(root);
    const by = Object.fromEntries(plan.files.map((f) => [f.path, f]));
    assert.equal(by['questioned/scan-1.png']!.subject, 'alice');
    assert.equal(by['questioned/scan-1.png']!.problem, undefined);
    assert.equal(by['questioned/scan-2.png']!.problem?.code, 'no-claimed-subject');
    assert.match(
      by['questioned/scan-2.png']!.problem!.message,
      /^questioned\/scan-2\.png: no claimed subject: move it to questioned\/<subject>\/scan-2\.png, or name its subject in case\.json/,
    );
    assert.equal(by['questioned/alice/q3.png']!.problem?.code, 'subject-conflict');
    assert.match(by['questioned/alice/q3.png']!.problem!.message, /case\.json says .*'dave', its folder says 'alice'/);
    assert.deepEqual(plan.warnings, ['case.json: questioned["questioned/scan-9.png"] names a file that is not in the folder']);
  });

  test('a known file outside a subject folder and a link to a folder are reported, not guessed', async () => {
    const root = tree({ 'known/loose.png': 'x', 'known/alice/k1.png': 'x', 'elsewhere/k9.png': 'x' });
    symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'known/alice/linked'));
    symlinkSync(path.join(root, 'known/alice/loop-a'), path.join(root, 'known/alice/loop-b'));
    symlinkSync(path.join(root, 'known/alice/loop-b'), path.join(root, 'known/alice/loop-a'));
    const plan = await planImport(root);
    const by = Object.fromEntries(plan.files.map((f) => [f.path, f]));
    assert.equal(by['known/loose.png']!.problem?.code, 'no-subject');
    assert.match(by['known/loose.png']!.problem!.message, /must be in its writer's folder, known\/<subject>\/loose\.png/);
    assert.equal(by['known/alice/linked']!.problem?.code, 'folder-link');
    // a link loop is planned as a file: reading it names the loop (see the import tests)
    assert.equal(by['known/alice/loop-a']!.problem, undefined);
  });

  test('a folder that is not a case folder is refused with the expected layout', async () => {
    await refused(
      tree({ 'scan.png': 'x', 'notes.txt': 'x' }),
      'INVALID_ARGUMENT',
      /has neither a known\/ nor a questioned\/ folder; expected a case folder laid out as\n {2}known\/<subject>\/<files>/,
    );
    await refused(tree({ 'known/alice/.keep': '' }), 'INVALID_ARGUMENT', /holds no files under known\/ or questioned\//);
    await refused(path.join(tempDir(), 'missing'), 'NOT_FOUND', /^folder: .*missing does not exist$/);
    const file = path.join(tree({ 'a.png': 'x' }), 'a.png');
    await refused(file, 'INVALID_ARGUMENT', /is a file, not a case folder/);
  });

  test('a damaged or unexpected case.json is refused before anything is imported, naming the field', async () => {
    await refused(tree({ 'questioned/a.png': 'x', 'case.json': '{ "questioned": ' }), 'INVALID_ARGUMENT', /^case\.json: not valid JSON/);
    await refused(tree({ 'questioned/a.png': 'x', 'case.json': '{ "questionned": {} }' }), 'INVALID_ARGUMENT', /^case\.json: .*questionned/);
    await refused(tree({ 'questioned/a.png': 'x', 'case.json': '{ "questioned": { "a.png": 7 } }' }), 'INVALID_ARGUMENT', /^case\.json questioned\.a\.png: /);
  });
});
