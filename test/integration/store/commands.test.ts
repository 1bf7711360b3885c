/**
 * The case, audit, backup and restore commands run in-process (parsed like cli/main.ts
 * does, with a real data directory), so many command paths cost no process start-up each.
 * cli.test.ts covers the real `countersign` binary end to end.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseArgs } from 'node:util';
import type { CommandContext } from '../../../src-main/cli/command.ts';
import { commands as auditCommands } from '../../../src-main/cli/commands/audit.ts';
import { commands as backupCommands } from '../../../src-main/cli/commands/backup.ts';
import { commands as caseCommands } from '../../../src-main/cli/commands/case.ts';
import { createContext, type AppContext } from '../../../src-main/core/app-context.ts';
import { toErrorValue, type ErrorValue } from '../../../src-main/core/errors.ts';
import { JobManager } from '../../../src-main/core/jobs/manager.ts';
import type { JobKinds } from '../../../src-main/ipc/contract.ts';
import { LATEST_SCHEMA_VERSION } from '../../../src-main/core/store/index.ts';
import { createHandlers } from '../../../src-main/ipc/handlers.ts';
import { createDispatcher } from '../../../src-main/ipc/registry.ts';
import { tempDir } from './helpers.ts';

const ALL = [...caseCommands, ...auditCommands, ...backupCommands];

// Emitted JSON, navigated freely in assertions (a wrong shape fails the assertion).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function run(dataDir: string, line: string[], json = true): Promise<{ code: number; out: string[]; value: Json; error?: ErrorValue }> {
  const cmd = ALL.filter((c) => c.name.split(' ').every((w, i) => line[i] === w)).sort((a, b) => b.name.length - a.name.length)[0];
  assert.ok(cmd, `no command for ${line.join(' ')}`);
  const p = parseArgs({ args: line.slice(cmd.name.split(' ').length), options: cmd.options ?? {}, allowPositionals: true, strict: true });
  const out: string[] = [];
  const emitted: unknown[] = [];
  let app: AppContext | undefined;
  const ctx: CommandContext = {
    dataDir,
    json,
    app: () => (app ??= createContext(dataDir)),
    out: (l) => out.push(l),
    emit: (v) => {
      emitted.push(JSON.parse(JSON.stringify(v)));
    },
    progress: () => undefined,
    signal: new AbortController().signal,
  };
  try {
    const code = await cmd.run(ctx, { values: p.values as never, positionals: p.positionals });
    return { code: typeof code === 'number' ? code : 0, out, value: emitted.at(-1) };
  } catch (err) {
    return { code: 1, out, value: undefined, error: toErrorValue(err) };
  } finally {
    app?.close();
  }
}

test('case commands: create, list, show, set-threshold, archive, with validation errors naming the field', async () => {
  const dir = path.join(tempDir(), 'data');
  const c = await run(dir, ['case', 'create', 'Smith v. Jones', '--examiner', 'Dana', '--notes', 'two\nlines']);
  assert.equal(c.value.threshold, null);
  assert.equal(c.value.examiner, 'Dana');
  assert.equal((await run(dir, ['case', 'create', 'Other', '--threshold', '0.42'])).value.threshold, 0.42);

  const errors: [string[], string, RegExp][] = [
    [['case', 'create'], 'INVALID_ARGUMENT', /<name> is required/],
    [['case', 'create', 'Case', '2'], 'INVALID_ARGUMENT', /quote a name/],
    [['case', 'create', ''], 'INVALID_ARGUMENT', /^name:/],
    [['case', 'create', 'x'.repeat(201)], 'INVALID_ARGUMENT', /^name: at most 200/],
    [['case', 'create', 'smith V. JONES'], 'CONFLICT', /^name: a case named 'Smith v. Jones' already exists/],
    [['case', 'create', 'New', '--threshold=-1'], 'INVALID_ARGUMENT', /^threshold:/],
    [['case', 'create', 'New', '--threshold', ''], 'INVALID_ARGUMENT', /^--threshold:/],
    [['case', 'set-threshold', 'Smith v. Jones', '10.5', '--reason', 'r'], 'INVALID_ARGUMENT', /^threshold:/],
    [['case', 'set-threshold', 'Smith v. Jones', '0.35'], 'INVALID_ARGUMENT', /^--reason: say why/],
    [['case', 'set-threshold', 'Smith v. Jones', '0.35', '--reason', '  '], 'INVALID_ARGUMENT', /^--reason: say why/],
    [['case', 'set-threshold', 'Smith v. Jones'], 'INVALID_ARGUMENT', /expected <name\|id> <T>/],
    [['case', 'show', 'Nobody'], 'NOT_FOUND', /'Nobody'/],
    [['case', 'archive', '#99'], 'NOT_FOUND', /'#99'/],
  ];
  for (const [line, code, message] of errors) {
    const r = await run(dir, line);
    assert.equal(r.error?.code, code, line.join(' '));
    assert.match(r.error?.message ?? '', message);
  }

  const set = await run(dir, ['case', 'set-threshold', 'smith v. jones', '0.35', '--reason', 'policy for cheques']);
  assert.equal(set.value.threshold, 0.35);
  const human = await run(dir, ['case', 'set-threshold', '#1', 'default', '--reason', 'back to the model'], false);
  assert.deepEqual(human.out, ['Case 1 "Smith v. Jones": threshold 0.35 -> model default (reason: back to the model)']);
  assert.equal((await run(dir, ['case', 'archive', '1'])).value.status, 'archived');
  const refused = await run(dir, ['case', 'set-threshold', '1', '0.5', '--reason', 'x']);
  assert.equal(refused.error?.code, 'CONFLICT');
  assert.match(refused.error?.message ?? '', /archived/);

  assert.deepEqual(
    (await run(dir, ['case', 'list'])).value.map((x: { name: string }) => x.name),
    ['Other'],
  );
  assert.deepEqual(
    (await run(dir, ['case', 'list', '--all', '--search', 'SMITH'])).value.map((x: { name: string }) => x.name),
    ['Smith v. Jones'],
  );
  const table = await run(dir, ['case', 'list', '--all'], false);
  assert.match(table.out[0] ?? '', /^ID\s+NAME\s+STATUS\s+THRESHOLD/);
  assert.match(table.out[2] ?? '', /^2\s+Other\s+open\s+0\.42/);
  const show = await run(dir, ['case', 'show', 'Smith v. Jones'], false);
  assert.match(show.out.join('\n'), /\[archived\][\s\S]*Examiner: +Dana[\s\S]*Notes:\n {4}two\n {4}lines/);

  const trail = await run(dir, ['audit', 'show', '--case', 'Smith v. Jones']);
  assert.deepEqual(
    trail.value.map((r: { action: string }) => r.action),
    ['case.create', 'case.threshold', 'case.threshold', 'case.archive'],
  );
  assert.deepEqual(
    trail.value.map((r: { details: { new?: unknown } }) => r.details.new),
    [undefined, 0.35, null, undefined],
  );
  assert.deepEqual(
    trail.value.map((r: { details: { reason?: unknown; resultsSeen?: unknown } }) => [r.details.reason, r.details.resultsSeen]),
    [
      [undefined, undefined],
      ['policy for cheques', 0],
      ['back to the model', 0],
      [undefined, undefined],
    ],
  );
  const ok = await run(dir, ['audit', 'verify', '--case', 'Other']);
  assert.equal(ok.code, 0);
  assert.deepEqual([ok.value.ok, ok.value.rows, ok.value.caseRows], [true, 6, 1]);
});

test("case list carries the same counts as the desktop app's cases.list (one core function)", async () => {
  const dir = path.join(tempDir(), 'data');
  await run(dir, ['case', 'create', 'Held']);
  await run(dir, ['case', 'create', 'Empty']);
  const app = createContext(dir, { client: 'cli' });
  try {
    const store = app.store;
    const held = store.cases.get('Held');
    const alice = store.documents.insertSubject(held.id, 'Alice');
    const doc = (n: number, role: 'known' | 'questioned', status: 'ready' | 'failed') =>
      store.documents.insertDocument({
        caseId: held.id,
        role,
        subjectId: role === 'known' ? alice.id : null,
        claimedSubjectId: role === 'questioned' ? alice.id : null,
        originalPath: `${role}/${n}.png`,
        sha256: String(n).repeat(64),
        size: 1,
        format: 'png',
        width: 1,
        height: 1,
        dpi: null,
        pageIndex: 0,
        status,
        failureReason: status === 'failed' ? 'truncated PNG' : null,
      });
    doc(1, 'known', 'ready');
    doc(2, 'known', 'ready');
    doc(3, 'questioned', 'failed');
    const ui = await createDispatcher(createHandlers({ app, jobs: new JobManager<JobKinds>(), transport: 'bridge' }))('cases.list', {});
    assert.ok(ui.ok);
    const cli = await run(dir, ['case', 'list']);
    assert.deepEqual(cli.value, JSON.parse(JSON.stringify(ui.value)));
    assert.deepEqual(
      cli.value.map((c: Json) => [c.name, c.subjects, c.documents, c.known, c.questioned, c.failed]),
      [
        ['Held', 1, 3, 2, 1, 1],
        ['Empty', 0, 0, 0, 0, 0],
      ],
    );
    const table = await run(dir, ['case', 'list'], false);
    assert.match(table.out[0] ?? '', /^ID\s+NAME\s+STATUS\s+THRESHOLD\s+EXAMINER\s+SUBJECTS\s+KNOWN\s+QUESTIONED\s+FAILED\s+CREATED$/);
    assert.match(table.out[1] ?? '', /^1\s+Held\s+open\s+model default\s+-\s+1\s+2\s+1\s+1\s+\d{4}-\d\d-\d\d$/);
  } finally {
    app.close();
  }
});

test('audit verify --expect-head: passes for the current head, fails once the log was truncated', async () => {
  const dir = path.join(tempDir(), 'data');
  await run(dir, ['case', 'create', 'A']);
  const head = (await run(dir, ['audit', 'verify'])).value.head;
  const good = await run(dir, ['audit', 'verify', '--expect-head', `${head.seq}:${head.hash}`]);
  assert.equal(good.code, 0);
  const wrong = await run(dir, ['audit', 'verify', '--expect-head', `${head.seq}:${'0'.repeat(64)}`]);
  assert.equal(wrong.code, 1);
  assert.equal(wrong.value.brokenAt, head.seq);
  const bad = await run(dir, ['audit', 'verify', '--expect-head', 'nonsense']);
  assert.equal(bad.error?.code, 'INVALID_ARGUMENT');
});

test('backup and restore commands: round trip into a new directory, refusal of a non-empty one', async () => {
  const root = tempDir();
  const dir = path.join(root, 'data');
  await run(dir, ['case', 'create', 'Kept', '--threshold', '0.3']);
  const file = path.join(root, 'b.tar');
  const b = await run(dir, ['backup', file]);
  assert.equal(b.code, 0, b.error?.message);
  assert.equal(b.value.manifest.schemaVersion, LATEST_SCHEMA_VERSION);
  assert.equal((await run(dir, ['backup', file])).error?.code, 'CONFLICT');
  assert.equal((await run(dir, ['backup'])).error?.code, 'INVALID_ARGUMENT');

  const target = path.join(root, 'restored');
  const r = await run(target, ['restore', file], false);
  assert.equal(r.code, 0, r.error?.message ?? r.out.join('\n'));
  assert.match(r.out.join('\n'), /audit chain verified/);
  assert.equal((await run(target, ['case', 'show', 'Kept'])).value.threshold, 0.3);
  const trail = (await run(target, ['audit', 'show'])).value.map((x: { action: string }) => x.action);
  assert.deepEqual(trail, ['store.create', 'case.create', 'backup.restore']);
  const again = await run(target, ['restore', file]);
  assert.equal(again.error?.code, 'CONFLICT');
  assert.ok(fs.existsSync(path.join(target, 'countersign.db')));
});
