/**
 * commands/index.ts is the one place a command's name, summary and usage live (what `--help`
 * lists without loading any command module); each module under commands/ implements its
 * entries. Every entry must be implemented by the module it names, and every implementation
 * must be listed, or a command would be missing from --help or fail when it runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandImpl } from '../../../src-main/cli/command.ts';
import { commandIndex } from '../../../src-main/cli/commands/index.ts';

describe('the command index', () => {
  it('names each command once', () => {
    const names = commandIndex.map((c) => c.name);
    assert.deepEqual([...new Set(names)], names);
  });

  it('every entry is implemented by the module it loads, and every implementation is listed', async () => {
    const modules = new Map<CommandEntryLoad, readonly CommandImpl[]>();
    for (const entry of commandIndex) {
      const impls = modules.get(entry.load) ?? (await entry.load());
      modules.set(entry.load, impls);
      assert.ok(
        impls.some((c) => c.name === entry.name),
        `the module of '${entry.name}' does not implement it`,
      );
    }
    const listed = new Set(commandIndex.map((c) => c.name));
    for (const impls of modules.values()) for (const c of impls) assert.ok(listed.has(c.name), `'${c.name}' is implemented but not in commands/index.ts`);
    assert.ok(modules.size >= 18, `${modules.size} command modules`);
  });

  it('each summary is one line (the listing is a table)', () => {
    for (const c of commandIndex) {
      assert.ok(c.summary.length > 0 && !c.summary.includes('\n'), c.name);
    }
  });
});

type CommandEntryLoad = (typeof commandIndex)[number]['load'];
