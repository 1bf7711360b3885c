import type { ParseArgsConfig } from 'node:util';
import { AppError } from '../core/errors.ts';
import type { AppContext } from '../core/app-context.ts';

/**
 * What `countersign --help` lists about a command: read from commands/index.ts at start-up,
 * without loading the command's module.
 */
export interface CommandInfo {
  /** Space-separated path, e.g. 'case create'. */
  name: string;
  summary: string;
  /** Usage line after the command name, e.g. '<name> [--examiner E]'. */
  usage?: string;
}

/**
 * A command's implementation, in its module under commands/: imported only when the command
 * runs or its own --help is asked for. Its options are parsed with node:util parseArgs.
 */
export interface CommandImpl {
  /** The CommandInfo name it implements. */
  name: string;
  /** Longer help text: what it does, examples. */
  description?: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /**
   * false for a command that never calls ctx.app(): the data directory's code (SQLite, the
   * store, its zod schemas) is then not loaded, and ctx.app() throws. Default true.
   */
  needsApp?: boolean;
  run(ctx: CommandContext, args: ParsedArgs): Promise<number | void>;
}

/** One entry of commands/index.ts: the metadata and how to load the module that implements it. */
export interface CommandEntry extends CommandInfo {
  load(): Promise<readonly CommandImpl[]>;
}

/** One `countersign` command: its metadata and its implementation. */
export type Command = CommandInfo & CommandImpl;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface CommandContext {
  /** Opens the data directory (database, object store) on first use. */
  app(): AppContext;
  dataDir: string;
  json: boolean;
  /** Human output (suppressed in --json mode unless forced). */
  out(line: string): void;
  /** Machine output: one JSON document or line. */
  emit(value: unknown): void;
  /** Progress for long jobs: a bar on a TTY, nothing in --json mode. */
  progress(done: number, total: number, label?: string): void;
  /** Aborted on Ctrl-C (SIGINT/SIGTERM): long jobs stop cleanly at the next safe point. */
  signal: AbortSignal;
}

/**
 * A mistake in the command line itself, seen without reading any file or the database: a
 * missing or extra argument, a missing required option, a malformed option value, options that
 * cannot go together. Code INVALID_ARGUMENT like any bad input; the CLI exits with EXIT_USAGE.
 */
export class UsageError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_ARGUMENT', message, details);
    this.name = 'UsageError';
  }
}

/** The CLI's exit codes (docs/architecture.md, "CLI"); a command may add its own (import --strict: 3). */
export const EXIT_OK = 0;
/** The command could not do its work: a missing case or model, bad data, a database error... */
export const EXIT_FAILED = 1;
/** Usage: unknown command or option, missing or malformed argument (UsageError). */
export const EXIT_USAGE = 2;
/** Stopped with Ctrl-C (SIGINT/SIGTERM) at a safe point. */
export const EXIT_CANCELLED = 130;

export function str(args: ParsedArgs, key: string): string | undefined {
  const v = args.values[key];
  return typeof v === 'string' ? v : undefined;
}

export function bool(args: ParsedArgs, key: string): boolean {
  return args.values[key] === true;
}

/** Parses a numeric flag; the error names the flag and the accepted range. */
export function num(args: ParsedArgs, key: string, opts: { min?: number; max?: number; integer?: boolean; default?: number } = {}): number | undefined {
  const raw = str(args, key);
  if (raw === undefined) return opts.default;
  const n = Number(raw);
  const range = `${opts.min ?? '-inf'}..${opts.max ?? 'inf'}`;
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new UsageError(`--${key}: expected ${opts.integer ? 'an integer' : 'a number'} in ${range}, got '${raw}'`);
  }
  return n;
}
