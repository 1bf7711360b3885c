/**
 * Each IPC method lives in the file named for its prefix: `cases.create` in
 * ipc/methods/cases.ts (exported as `casesMethods`) with its handler in ipc/handlers/cases.ts
 * (`casesHandlers`), so a method is found from its name alone.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { methods } from '../../../src-main/ipc/contract.ts';

const ipc = path.resolve(import.meta.dirname, '../../../src-main/ipc');
const domains = readdirSync(path.join(ipc, 'methods'))
  .filter((f) => f.endsWith('.ts') && f !== 'define.ts')
  .map((f) => f.slice(0, -3));

describe('IPC method files', () => {
  it('every method of ipc/methods/<domain>.ts is named <domain>.*, and each domain has its handlers file', async () => {
    const wrong: string[] = [];
    let count = 0;
    for (const domain of domains) {
      const mod = (await import(path.join(ipc, 'methods', `${domain}.ts`))) as Record<string, unknown>;
      const table = mod[`${domain}Methods`] as Record<string, unknown> | undefined;
      assert.ok(table, `ipc/methods/${domain}.ts exports ${domain}Methods`);
      for (const name of Object.keys(table)) {
        count++;
        if (name.split('.')[0] !== domain) wrong.push(`${name} is declared in ipc/methods/${domain}.ts`);
      }
      const handlers = (await import(path.join(ipc, 'handlers', `${domain}.ts`))) as Record<string, unknown>;
      assert.equal(typeof handlers[`${domain}Handlers`], 'function', `ipc/handlers/${domain}.ts exports ${domain}Handlers`);
    }
    assert.deepEqual(wrong, []);
    assert.equal(count, Object.keys(methods).length, 'every method of the contract comes from one of the files');
  });
});
