/**
 * Signatures of the audit chain's head (schema 5). The chain alone cannot catch a row
 * appended with a correctly computed hash; a signature by the installation key at the end
 * of every write can: a later head that is not signed, or signed by a key the installation
 * never trusted, is a row Countersign did not write.
 *
 * Trust: this installation's key, plus keys a trusted row adopts. `backup.restore` adopts the
 * keys that signed the restored chain (restoring into a new data directory makes a new key)
 * and `store.key` the keys of a lost key file; both rows list them in `signingKeys`, and the
 * adoption counts only when the adopting row is itself covered by a trusted signature.
 */
import { AppError } from '../errors.ts';
import type { Db } from './database.ts';
import { fingerprintOf, verifyHeadSignature, type InstallationKey, type PublicKeyInfo } from './installation-key.ts';

interface SignatureRow {
  seq: number;
  hash: string;
  public_key: string;
  signature: string;
  signed_at: string;
}

export interface SigningKeyUse {
  publicKey: string;
  fingerprint: string;
  /** 'installation': this data directory's key; 'adopted': named by a trusted restore or key change; 'unknown': neither. */
  trust: 'installation' | 'adopted' | 'unknown';
  signatures: number;
  firstSeq: number;
  lastSeq: number;
}

export interface SignatureVerifyResult {
  ok: boolean;
  /** Signatures recorded. */
  signatures: number;
  /** Rows before the first signature: written before schema 5 (not signed, only chained). */
  unsignedBefore: number;
  headSigned: boolean;
  keys: SigningKeyUse[];
  problems: { seq: number; reason: string }[];
}

export function hasSignatureTable(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'audit_signatures'`).get() !== undefined;
}

/** Signs the head at the end of every write of one store (see the file comment). */
export class HeadSigner {
  private readonly headStmt;
  private readonly sigStmt;
  private readonly countStmt;
  private readonly insertStmt;

  constructor(
    private readonly db: Db,
    readonly key: InstallationKey,
  ) {
    this.headStmt = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.sigStmt = db.prepare('SELECT * FROM audit_signatures WHERE seq = ?');
    this.countStmt = db.prepare('SELECT count(*) FROM audit_signatures').pluck();
    this.insertStmt = db.prepare('INSERT INTO audit_signatures (seq, hash, public_key, signature, signed_at) VALUES (?, ?, ?, ?, ?)');
  }

  /**
   * Refuses to write after a head nobody signed: rows were appended by something other
   * than Countersign, and signing on top of them would vouch for them.
   */
  requireSignedHead(): void {
    const head = this.headStmt.get() as { seq: number; hash: string } | undefined;
    if (!head) return;
    const sig = this.sigStmt.get(head.seq) as SignatureRow | undefined;
    const why = !sig
      ? this.countStmt.get() === 0
        ? 'no row of it is signed (the signatures were removed)'
        : `its last row #${head.seq} is not signed`
      : sig.hash !== head.hash
        ? `its last row #${head.seq} is not the row that was signed`
        : !verifyHeadSignature(sig.public_key, sig.seq, sig.hash, sig.signature)
          ? `the signature of its last row #${head.seq} is invalid`
          : null;
    if (why) {
      throw new AppError(
        'INTEGRITY',
        `the audit log was changed outside Countersign: ${why}. Nothing was written; run \`countersign audit verify\` and restore from a backup`,
      );
    }
  }

  /** Signs the current head unless it already is. */
  signHead(): void {
    const head = this.headStmt.get() as { seq: number; hash: string } | undefined;
    if (!head || this.sigStmt.get(head.seq)) return;
    this.insertStmt.run(head.seq, head.hash, this.key.publicKey, this.key.sign(head.seq, head.hash), new Date().toISOString());
  }
}

/** The keys named in adopting rows (backup.restore, store.key), by the row's seq. */
function adoptions(db: Db): { seq: number; keys: string[] }[] {
  const rows = db.prepare(`SELECT seq, details FROM audit_log WHERE action IN ('backup.restore', 'store.key') ORDER BY seq`).all() as {
    seq: number;
    details: string;
  }[];
  return rows.flatMap((r) => {
    try {
      const keys = (JSON.parse(r.details) as { signingKeys?: unknown }).signingKeys;
      return Array.isArray(keys) ? [{ seq: r.seq, keys: keys.filter((k): k is string => typeof k === 'string') }] : [];
    } catch {
      return [];
    }
  });
}

/** Every distinct key that signed rows of this database, oldest first. */
export function signingKeys(db: Db): string[] {
  if (!hasSignatureTable(db)) return [];
  return db.prepare('SELECT public_key FROM audit_signatures GROUP BY public_key ORDER BY min(seq)').pluck().all() as string[];
}

/**
 * Checks every signature against the row it names and its key, that the head is signed, and
 * that every signing key is trusted (see the file comment).
 */
export function verifyAuditSignatures(db: Db, own: PublicKeyInfo | null): SignatureVerifyResult {
  const head = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  if (!hasSignatureTable(db)) {
    return { ok: true, signatures: 0, unsignedBefore: head?.seq ?? 0, headSigned: false, keys: [], problems: [] };
  }
  const sigs = db.prepare('SELECT * FROM audit_signatures ORDER BY seq').all() as SignatureRow[];
  const rowHash = db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck();
  const problems: { seq: number; reason: string }[] = [];
  for (const s of sigs) {
    const stored = rowHash.get(s.seq) as string | undefined;
    if (stored !== s.hash) problems.push({ seq: s.seq, reason: `row ${s.seq} is not the row that was signed (its hash differs from the signed one)` });
    else if (!verifyHeadSignature(s.public_key, s.seq, s.hash, s.signature)) problems.push({ seq: s.seq, reason: `the signature of row ${s.seq} is invalid` });
  }
  const headSigned = !!head && sigs.at(-1)?.seq === head.seq;
  if (head && !headSigned) {
    const last = sigs.at(-1)?.seq ?? 0;
    problems.push({ seq: head.seq, reason: `rows ${last + 1}..${head.seq} are not signed by any key: they were added outside Countersign` });
  }

  const trusted = new Set<string>(own ? [own.publicKey] : []);
  const adopted = new Set<string>();
  const coveringKey = (seq: number) => sigs.find((s) => s.seq >= seq)?.public_key;
  const pending = adoptions(db);
  for (let changed = true; changed;) {
    changed = false;
    for (const a of pending) {
      const by = coveringKey(a.seq);
      if (!by || !trusted.has(by)) continue;
      for (const k of a.keys) {
        if (trusted.has(k)) continue;
        trusted.add(k);
        adopted.add(k);
        changed = true;
      }
    }
  }
  const uses = new Map<string, SigningKeyUse>();
  for (const s of sigs) {
    const u = uses.get(s.public_key);
    if (u) {
      u.signatures++;
      u.lastSeq = s.seq;
      continue;
    }
    const trust = own && s.public_key === own.publicKey ? 'installation' : adopted.has(s.public_key) ? 'adopted' : 'unknown';
    uses.set(s.public_key, { publicKey: s.public_key, fingerprint: fingerprintOf(s.public_key), trust, signatures: 1, firstSeq: s.seq, lastSeq: s.seq });
  }
  for (const u of uses.values()) {
    if (u.trust === 'unknown') {
      problems.push({
        seq: u.firstSeq,
        reason: `rows up to ${u.lastSeq} were signed by key ${u.fingerprint}, which is neither this installation's nor one a trusted restore adopted`,
      });
    }
  }
  problems.sort((a, b) => a.seq - b.seq);
  return {
    ok: problems.length === 0,
    signatures: sigs.length,
    unsignedBefore: sigs.length ? sigs[0]!.seq - 1 : (head?.seq ?? 0),
    headSigned,
    keys: [...uses.values()],
    problems,
  };
}
