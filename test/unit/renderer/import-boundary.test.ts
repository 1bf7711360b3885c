/**
 * The renderer's import boundary (issue 18): `npm run lint` rejects any renderer import from
 * src-main/ other than the IPC contract (types from ipc/contract.ts, pure helpers from
 * ipc/contract/shared.ts), in .ts and .svelte files alike, and Node modules as before. Runs the
 * project's own eslint.config.js through ESLint's Node API on small sources given as strings
 * (lintText with a file path: nothing is written, the path only selects the config).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RULE = '@typescript-eslint/no-restricted-imports';

let eslint: ESLint;
before(() => {
  eslint = new ESLint({ cwd: root });
});

/** The import-rule messages ESLint reports for `code` as if it were the file at `file` (repo-relative). */
async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  assert.ok(result, `${file}: no lint result`);
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${file} did not parse`);
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

/** The one import-rule message for `code` at `file` (fails if there are none or several). */
async function oneError(file: string, code: string): Promise<string> {
  const errors = await importErrors(file, code);
  assert.equal(errors.length, 1, `${code}\n-> ${errors.length} errors: ${errors.join('\n')}`);
  return errors[0] ?? '';
}

const ts = (line: string) => `${line}\nexport const used: unknown = null;\n`;
const svelte = (line: string) => `<script lang="ts">\n  ${line}\n  void 0;\n</script>\n\n<p>x</p>\n`;

describe('renderer import boundary (eslint.config.js)', () => {
  const lib = 'src-renderer/src/lib/fixture.ts';
  const view = 'src-renderer/src/views/cases/Fixture.svelte';

  it('rejects a type import from src-main/core in a .ts file, naming the contract', async () => {
    const error = await oneError(lib, ts(`import type { Box } from '../../../src-main/core/store/types.ts';\nexport type B = Box;`));
    assert.match(error, /src-main\/core\/store\/types\.ts/);
    assert.match(error, /only through the IPC contract/);
  });

  it('rejects a run-time import from src-main/core in a .ts file', async () => {
    const error = await oneError(lib, ts(`import { DECISION_WORDS } from '../../../src-main/core/verify/story.ts';\nexport const w = DECISION_WORDS;`));
    assert.match(error, /only through the IPC contract/);
  });

  it('rejects an import from src-main/core in a .svelte component', async () => {
    const error = await oneError(
      view,
      svelte(`import type { Decision } from '../../../../src-main/core/store/types.ts';\n  let d: Decision | null = $state(null);\n  void d;`),
    );
    assert.match(error, /only through the IPC contract/);
  });

  it('rejects the other rooms of src-main too: ipc/methods, the contract internals', async () => {
    for (const source of ['../../../src-main/ipc/methods/cases.ts', '../../../src-main/ipc/contract/types.ts', '../../../src-main/ipc/handlers.ts']) {
      assert.match(await oneError(lib, ts(`import type { X } from '${source}';\nexport type Y = X;`)), /only through the IPC contract/);
    }
  });

  it('accepts types from ipc/contract.ts and helpers from ipc/contract/shared.ts, in .ts and .svelte', async () => {
    assert.deepEqual(
      await importErrors(
        lib,
        ts(
          `import type { Box, JobInfo } from '../../../src-main/ipc/contract.ts';\nimport { DECISION_WORDS } from '../../../src-main/ipc/contract/shared.ts';\nexport type B = [Box, JobInfo];\nexport const w = DECISION_WORDS;`,
        ),
      ),
      [],
    );
    assert.deepEqual(
      await importErrors(
        view,
        svelte(
          `import type { Decision } from '../../../../src-main/ipc/contract.ts';\n  import { DPI_MAX } from '../../../../src-main/ipc/contract/shared.ts';\n  let d: Decision | null = $state(null);\n  void [d, DPI_MAX];`,
        ),
      ),
      [],
    );
  });

  it('rejects a run-time import of ipc/contract.ts (its zod schemas stay out of the UI bundle)', async () => {
    const error = await oneError(lib, ts(`import { methods } from '../../../src-main/ipc/contract.ts';\nexport const m = methods;`));
    assert.match(error, /Import only types from src-main\/ipc\/contract\.ts/);
  });

  it('rejects Node modules in .svelte components as in .ts files', async () => {
    for (const [file, code] of [
      [view, svelte(`import { readFileSync } from 'node:fs';\n  void readFileSync;`)],
      [view, svelte(`import path from 'path';\n  void path;`)],
      [lib, ts(`import { readFileSync } from 'node:fs';\nvoid readFileSync;`)],
    ] as const) {
      const error = await oneError(file, code);
      assert.match(error, /must not import Node/);
    }
  });

  it('applies to the renderer only: the CLI may import core/', async () => {
    assert.deepEqual(await importErrors('src-main/cli/fixture.ts', ts(`import type { Box } from '../core/store/types.ts';\nexport type B = Box;`)), []);
  });
});

describe('layer boundary of src-main/core (eslint.config.js)', () => {
  /** The core rule's messages (core/ uses ESLint's own no-restricted-imports). */
  async function coreErrors(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it('rejects an import of a front-end (ipc/, cli/, server/) from core/, at any depth', async () => {
    for (const code of [
      ts(`import { methods } from '../../ipc/contract.ts';\nexport const m = methods;`),
      ts(`import { commands } from '../../cli/commands/index.ts';\nexport const c = commands;`),
      ts(`import type { Bridge } from '../../../server/bridge.ts';\nexport type B = Bridge;`),
    ]) {
      const errors = await coreErrors('src-main/core/model/training/fixture.ts', code);
      assert.equal(errors.length, 1, code);
      assert.match(errors[0]!, /core\/ must not import the front-ends/);
    }
  });

  it('still rejects electron in core/, and lets core/ import its own folders', async () => {
    assert.match(
      (await coreErrors('src-main/core/fixture.ts', ts(`import { app } from 'electron';\nexport const a = app;`)))[0] ?? '',
      /must not import electron/,
    );
    assert.deepEqual(
      await coreErrors('src-main/core/verify/fixture.ts', ts(`import { distance } from '../scoring/distance.ts';\nexport const d = distance;`)),
      [],
    );
  });
});
