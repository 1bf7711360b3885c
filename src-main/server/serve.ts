import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppContext } from '../core/app-context.ts';
import { StoredObjects } from '../core/app/objects.ts';
import { JobManager } from '../core/jobs/manager.ts';
import type { JobKinds } from '../ipc/contract/jobs.ts';
import { visible, visibleError } from '../core/util/visible.ts';
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
export async function serve(app: AppContext, opts: ServeOptions = {}): Promise<Bridge & { jobs: JobManager<JobKinds> }> {
  const staticDir = await ensureRendererBuilt(opts.log);
  const jobs = new JobManager<JobKinds>();
  // One cache for images.get and GET /objects/<sha256>: the URL images.get returns is served without rendering again.
  const objects = new StoredObjects(() => app.store);
  const dispatch = createDispatcher(createHandlers({ app, jobs, transport: 'bridge', objects }), (method, err) =>
    console.error(`countersign serve: ${visible(method)} failed: ${visibleError(err)}`),
  );
  const bridge = await startBridge({
    dispatch,
    subscribe: (event, listener) => jobs.on(event, listener),
    staticDir,
    objects,
    host: opts.host,
    port: opts.port,
    token: opts.token,
  });
  return { ...bridge, jobs };
}

/** Starts the platform's browser on a URL (which, being on a command line, every local user can read). */
export function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`could not start a browser; open ${visible(url)} yourself`));
  child.unref();
}

/**
 * `serve --open` without the token on a command line (where /proc shows it to every local
 * user): the browser is started on an owner-only file in the data directory (0600 in 0700)
 * that forwards to the tokened URL. The file is removed when the server stops.
 */
export function openWithoutSecret(
  bridge: Pick<Bridge, 'url' | 'port'>,
  dataDir: string,
  opener: (target: string) => void = openInBrowser,
): { file: string; remove(): void } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, `open-${bridge.port}.html`);
  const url = bridge.url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const html = `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${url}"><title>Countersign</title><a href="${url}">Open Countersign</a>\n`;
  rmSync(file, { force: true });
  writeFileSync(file, html, { mode: 0o600, flag: 'wx' });
  opener(pathToFileURL(file).href);
  return { file, remove: () => rmSync(file, { force: true }) };
}
