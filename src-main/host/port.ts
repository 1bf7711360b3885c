/**
 * One port shape for both ends of the host protocol, whatever carries it: Electron's utility
 * process (`process.parentPort` in the child, `UtilityProcess` in main) or Node's
 * `child_process.fork` (`process.send` / `process.on('message')`; the tests, and any plain Node
 * front-end). No 'electron' import here: the host runs in plain Node too.
 */
export interface HostPort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** What a started host process looks like to the main side. */
export interface HostProcess {
  readonly port: HostPort;
  readonly pid: number | undefined;
  /** Called once when the process has gone, for whatever reason. */
  onExit(listener: (how: string) => void): void;
  kill(): void;
}

interface ElectronParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The host's side of the port: the utility process's parentPort, else the Node IPC channel. */
export function parentSidePort(): HostPort {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      postMessage: (m) => parentPort.postMessage(m),
      onMessage: (l) => void parentPort.on('message', (e) => l(e.data)),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('the core host must be started by the main process (utilityProcess.fork or child_process.fork with an IPC channel)');
  return {
    postMessage: (m) => void send(m),
    onMessage: (l) => void process.on('message', (m) => l(m)),
  };
}
