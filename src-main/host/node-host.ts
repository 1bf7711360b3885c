/**
 * Starts the core host as a plain Node child process (`child_process.fork`, structured-clone
 * messages like Electron's): what the tests use, and any front-end without Electron that wants
 * the core out of its own process. Electron's main process uses ./utility-process.ts instead.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostProcess } from './port.ts';

export interface NodeHostOptions {
  dataDir: string;
  transport?: 'electron' | 'bridge';
  /** The entry to run (default: ./core-host-main.ts beside this file, through tsx). */
  entry?: string;
  env?: NodeJS.ProcessEnv;
}

export function forkNodeHost(opts: NodeHostOptions): HostProcess {
  const entry = opts.entry ?? fileURLToPath(new URL('./core-host-main.ts', import.meta.url));
  const child = fork(entry, [`--data-dir=${opts.dataDir}`, `--transport=${opts.transport ?? 'electron'}`], {
    execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: opts.env ?? process.env,
  });
  const exitListeners: ((how: string) => void)[] = [];
  let gone: string | undefined;
  const ended = (how: string) => {
    if (gone !== undefined) return;
    gone = how;
    for (const l of exitListeners) l(how);
  };
  child.once('exit', (code, signal) => ended(signal ? `killed by ${signal}` : `exit code ${code}`));
  // A failed spawn or a send on a closed channel: the exit (or its absence) tells the client.
  child.on('error', (err) => {
    if (child.pid === undefined) ended(`could not start: ${err.message}`);
  });
  return {
    port: {
      postMessage: (m) => {
        if (!child.connected) throw new Error('the core process has no open channel');
        child.send(m as object, (err) => {
          if (err) console.error(`countersign: a message to the core process was lost: ${err.message}`);
        });
      },
      onMessage: (l) => void child.on('message', (m) => l(m)),
    },
    get pid() {
      return child.pid;
    },
    onExit: (l) => {
      if (gone !== undefined) l(gone);
      else exitListeners.push(l);
    },
    kill: () => void child.kill('SIGKILL'),
  };
}
