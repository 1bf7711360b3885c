// The core's folders depend in one direction: scoring/ (distances, the score, calibration,
// metrics, the default threshold) is pure and used by both model/ and verify/; model/ never
// imports verify/ (verify/ uses model/'s registry), so there is no folder cycle. Reads the files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const core = path.resolve(import.meta.dirname, '../../../src-main/core');

/** `file: folder` for every relative import (type imports included) that leaves `dir` for a core folder. */
function folderImports(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(core, dir), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const file = path.join(e.parentPath, e.name);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = path.relative(core, path.resolve(path.dirname(file), m[1]!));
      const folder = target.includes(path.sep) ? target.split(path.sep)[0]! : target;
      if (folder !== dir) out.push(`${path.relative(core, file)}: ${folder}`);
    }
  }
  return out;
}

test('scoring/ imports only errors.ts and util/ from the core', () => {
  const found = folderImports('scoring').filter((l) => !/: (errors\.ts|util)$/.test(l));
  assert.deepEqual(found, []);
});

test('model/ does not import verify/ (no folder cycle: verify/ imports model/)', () => {
  assert.ok(
    folderImports('verify').some((l) => l.endsWith(': model')),
    'the walk sees verify -> model',
  );
  assert.deepEqual(
    folderImports('model').filter((l) => l.endsWith(': verify')),
    [],
  );
});
