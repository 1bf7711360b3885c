import { bool, num, str, type CommandImpl } from '../command.ts';

export const commands: CommandImpl[] = [
  {
    name: 'serve',
    description: `Prints a URL with a random per-run token; requests without it get 401. The token is bound to
this server's port and origin (never a cookie). --open starts the browser on an owner-only file in the
data directory that forwards to that URL, so the token never appears on a command line.
Runs until Ctrl-C. With --json, prints {"url", "port"} once ready.`,
    options: { port: { type: 'string' }, host: { type: 'string' }, open: { type: 'boolean' } },
    async run(ctx, args) {
      const { assertLoopback } = await import('../../server/bridge.ts');
      const host = str(args, 'host') ?? '127.0.0.1';
      assertLoopback(host);
      const port = num(args, 'port', { min: 0, max: 65535, integer: true, default: 0 });
      const { createContext } = await import('../../core/app-context.ts');
      const { openWithoutSecret, serve } = await import('../../server/serve.ts');
      const app = createContext(ctx.dataDir, { client: 'bridge' });
      const bridge = await serve(app, { host, port, log: (l) => process.stderr.write(l + '\n') });
      if (ctx.json) ctx.emit({ url: bridge.url, port: bridge.port, dataDir: ctx.dataDir });
      else {
        ctx.out(`Countersign is serving ${ctx.dataDir}`);
        ctx.out(`Open: ${bridge.url}`);
        ctx.out('(Ctrl-C to stop)');
      }
      const opened = bool(args, 'open') ? openWithoutSecret(bridge, ctx.dataDir) : null;
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      opened?.remove();
      await bridge.close();
      app.close();
    },
  },
];
