// The CLI's error convention, through the real binary: a mistake in the command line exits 2,
// any other failure 1 with the AppError code (never INTERNAL for a user's mistake); every error
// is one line on stderr, "countersign <command>: <message>" with the command named once; with
// --json the error is also {ok:false,error:{code,message}} on stdout.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, ROOT, tempDir } from '../../helpers/cli.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: { code: string; message: string };
}

/** `countersign --data-dir <home> <args>` in a child process (async: the calls run side by side). */
function run(home: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--data-dir', home, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const status = err ? ((err as { code?: number }).code ?? null) : 0;
      let error: Run['error'];
      try {
        error = (JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { error?: Run['error'] }).error;
      } catch {
        error = undefined;
      }
      resolve({ status, stdout, stderr, ...(error ? { error } : {}) });
    });
  });
}

/** One line on stderr: `countersign <command>: <message>`, the command not repeated in the message. */
function assertErrorLine(r: Run, command: string, message: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${JSON.stringify(r.stderr)}`);
  const prefix = `countersign${command ? ` ${command}` : ''}: `;
  assert.ok(lines[0]!.startsWith(prefix), `${JSON.stringify(lines[0])} starts with ${JSON.stringify(prefix)}`);
  const rest = lines[0]!.slice(prefix.length);
  assert.match(rest, message);
  if (command) assert.ok(!rest.startsWith(`${command}:`), `the command is named once: ${lines[0]}`);
}

describe('countersign error convention', () => {
  const tmp = tempDir('countersign-errors-');
  after(() => tmp.cleanup());
  const home = path.join(tmp.dir, 'home');
  // A folder that exists but holds no labelled images: reading it as training data would fail,
  // so an error about anything else shows the check ran before the data were read.
  const empty = path.join(tmp.dir, 'empty');
  mkdirSync(empty);

  it('usage errors exit 2: an unknown command or option, a missing or malformed argument', async () => {
    const [unknownCommand, unknownInGroup, unknownOption, unknownOptionJson, malformed, notAnArch, missingOption, missingId] = await Promise.all([
      run(home, 'frobnicate'),
      run(home, 'models', 'frob', '--json'),
      run(home, 'models', 'show', '--bogus'),
      run(home, 'train', '--data', empty, '--bogus', '--json'),
      run(home, 'train', '--data', empty, '--arch', 'signet', '--epochs', 'ten', '--json'),
      run(home, 'train', '--data', empty, '--arch', 'resnet', '--json'),
      run(home, 'train', '--arch', 'signet', '--json'),
      run(home, 'models', 'show', '--json'),
    ]);
    assert.equal(unknownCommand.status, 2);
    assertErrorLine(unknownCommand, '', /^unknown command 'frobnicate' \(try countersign --help\)$/);
    assert.equal(unknownCommand.stdout, '', 'without --json nothing on stdout');

    assert.equal(unknownInGroup.status, 2, 'a command the group does not have is unknown, not a listing');
    assertErrorLine(unknownInGroup, '', /^unknown command 'models frob' \(try countersign models --help\)$/);
    assert.equal(unknownInGroup.error?.code, 'INVALID_ARGUMENT');

    assert.equal(unknownOption.status, 2);
    assertErrorLine(unknownOption, 'models show', /^Unknown option '--bogus'/);
    assert.equal(unknownOptionJson.status, 2);
    assertErrorLine(unknownOptionJson, 'train', /^Unknown option '--bogus'/);
    assert.equal(unknownOptionJson.error?.code, 'INVALID_ARGUMENT', 'with --json the usage error is on stdout too');

    assert.equal(malformed.status, 2, malformed.stderr);
    assert.deepEqual(malformed.error, { code: 'INVALID_ARGUMENT', message: "--epochs: expected an integer in 1..1000, got 'ten'" });
    assertErrorLine(malformed, 'train', /^--epochs: expected an integer/);
    assert.equal(notAnArch.status, 2, notAnArch.stderr);
    assert.equal(notAnArch.error?.code, 'INVALID_ARGUMENT');
    assert.match(notAnArch.error?.message ?? '', /^--arch: expected signet, .*got 'resnet'$/);

    assert.equal(missingOption.status, 2, missingOption.stderr);
    assert.equal(missingOption.error?.code, 'INVALID_ARGUMENT');
    assertErrorLine(missingOption, 'train', /^--data: required/);

    // Was INTERNAL, with the prefix twice: "countersign models show: models show: give a model id".
    assert.equal(missingId.status, 2, missingId.stderr);
    assert.deepEqual(missingId.error, { code: 'INVALID_ARGUMENT', message: 'give a model id (countersign models list)' });
    assertErrorLine(missingId, 'models show', /^give a model id/);
  });

  it('other mistakes exit 1 with their code: a model that does not exist, no model to start from', async () => {
    const [show, use, exportMissing, trainBase, trainNoModel, evalNoModel] = await Promise.all([
      run(home, 'models', 'show', 'no-such-model', '--json'),
      run(home, 'models', 'use', 'no-such-model'),
      run(home, 'models', 'export', 'no-such-model', path.join(tmp.dir, 'out.bin'), '--json'),
      run(home, 'train', '--data', empty, '--base', 'no-such-model', '--json'),
      run(home, 'train', '--data', empty, '--json'),
      run(home, 'eval', '--data', empty, '--json'),
    ]);
    for (const [r, command] of [
      [show, 'models show'],
      [use, 'models use'],
      [exportMissing, 'models export'],
      [trainBase, 'train'],
    ] as const) {
      assert.equal(r.status, 1, `${command}: ${r.stderr}`);
      assertErrorLine(r, command, /^model 'no-such-model' not found/);
    }
    assert.equal(show.error?.code, 'NOT_FOUND');
    assert.equal(exportMissing.error?.code, 'NOT_FOUND');
    // The base model is looked up before any image is read (the empty folder was never reached)
    // and before a training run is started (no 'start' event, nothing recorded).
    assert.equal(trainBase.error?.code, 'NOT_FOUND');
    assert.doesNotMatch(trainBase.stdout, /"type":"start"/);

    assert.equal(trainNoModel.status, 1, trainNoModel.stderr);
    assert.equal(trainNoModel.error?.code, 'INVALID_ARGUMENT');
    assertErrorLine(trainNoModel, 'train', /^--base: no model is registered yet; give --base or --arch/);

    // Was INTERNAL (a plain Error).
    assert.equal(evalNoModel.status, 1, evalNoModel.stderr);
    assert.deepEqual(evalNoModel.error, { code: 'INVALID_ARGUMENT', message: '--model: no model is registered; give --model' });
    assertErrorLine(evalNoModel, 'eval', /^--model: no model is registered/);
  });
});
