import type { AuditHead, AuditRow } from '../../core/store/index.ts';
import { bool, num, str, UsageError, type CommandImpl } from '../command.ts';

function parseHead(raw: string): AuditHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(raw.trim());
  if (!m) throw new UsageError(`--expect-head: expected SEQ:HASH (e.g. 42:3fa4...), got '${raw}'`);
  return { seq: Number(m[1]), hash: m[2] as string };
}

function line(r: AuditRow): string {
  const details = JSON.stringify(r.details);
  return `#${String(r.seq).padEnd(5)} ${r.at}  ${r.actor}  ${r.action}${r.entity ? ` ${r.entity}` : ''}  ${details === '{}' ? '' : details}`.trimEnd();
}

export const commands: CommandImpl[] = [
  {
    name: 'audit verify',
    description: `Recomputes every row's hash from row 1 and checks each row names its predecessor; checks the
installation key's signature of the chain head (a row appended outside Countersign is not signed);
checks every case, document, signature, comparison, identification and model row against the
content hash its audit row recorded; re-hashes every stored object (--no-objects skips that).
With --case the whole chain is still verified and the result says whether the break affects that case.
--expect-head checks that a head recorded earlier (in a report or a backup manifest) is still in the chain,
which also catches rows removed from the end.`,
    options: { case: { type: 'string' }, 'expect-head': { type: 'string' }, 'no-objects': { type: 'boolean' } },
    async run(ctx, args) {
      const { verifyStore } = await import('../../core/store/index.ts');
      const store = ctx.app().store;
      const caseRef = str(args, 'case');
      const caseRow = caseRef === undefined ? undefined : store.cases.get(caseRef);
      const head = str(args, 'expect-head');
      const report = verifyStore(store, {
        ...(caseRow ? { caseId: caseRow.id } : {}),
        ...(head ? { anchor: parseHead(head) } : {}),
        objects: !bool(args, 'no-objects'),
      });
      const result = report.chain;
      if (ctx.json) {
        ctx.emit({
          ...result,
          ok: report.ok,
          signatures: report.signatures,
          rowBindings: report.rowBindings,
          objects: report.objects,
          problems: report.problems,
          installationKey: store.installationKey,
        });
        return report.ok ? 0 : 1;
      }
      if (result.ok) {
        const scope = caseRow ? ` (case "${caseRow.name}": ${result.caseRows} rows)` : '';
        ctx.out(`Audit log ${report.ok ? 'OK' : 'chain intact'}: ${result.rows} rows${scope}, head #${result.head?.seq ?? 0} ${result.head?.hash ?? '-'}`);
      } else {
        ctx.out(`Audit log BROKEN at row ${result.brokenAt}: ${result.reason}`);
        if (result.row) ctx.out(`  stored row: ${line(result.row)}`);
        if (caseRow)
          ctx.out(
            `  case "${caseRow.name}" ${result.caseAffected ? 'IS' : 'is not'} affected (its rows come ${result.caseAffected ? 'after' : 'before'} the break)`,
          );
      }
      const sig = report.signatures;
      const keys = sig.keys
        .map((k) => `${k.fingerprint} (${k.trust === 'installation' ? 'this installation' : k.trust}, rows ${k.firstSeq}..${k.lastSeq})`)
        .join(', ');
      ctx.out(
        `Signatures: ${sig.signatures}${sig.headSigned ? ', head signed' : ''}${keys ? ` by ${keys}` : ''}${sig.unsignedBefore ? `; ${sig.unsignedBefore} earlier rows predate signing` : ''}`,
      );
      const rb = report.rowBindings;
      const counted = Object.entries(rb.checked)
        .filter(([, n]) => n)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ');
      ctx.out(
        `Recorded rows: ${counted || 'none'} match the hashes the chain recorded${rb.legacyChecked ? `; ${rb.legacyChecked} older rows match their audit details` : ''}${rb.legacyUnchecked ? `; ${rb.legacyUnchecked} older rows have no hash to compare` : ''}`,
      );
      if (report.objects) ctx.out(`Objects: ${report.objects.checked} checked against their SHA-256`);
      const others = report.problems.filter((p) => result.ok || !p.startsWith(`audit row ${result.brokenAt}:`));
      if (others.length) {
        ctx.out(`PROBLEMS (${others.length}):`);
        for (const p of others.slice(0, 50)) ctx.out(`  ${p}`);
        if (others.length > 50) ctx.out(`  ... and ${others.length - 50} more (--json lists them all)`);
      }
      return report.ok ? 0 : 1;
    },
  },
  {
    name: 'audit show',
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
