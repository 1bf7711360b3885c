import { parseArgs } from 'node:util';
import type { AppContext } from '../core/app-context.ts';
import { LAYOUT_HELP } from '../core/imaging/case-folder-help.ts';
import { AppError, toErrorValue, type ErrorValue } from '../core/errors.ts';
import { APP_VERSION, defaultDataDir } from '../core/paths.ts';
import { terminalSafeJson, visible } from '../core/util/visible.ts';
import {
  EXIT_CANCELLED,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  type Command,
  type CommandContext,
  type CommandEntry,
  type ParsedArgs,
} from './command.ts';
import { commandIndex } from './commands/index.ts';

const GLOBAL_HELP = `Global options:
  --data-dir DIR   data directory (env COUNTERSIGN_HOME; default: the desktop app's folder)
  --json           machine-readable output
  --help           help for any command`;

const EXIT_HELP = `Exit codes: 0 done; 1 failed (the message says why); 2 usage error (unknown command or
option, missing or malformed argument); 130 stopped with Ctrl-C; a few commands add their own.
Errors go to stderr as "countersign <command>: <message>"; with --json, stdout also gets
{"ok":false,"error":{"code":...,"message":...}}.`;

/**
 * An error message for the terminal: control characters escaped (a name in it cannot forge a
 * line), except the case-folder layout help, the one message of ours that spans lines.
 */
function errorText(message: string): string {
  if (message.endsWith(LAYOUT_HELP)) return visible(message.slice(0, -LAYOUT_HELP.length)) + LAYOUT_HELP;
  return visible(message);
}

function usageOf(cmd: Command): string {
  const lines = [`countersign ${cmd.name}${cmd.usage ? ' ' + cmd.usage : ''}`, '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description.trim());
  const opts = Object.entries(cmd.options ?? {});
  if (opts.length) {
    lines.push('', 'Options:');
    for (const [name, o] of opts) lines.push(`  --${name}${o.type === 'string' ? ' <value>' : ''}`);
  }
  lines.push('', GLOBAL_HELP);
  return lines.join('\n');
}

function listing(prefix: string[]): string {
  const matching = commandIndex.filter((c) => prefix.every((p, i) => c.name.split(' ')[i] === p));
  const width = Math.max(...matching.map((c) => c.name.length));
  return [
    `countersign ${APP_VERSION}: signature verification for forensic document examiners`,
    '',
    `Usage: countersign ${prefix.length ? prefix.join(' ') + ' ' : ''}<command> [options]`,
    '',
    'Commands:',
    ...matching.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL_HELP,
    ...(prefix.length ? [] : ['', EXIT_HELP]),
  ].join('\n');
}

/** Splits argv into global flags and the rest; global flags may appear anywhere. */
function takeGlobals(argv: string[]): { dataDir?: string; json: boolean; help: boolean; rest: string[] } {
  const rest: string[] = [];
  let dataDir: string | undefined;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--data-dir') {
      dataDir = argv[++i];
      if (!dataDir) throw new UsageError('--data-dir: expected a directory');
    } else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else rest.push(a);
  }
  return { dataDir, json, help, rest };
}

function findCommand(words: string[]): { entry?: CommandEntry; depth: number } {
  let best: CommandEntry | undefined;
  let depth = 0;
  for (const c of commandIndex) {
    const parts = c.name.split(' ');
    if (parts.length > depth && parts.every((p, i) => words[i] === p)) {
      best = c;
      depth = parts.length;
    }
  }
  return { entry: best, depth };
}

function progressBar(json: boolean) {
  let last = 0;
  return (done: number, total: number, label = '') => {
    if (json || !process.stderr.isTTY) return;
    const now = Date.now();
    if (now - last < 80 && done < total) return;
    last = now;
    const width = 28;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const text = `[${bar}] ${done}/${total} ${visible(label)}`.slice(0, (process.stderr.columns ?? 100) - 1);
    process.stderr.write(`\r\x1b[2K${text}`);
    if (done >= total) process.stderr.write('\n');
  };
}

/**
 * Reports an error the one way every command does: `countersign[ <command>]: <message>` on
 * stderr and, with --json, `{ ok: false, error: { code, message } }` on stdout.
 */
function reportError(json: boolean, cmd: { name: string } | undefined, e: ErrorValue): void {
  if (json) process.stdout.write(terminalSafeJson({ ok: false, error: e }) + '\n');
  process.stderr.write(`countersign${cmd ? ` ${cmd.name}` : ''}: ${errorText(e.message)}\n`);
}

/** An error's exit code: EXIT_USAGE for a mistake in the command line, EXIT_CANCELLED for Ctrl-C. */
function exitCodeOf(err: unknown, e: ErrorValue): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  return e.code === 'CANCELLED' ? EXIT_CANCELLED : EXIT_FAILED;
}

/** A command's implementation, imported from its module (commands/index.ts says which). */
async function loadCommand(entry: CommandEntry): Promise<Command> {
  const impl = (await entry.load()).find((c) => c.name === entry.name);
  if (!impl) throw new AppError('INTERNAL', `commands/index.ts lists '${entry.name}', but its module does not define it`);
  return { ...impl, name: entry.name, summary: entry.summary, ...(entry.usage !== undefined ? { usage: entry.usage } : {}) };
}

export async function runCli(argv: string[]): Promise<number> {
  let globals: ReturnType<typeof takeGlobals>;
  try {
    globals = takeGlobals(argv);
  } catch (err) {
    reportError(argv.includes('--json'), undefined, toErrorValue(err));
    return EXIT_USAGE;
  }
  const { entry, depth } = findCommand(globals.rest);
  if (!entry) {
    const words = globals.rest.filter((w) => !w.startsWith('-'));
    if (globals.rest.length === 0 || (globals.help && words.length === 0)) {
      process.stdout.write(listing([]) + '\n');
      return globals.rest.length === 0 && !globals.help ? EXIT_USAGE : EXIT_OK;
    }
    const group = commandIndex.some((c) => c.name.split(' ')[0] === words[0]);
    // `countersign models` alone lists the group; `countersign models frob` is an unknown command.
    if (group && (words.length === 1 || globals.help)) {
      process.stdout.write(listing([words[0] as string]) + '\n');
      return globals.help ? EXIT_OK : EXIT_USAGE;
    }
    const tryHelp = group ? `countersign ${words[0]} --help` : 'countersign --help';
    reportError(globals.json, undefined, { code: 'INVALID_ARGUMENT', message: `unknown command '${words.join(' ')}' (try ${tryHelp})` });
    return EXIT_USAGE;
  }
  let cmd: Command;
  try {
    cmd = await loadCommand(entry);
  } catch (err) {
    const e = toErrorValue(err);
    reportError(globals.json, entry, e);
    if (e.code === 'INTERNAL' && process.env.COUNTERSIGN_DEBUG) console.error(err);
    return EXIT_FAILED;
  }
  if (globals.help) {
    process.stdout.write(usageOf(cmd) + '\n');
    return EXIT_OK;
  }
  let parsed: ParsedArgs;
  try {
    const p = parseArgs({
      args: globals.rest.slice(depth),
      options: cmd.options ?? {},
      allowPositionals: true,
      strict: true,
    });
    parsed = { values: p.values as ParsedArgs['values'], positionals: p.positionals };
  } catch (err) {
    // node:util's message ("Unknown option '--x'...", "Option '--x <value>' argument missing"), first line.
    reportError(globals.json, cmd, { code: 'INVALID_ARGUMENT', message: (err as Error).message.split('\n')[0] ?? '' });
    return EXIT_USAGE;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT_CANCELLED);
    if (!globals.json) process.stderr.write('\nstopping at the next safe point (Ctrl-C again to force)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Loaded only to run a command that opens the data directory: help, usage errors and
  // `doctor` stay clear of SQLite.
  const createContext = cmd.needsApp === false ? undefined : (await import('../core/app-context.ts')).createContext;
  const dataDir = globals.dataDir ?? defaultDataDir();
  let app: AppContext | undefined;
  const ctx: CommandContext = {
    dataDir,
    json: globals.json,
    app: () => {
      if (!createContext) throw new AppError('INTERNAL', `countersign ${cmd.name} declares needsApp: false but opened the data directory`);
      return (app ??= createContext(dataDir));
    },
    // Every line is shown with its control characters escaped: names from a case folder, a
    // backup or a model bundle must not drive the terminal or forge a line of output.
    out: (line) => {
      if (!globals.json) process.stdout.write(visible(line) + '\n');
    },
    emit: (value) => process.stdout.write(terminalSafeJson(value) + '\n'),
    progress: progressBar(globals.json),
    signal: controller.signal,
  };
  try {
    const code = await cmd.run(ctx, parsed);
    return typeof code === 'number' ? code : EXIT_OK;
  } catch (err) {
    const e = toErrorValue(err);
    const exit = exitCodeOf(err, e);
    // Stopped with Ctrl-C: the message on stderr only (--json output ends with the command's own lines).
    if (exit === EXIT_CANCELLED) process.stderr.write(`countersign ${cmd.name}: ${errorText(e.message)}\n`);
    else reportError(globals.json, cmd, e);
    if (e.code === 'INTERNAL' && process.env.COUNTERSIGN_DEBUG) console.error(err);
    return exit;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    app?.close();
  }
}

process.exitCode = await runCli(process.argv.slice(2));
