/**
 * Starts the core host as an Electron utility process (a Node process Electron manages, with a
 * message port to main). The entry is the built `out/main/core-host.js` (electron.vite.config.ts).
 */
import { utilityProcess } from 'electron';
import type { HostProcess } from './port.ts';

export function forkUtilityHost(entry: string, dataDir: string): HostProcess {
  const child = utilityProcess.fork(entry, [`--data-dir=${dataDir}`, '--transport=electron'], { serviceName: 'Countersign core', stdio: 'inherit' });
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    port: {
      postMessage: (m) => child.postMessage(m),
      onMessage: (l) => void child.on('message', (m: unknown) => l(m)),
    },
    get pid() {
      return child.pid;
    },
    onExit: (l) => void child.once('exit', (code) => l(`exit code ${code}`)),
    // kill() asks politely (SIGTERM on POSIX); a host frozen or stuck in a handler may not go, so SIGKILL follows.
    kill: () => {
      const pid = child.pid;
      child.kill();
      if (pid !== undefined)
        setTimeout(() => {
          if (!exited) process.kill(pid, 'SIGKILL');
        }, 2_000).unref();
    },
  };
}
