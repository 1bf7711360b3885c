// Attempts the Electron binary download without ever failing `npm install`.
// Electron's own install script is not in allowScripts, so this is the only place it runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const UNAVAILABLE =
  'countersign: the Electron binary could not be downloaded, so the desktop window is unavailable on this machine; the CLI (npx countersign) and `npx countersign serve` work.';

function main() {
  let electronDir;
  try {
    electronDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return; // production install without devDependencies: nothing to do
  }
  if (existsSync(path.join(electronDir, 'path.txt'))) return; // already present
  const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    stdio: 'ignore',
    timeout: Number(process.env.COUNTERSIGN_ELECTRON_TIMEOUT_MS ?? 120_000),
  });
  if (result.status === 0 && existsSync(path.join(electronDir, 'path.txt'))) {
    console.log('countersign: Electron binary installed; `npm start` opens the desktop window.');
  } else {
    console.log(UNAVAILABLE);
  }
}

try {
  main();
} catch {
  console.log(UNAVAILABLE);
}
