import { spawn } from 'node:child_process';
import type { AppContext } from '../core/context.ts';
import { JobManager } from '../core/jobs/manager.ts';
import { createHandlers } from '../ipc/handlers.ts';
import { createDispatcher } from '../ipc/registry.ts';
import { startBridge, type Bridge } from './bridge.ts';
import { ensureRendererBuilt } from './ui-build.ts';

export interface ServeOptions {
  host?: string;
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

/** Wires the contract handlers for one data directory to the loopback bridge. */
export async function serve(app: AppContext, opts: ServeOptions = {}): Promise<Bridge & { jobs: JobManager }> {
  const staticDir = await ensureRendererBuilt(opts.log);
  const jobs = new JobManager();
  const dispatch = createDispatcher(createHandlers({ app, jobs, transport: 'bridge' }), (method, err) =>
    console.error(`countersign serve: ${method} failed:`, err),
  );
  const bridge = await startBridge({
    dispatch,
    subscribe: (event, listener) => jobs.on(event, listener),
    staticDir,
    host: opts.host,
    port: opts.port,
    token: opts.token,
  });
  return { ...bridge, jobs };
}

export function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`could not start a browser; open ${url} yourself`));
  child.unref();
}
