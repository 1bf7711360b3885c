import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import { guarded, nowIso, type Db } from './database.ts';
import type { BoundRows, RowBinder } from './row-bindings.ts';
import type { AuditEntry, AuditHead, AuditRow, AuditVerifyResult } from './types.ts';

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);
/** First element of every hashed tuple: a later format change gets a new tag. */
export const AUDIT_HASH_FORMAT = 'countersign-audit-v1';

interface RawAuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  case_id: number | null;
  entity: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/**
 * The hash of one row: SHA-256 (hex) of the UTF-8 JSON array
 * ["countersign-audit-v1", seq, at, actor, action, case_id, entity, details, prev_hash],
 * where details is the stored (canonical JSON) text. docs/data.md has a shell recipe.
 */
export function auditRowHash(r: Omit<RawAuditRow, 'hash'>): string {
  const tuple = [AUDIT_HASH_FORMAT, r.seq, r.at, r.actor, r.action, r.case_id, r.entity, r.details, r.prev_hash];
  return createHash('sha256').update(JSON.stringify(tuple), 'utf8').digest('hex');
}

function toAuditRow(r: RawAuditRow): AuditRow {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    details = { unparsable: r.details };
  }
  // The content hashes of the rows the entry recorded (row-bindings.ts) are shown apart from
  // what the entry says; both are in the stored, hashed text.
  const { bound, ...said } = details as Record<string, unknown> & { bound?: BoundRows };
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    caseId: r.case_id,
    entity: r.entity,
    details: said,
    ...(bound ? { bound } : {}),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

const ACTION = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

export interface AuditListOptions {
  caseId?: number;
  /** Only rows with seq greater than this. */
  afterSeq?: number;
  limit?: number;
}

export interface AuditVerifyOptions {
  caseId?: number;
  /** A head recorded elsewhere (a report, a backup manifest): must still be in the chain. */
  anchor?: AuditHead;
}

/**
 * Verifies the whole chain from row 1: sequence numbers contiguous, each prev_hash equal to
 * the previous row's hash, each hash recomputed from the row's content. Works on any
 * connection (restore uses it on a database it has not migrated). For a case, the whole
 * chain is still verified (every row's hash depends on all rows before it) and the
 * result says whether the break affects that case's rows.
 */
export function verifyAuditChain(db: Db, opts: AuditVerifyOptions = {}): AuditVerifyResult {
  // One read transaction: the count and the walk see the same snapshot while others append.
  return db.transaction(() => verifySnapshot(db, opts))();
}

function verifySnapshot(db: Db, opts: AuditVerifyOptions): AuditVerifyResult {
  const total = (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  const caseInfo =
    opts.caseId === undefined
      ? undefined
      : (db.prepare('SELECT count(*) AS n, max(seq) AS last FROM audit_log WHERE case_id = ?').get(opts.caseId) as { n: number; last: number | null });
  const scope = opts.caseId === undefined ? {} : { caseId: opts.caseId };
  const broken = (brokenAt: number, reason: string, raw?: RawAuditRow): AuditVerifyResult => ({
    ok: false,
    brokenAt,
    reason,
    ...(raw ? { row: toAuditRow(raw) } : {}),
    rows: total,
    ...scope,
    ...(caseInfo ? { caseAffected: caseInfo.last !== null && brokenAt <= caseInfo.last } : {}),
  });

  let expected = 1;
  let prev = GENESIS_HASH;
  for (const raw of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<RawAuditRow>) {
    if (raw.seq !== expected) {
      const missing = raw.seq - 1 > expected ? `rows ${expected}..${raw.seq - 1} are` : `row ${expected} is`;
      return broken(expected, `${missing} missing from the audit log (deleted)`);
    }
    if (raw.prev_hash !== prev) {
      return broken(
        raw.seq,
        `row ${raw.seq} does not follow row ${raw.seq - 1}: its prev_hash does not match (a row was inserted, replaced or removed before it)`,
        raw,
      );
    }
    if (auditRowHash(raw) !== raw.hash) {
      return broken(raw.seq, `row ${raw.seq} was modified: its content does not match its hash`, raw);
    }
    if (opts.anchor && raw.seq === opts.anchor.seq && raw.hash !== opts.anchor.hash) {
      return broken(raw.seq, `row ${raw.seq} differs from the recorded head ${opts.anchor.seq}:${opts.anchor.hash} (the log was rewritten)`, raw);
    }
    prev = raw.hash;
    expected++;
  }
  if (opts.anchor && opts.anchor.seq >= expected) {
    return broken(expected, `the audit log ends at row ${expected - 1} but row ${opts.anchor.seq} was recorded: rows were removed from the end`);
  }
  return {
    ok: true,
    rows: total,
    ...(caseInfo ? { caseId: opts.caseId, caseRows: caseInfo.n } : {}),
    head: expected > 1 ? { seq: expected - 1, hash: prev } : null,
  };
}

/**
 * The append-only audit log of one store. `append` joins the caller's transaction when
 * there is one, so a write and the row recording it commit or roll back together; on its
 * own it runs in an immediate transaction of its own. The database triggers refuse UPDATE
 * and DELETE on audit_log.
 */
export class AuditLog {
  private readonly headStmt;
  private readonly insertStmt;
  private readonly byCaseStmt;
  private readonly allStmt;
  private readonly bySha256Stmt;

  constructor(
    private readonly db: Db,
    readonly actor: string,
    private readonly write: <T>(fn: () => T) => T,
    private readonly dbPath: string,
    /** Records the content hash of the rows this connection changed (schema 5; row-bindings.ts). */
    private readonly binder?: RowBinder,
  ) {
    this.headStmt = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insertStmt = db.prepare(
      'INSERT INTO audit_log (seq, at, actor, action, case_id, entity, details, prev_hash, hash) VALUES (@seq, @at, @actor, @action, @case_id, @entity, @details, @prev_hash, @hash)',
    );
    this.byCaseStmt = db.prepare('SELECT * FROM audit_log WHERE case_id = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.allStmt = db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?');
    this.bySha256Stmt = db.prepare("SELECT 1 FROM audit_log WHERE action = ? AND json_extract(details, '$.sha256') = ?");
  }

  append(entry: AuditEntry): AuditRow {
    if (typeof entry.action !== 'string' || !ACTION.test(entry.action) || entry.action.length > 100) {
      throw new AppError('INVALID_ARGUMENT', `audit action: expected a dotted lower-case name like 'case.create', got '${String(entry.action)}'`);
    }
    const plain = canonicalJson(entry.details ?? {}, 'audit details');
    return this.write(() => {
      const bound = this.binder?.collect() ?? null;
      const details = bound ? canonicalJson({ ...(entry.details ?? {}), bound }, 'audit details') : plain;
      const head = this.headStmt.get() as AuditHead | undefined;
      const row: Omit<RawAuditRow, 'hash'> = {
        seq: (head?.seq ?? 0) + 1,
        at: nowIso(),
        actor: this.actor,
        action: entry.action,
        case_id: entry.caseId ?? null,
        entity: entry.entity ?? null,
        details,
        prev_hash: head?.hash ?? GENESIS_HASH,
      };
      const full: RawAuditRow = { ...row, hash: auditRowHash(row) };
      this.insertStmt.run(full);
      if (bound) this.binder!.record(full.seq, bound);
      return toAuditRow(full);
    });
  }

  head(): AuditHead | null {
    return guarded(this.dbPath, () => (this.headStmt.get() as AuditHead | undefined) ?? null);
  }

  list(opts: AuditListOptions = {}): AuditRow[] {
    const after = opts.afterSeq ?? 0;
    const limit = opts.limit ?? -1;
    return guarded(this.dbPath, () => {
      const rows = (opts.caseId === undefined ? this.allStmt.all(after, limit) : this.byCaseStmt.all(opts.caseId, after, limit)) as RawAuditRow[];
      return rows.map(toAuditRow);
    });
  }

  /** Whether a row of this action records this SHA-256 in its details (`details.sha256`), e.g. a 'report.create'. */
  recordsSha256(action: string, sha256: string): boolean {
    return guarded(this.dbPath, () => this.bySha256Stmt.get(action, sha256) !== undefined);
  }

  verify(opts: AuditVerifyOptions = {}): AuditVerifyResult {
    return guarded(this.dbPath, () => verifyAuditChain(this.db, opts));
  }
}
