import { AppError } from '../../core/errors.ts';
import type { AuditHead, AuditRow } from '../../core/store/index.ts';
import { num, str, type Command } from '../command.ts';

function parseHead(raw: string): AuditHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(raw.trim());
  if (!m) throw new AppError('INVALID_ARGUMENT', `--expect-head: expected SEQ:HASH (e.g. 42:3fa4...), got '${raw}'`);
  return { seq: Number(m[1]), hash: m[2] as string };
}

function line(r: AuditRow): string {
  const details = JSON.stringify(r.details);
  return `#${String(r.seq).padEnd(5)} ${r.at}  ${r.actor}  ${r.action}${r.entity ? ` ${r.entity}` : ''}  ${details === '{}' ? '' : details}`.trimEnd();
}

export const commands: Command[] = [
  {
    name: 'audit verify',
    summary: 'Verify the hash-chained audit log; exits 1 when a row was modified, deleted or inserted',
    usage: '[--case C] [--expect-head SEQ:HASH] [--json]',
    description: `Recomputes every row's hash from row 1 and checks each row names its predecessor.
With --case the whole chain is still verified and the result says whether the break affects that case.
--expect-head checks that a head recorded earlier (in a report or a backup manifest) is still in the chain,
which also catches rows removed from the end.`,
    options: { case: { type: 'string' }, 'expect-head': { type: 'string' } },
    async run(ctx, args) {
      const store = ctx.app().store;
      const caseRef = str(args, 'case');
      const caseRow = caseRef === undefined ? undefined : store.cases.get(caseRef);
      const head = str(args, 'expect-head');
      const result = store.audit.verify({
        ...(caseRow ? { caseId: caseRow.id } : {}),
        ...(head ? { anchor: parseHead(head) } : {}),
      });
      if (ctx.json) ctx.emit(result);
      else if (result.ok) {
        const scope = caseRow ? ` (case "${caseRow.name}": ${result.caseRows} rows)` : '';
        ctx.out(`Audit log OK: ${result.rows} rows${scope}, head #${result.head?.seq ?? 0} ${result.head?.hash ?? '-'}`);
      } else {
        ctx.out(`Audit log BROKEN at row ${result.brokenAt}: ${result.reason}`);
        if (result.row) ctx.out(`  stored row: ${line(result.row)}`);
        if (caseRow) ctx.out(`  case "${caseRow.name}" ${result.caseAffected ? 'IS' : 'is not'} affected (its rows come ${result.caseAffected ? 'after' : 'before'} the break)`);
      }
      return result.ok ? 0 : 1;
    },
  },
  {
    name: 'audit show',
    summary: 'Show audit log rows (of one case with --case)',
    usage: '[--case C] [--limit N]',
    options: { case: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx, args) {
      const store = ctx.app().store;
      const caseRef = str(args, 'case');
      const caseRow = caseRef === undefined ? undefined : store.cases.get(caseRef);
      const limit = num(args, 'limit', { min: 1, integer: true });
      let rows = store.audit.list(caseRow ? { caseId: caseRow.id } : {});
      if (limit !== undefined) rows = rows.slice(-limit);
      if (ctx.json) return ctx.emit(rows);
      if (!rows.length) return ctx.out('No audit rows.');
      for (const r of rows) ctx.out(line(r));
    },
  },
];
