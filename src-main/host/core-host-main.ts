/**
 * Entry of the core host process: `utilityProcess.fork(out/main/core-host.js, ['--data-dir=DIR'])`
 * from the Electron main process (electron.vite.config.ts builds it), or `child_process.fork`
 * of this file through tsx (the tests). See ./core-host.ts.
 */
import { runCoreHost } from './core-host.ts';
import { parentSidePort } from './port.ts';

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

const dataDir = option('data-dir');
const transport = option('transport') ?? 'electron';
if (!dataDir || (transport !== 'electron' && transport !== 'bridge')) {
  console.error('countersign core: usage: core-host --data-dir=DIR [--transport=electron|bridge]');
  process.exit(2);
}

const port = parentSidePort();
const app = runCoreHost(port, { dataDir, transport, onShutdown: () => process.exit(0) });
// Without a usable data directory the host has said why (a `fatal` message) and waits for the
// main process to end it, so that message is not lost to an early exit.
if (app) {
  // A Node parent that goes away takes the host with it (Electron ends its utility processes itself).
  process.on('disconnect', () => {
    app.close();
    process.exit(0);
  });
}
