// `npm start`: the desktop app where the Electron binary is present; otherwise a clear
// pointer to the browser UI (`countersign serve --open`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let binary = false;
try {
  const dir = path.dirname(require.resolve('electron/package.json'));
  const rel = existsSync(path.join(dir, 'path.txt')) ? readFileSync(path.join(dir, 'path.txt'), 'utf8').trim() : '';
  binary = rel !== '' && existsSync(path.join(dir, 'dist', rel));
} catch {
  binary = false;
}
if (!binary) {
  console.error('The Electron binary is not installed on this machine, so the desktop window cannot open.');
  console.error('Use the same UI in a browser instead:  npx countersign serve --open');
  process.exit(1);
}
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
for (const args of [
  ['electron-vite', 'build'],
  ['electron-vite', 'preview'],
]) {
  const r = spawnSync(npx, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
