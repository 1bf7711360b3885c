// The built Electron core host (out/main/core-host.js, from `npm run build`) started under Node
// the way the tests start the sources: it must load (a bundling fault such as a duplicate
// top-level `require` only shows here, never in the tests, which run the sources) and answer
// calls. Electron itself cannot start on these machines; this is the part of the packaged app
// that can be run. `.ci/run` runs it after the build.
//   node --import tsx scripts/check-built-host.ts
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreHostClient } from '../src-main/host/host-client.ts';
import { forkNodeHost } from '../src-main/host/node-host.ts';

const entry = path.resolve(import.meta.dirname, '../out/main/core-host.js');
if (!existsSync(entry)) throw new Error(`${entry}: not built (npm run build)`);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-built-host-'));
const none = () => Promise.resolve(null);
const client = new CoreHostClient({
  spawn: () => forkNodeHost({ dataDir, entry }),
  dialogs: { chooseFolder: none, chooseSavePath: none },
  onEvent: () => {},
  maxRestarts: 0,
});
try {
  await client.start();
  const info = await client.invoke('app.info', {});
  assert.ok(info.ok, JSON.stringify(info));
  const created = await client.invoke('cases.create', { name: 'built host' });
  assert.ok(created.ok, JSON.stringify(created));
  const list = await client.invoke('cases.list', {});
  assert.ok(list.ok && list.value.length === 1 && list.value[0]!.name === 'built host', JSON.stringify(list));
  const missing = await client.fetchObject({ url: `cs-object://${'0'.repeat(64)}`, method: 'GET', ifNoneMatch: null });
  assert.equal(missing.status, 404, missing.body.toString());
  console.log(
    `built core host: ${path.relative(process.cwd(), entry)} answered app.info (version ${info.ok ? info.value.version : '?'}), cases.create, cases.list and an object request`,
  );
} finally {
  await client.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
