import type { CaseSummary } from '../../core/app/cases.ts';
import type { CaseRow } from '../../core/store/index.ts';
import { bool, str, UsageError, type CommandImpl, type ParsedArgs } from '../command.ts';
import { formatTable } from '../table.ts';

/** The single positional a command expects; a clear message when it is missing or split. */
function one(args: ParsedArgs, what: string): string {
  if (args.positionals.length === 0) throw new UsageError(`${what} is required`);
  if (args.positionals.length > 1) {
    throw new UsageError(`expected one ${what}, got ${args.positionals.length} words (quote a name with spaces: "Case 1")`);
  }
  return args.positionals[0] as string;
}

/** `--threshold 0.42` or `default` (the model's); range checks are the store's. */
function parseThreshold(raw: string, flag: string): number | null {
  if (raw.trim().toLowerCase() === 'default') return null;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag}: expected a number in (0, 10] or 'default', got '${raw}'`);
  return n;
}

function fmtThreshold(t: number | null): string {
  return t === null ? 'model default' : String(t);
}

function details(c: CaseRow): string[] {
  return [
    `Case ${c.id}: ${c.name}${c.status === 'archived' ? '  [archived]' : ''}`,
    `  Examiner:          ${c.examiner ?? '-'}`,
    `  Threshold:         ${fmtThreshold(c.threshold)}`,
    `  Inconclusive band: ${c.inconclusiveBand}`,
    `  Min. references:   ${c.minReferences}`,
    `  Model:             ${c.modelId ?? 'default'}`,
    `  Created:           ${c.createdAt}`,
    `  Updated:           ${c.updatedAt}`,
    ...(c.notes ? ['  Notes:', ...c.notes.split('\n').map((l) => `    ${l}`)] : []),
  ];
}

/** The case list, with what each case holds as the desktop app's case list shows it. */
function table(rows: CaseSummary[]): string[] {
  if (!rows.length) return ['No cases.'];
  const cols = rows.map((c) => [
    String(c.id),
    c.name,
    c.status,
    fmtThreshold(c.threshold),
    c.examiner ?? '-',
    ...[c.subjects, c.known, c.questioned, c.failed].map(String),
    c.createdAt.slice(0, 10),
  ]);
  return formatTable(['ID', 'NAME', 'STATUS', 'THRESHOLD', 'EXAMINER', 'SUBJECTS', 'KNOWN', 'QUESTIONED', 'FAILED', 'CREATED'], cols, {
    numeric: [5, 6, 7, 8],
  });
}

export const commands: CommandImpl[] = [
  {
    name: 'case create',
    description: `Names are unique regardless of letter case, at most 200 characters.
The threshold is a verification score in (0, 10]; without one the model's default (where its LR is 1) applies.
Example: countersign case create "Smith v. Jones" --examiner "A. Examiner" --threshold 0.42`,
    options: { examiner: { type: 'string' }, threshold: { type: 'string' }, notes: { type: 'string' } },
    async run(ctx, args) {
      const name = one(args, '<name>');
      const rawT = str(args, 'threshold');
      const { createCase } = await import('../../core/app/cases.ts');
      const row = createCase(ctx.app(), {
        name,
        examiner: str(args, 'examiner'),
        notes: str(args, 'notes'),
        threshold: rawT === undefined ? null : parseThreshold(rawT, '--threshold'),
      });
      if (ctx.json) return ctx.emit(row);
      ctx.out(`Created case ${row.id} "${row.name}" (threshold: ${fmtThreshold(row.threshold)})`);
    },
  },
  {
    name: 'case list',
    description: `--search keeps the cases whose name or examiner contains TEXT (any letter case).
The counts are those of the desktop app's case list: subjects, known and questioned documents,
and documents whose import failed.`,
    options: { all: { type: 'boolean' }, search: { type: 'string' } },
    async run(ctx, args) {
      const { listCases } = await import('../../core/app/cases.ts');
      const rows = listCases(ctx.app().store, { includeArchived: bool(args, 'all'), search: str(args, 'search') });
      if (ctx.json) return ctx.emit(rows);
      for (const l of table(rows)) ctx.out(l);
    },
  },
  {
    name: 'case show',
    description: 'A case is named by its name (any letter case), by #id, or by a bare id when no case has that name.',
    async run(ctx, args) {
      const row = ctx.app().store.cases.get(one(args, '<name|id>'));
      if (ctx.json) return ctx.emit(row);
      for (const l of details(row)) ctx.out(l);
    },
  },
  {
    name: 'case set-threshold',
    description: `The threshold is on the verification score (see \`countersign verify --help\`). Changing it is a
deliberate act: --reason is required and recorded in the audit trail with the old and new value
and how many results of the case had already been seen. Comparisons already recorded keep the
threshold they were made at; run verify again to decide at the new one.
Example: countersign case set-threshold "Smith v. Jones" 1.8 --reason "laboratory policy for cheques"`,
    options: { reason: { type: 'string' } },
    async run(ctx, args) {
      if (args.positionals.length !== 2) {
        throw new UsageError(`expected <name|id> <T>, got ${args.positionals.length} arguments`);
      }
      const [ref, raw] = args.positionals as [string, string];
      const reason = str(args, 'reason');
      if (!reason?.trim())
        throw new UsageError('--reason: say why the threshold changes (it is recorded in the audit trail), e.g. --reason "laboratory policy"', {
          field: 'reason',
        });
      const store = ctx.app().store;
      const before = store.cases.get(ref);
      const row = store.cases.setThreshold(before.id, parseThreshold(raw, '<T>'), reason);
      if (ctx.json) return ctx.emit(row);
      ctx.out(`Case ${row.id} "${row.name}": threshold ${fmtThreshold(before.threshold)} -> ${fmtThreshold(row.threshold)} (reason: ${reason.trim()})`);
    },
  },
  {
    name: 'case archive',
    async run(ctx, args) {
      const row = ctx.app().store.cases.archive(one(args, '<name|id>'));
      if (ctx.json) return ctx.emit(row);
      ctx.out(`Archived case ${row.id} "${row.name}"`);
    },
  },
];
